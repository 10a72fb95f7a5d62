"""POST /api/listening/ingest and GET /api/listening/snapshots: owner, stranger, anonymous;
filters, bad input, cursor pages; and the real cluster running what the POST queued."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django_q.brokers import get_broker
from django_q.signing import SignedPackage
from rest_framework.test import APIClient

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.queues import BULK, cluster_name
from core.runs import RunStatus
from insights.models import ListeningIngest, ListeningSnapshot, TimeRange
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory, api_token_secret
from tests.fixtures.cluster import sandbox_cluster_env
from tests.insights.factories import ListeningSnapshotFactory
from tests.sync.cluster_support import signed_in

SNAPSHOTS = "/api/listening/snapshots"
INGEST = "/api/listening/ingest"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner():
    return UserFactory()


def _days(owner, count: int, *, time_range: str = TimeRange.SHORT, last: date = date(2026, 3, 31)):
    return [
        ListeningSnapshotFactory(user=owner, time_range=time_range, snapshot_date=last - timedelta(days=n))
        for n in range(count)
    ]


# --- reading --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_owner_reads_their_snapshots_newest_day_first_with_every_figure(api, owner):
    ListeningSnapshotFactory(user=owner, snapshot_date=date(2026, 3, 1), time_range=TimeRange.LONG)
    ListeningSnapshotFactory(
        user=owner,
        snapshot_date=date(2026, 3, 2),
        top_artists=[{"id": "a1", "rank": 1, "plays": 4}],
        genre_distribution={"shoegaze": 1.0},
        audio_features=None,
    )
    ListeningSnapshotFactory(user=owner, snapshot_date=date(2026, 3, 2), time_range=TimeRange.MEDIUM)
    api.force_authenticate(owner)

    response = api.get(SNAPSHOTS)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["snapshot_date"], r["time_range"]) for r in results] == [
        ("2026-03-02", "medium_term"), ("2026-03-02", "short_term"), ("2026-03-01", "long_term"),
    ]  # fmt: skip
    short = results[1]
    assert short["top_artists"] == [{"id": "a1", "rank": 1, "plays": 4}]
    assert short["played_artists"] == [{"id": "a1", "plays": 4}]
    assert short["genre_distribution"] == {"shoegaze": 1.0} and short["audio_features"] is None
    assert short["moods_estimated"] is True and len(short["hour_of_day"]) == 24
    assert {"explicit_share", "weekday_hours", "mood_diversity", "genre_diversity", "energy_mean"} <= set(
        short
    )


@pytest.mark.django_db
def test_a_stranger_sees_only_their_own_snapshots(api, owner):
    _days(owner, 3)
    mine = ListeningSnapshotFactory(snapshot_date=date(2026, 1, 1))
    api.force_authenticate(mine.user)

    results = api.get(SNAPSHOTS).json()["results"]

    assert [r["id"] for r in results] == [mine.pk]


@pytest.mark.django_db
def test_anonymous_callers_get_401(api, owner):
    _days(owner, 1)

    assert api.get(SNAPSHOTS).status_code == 401
    assert api.post(INGEST).status_code == 401


@pytest.mark.django_db
def test_a_script_reads_snapshots_with_an_api_token(api, owner):
    _days(owner, 2)
    secret = api_token_secret(owner)

    response = api.get(SNAPSHOTS, HTTP_AUTHORIZATION=f"Token {secret}")

    assert response.status_code == 200 and len(response.json()["results"]) == 2


@pytest.mark.django_db
def test_filters_by_time_range_and_an_inclusive_day_span(api, owner):
    _days(owner, 10, time_range=TimeRange.SHORT)
    _days(owner, 10, time_range=TimeRange.LONG)
    api.force_authenticate(owner)

    response = api.get(
        SNAPSHOTS, {"time_range": "long_term", "date_from": "2026-03-25", "date_to": "2026-03-27"}
    )

    results = response.json()["results"]
    assert [(r["snapshot_date"], r["time_range"]) for r in results] == [
        ("2026-03-27", "long_term"), ("2026-03-26", "long_term"), ("2026-03-25", "long_term"),
    ]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"time_range": "forever"}, "time_range"),
        ({"date_from": "31/03/2026"}, "date_from"),
        ({"date_to": "2026-02-30"}, "date_to"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "date_to"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(api, owner, params, field):
    api.force_authenticate(owner)

    response = api.get(SNAPSHOTS, params)

    assert response.status_code == 400
    assert list(response.json()) == [field] and response.json()[field][0]


@pytest.mark.django_db
def test_cursor_pages_walk_every_snapshot_once_in_bounded_queries(api, owner, django_assert_max_num_queries):
    days = _days(owner, 35)
    api.force_authenticate(owner)

    with django_assert_max_num_queries(4):
        first = api.get(SNAPSHOTS).json()
    second = api.get(first["next"]).json()

    seen = [r["id"] for r in first["results"] + second["results"]]
    assert len(first["results"]) == 30 and second["next"] is None
    assert seen == [s.pk for s in days]  # newest first, none twice, none missed


# --- asking for an ingest ----------------------------------------------------------------------
def _queued() -> list[dict]:
    """What waits in the bulk queue, where asked-for ingests run."""
    broker = get_broker(cluster_name(BULK))
    return [SignedPackage.loads(package) for _, package in broker.dequeue() or []]


@pytest.mark.django_db(transaction=True)
def test_posting_an_ingest_queues_the_task_for_the_caller_and_answers_202_with_its_id(api, owner):
    get_broker(cluster_name(BULK)).purge_queue()
    SpotifyCredentialFactory(user=owner)
    api.force_authenticate(owner)

    response = api.post(INGEST)

    assert response.status_code == 202
    body = response.json()
    assert body["task_id"] and body["status_url"] == f"/api/tasks/{body['task_id']}"
    ingest = ListeningIngest.objects.get()
    assert (body["ingest_id"], body["status"], body["already_queued"]) == (ingest.pk, "queued", False)
    assert (ingest.user, ingest.snapshot_date) == (owner, timezone.localdate())
    (task,) = _queued()
    assert (task["id"], task["func"], task["args"]) == (body["task_id"], "insights.tasks.run_ingest", (ingest.pk,))


@pytest.mark.django_db(transaction=True)
def test_asking_again_while_one_is_queued_answers_with_that_one_and_queues_nothing(api, owner):
    get_broker(cluster_name(BULK)).purge_queue()
    SpotifyCredentialFactory(user=owner)
    api.force_authenticate(owner)

    first = api.post(INGEST).json()
    again = [api.post(INGEST) for _ in range(5)]

    assert {response.status_code for response in again} == {202}
    assert {(r.json()["ingest_id"], r.json()["task_id"], r.json()["already_queued"]) for r in again} == {
        (first["ingest_id"], first["task_id"], True)
    }
    assert len(_queued()) == 1 and ListeningIngest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_second_active_ingest_of_one_listener(owner):
    ListeningIngest.objects.create(user=owner, snapshot_date=timezone.localdate())
    ListeningIngest.objects.create(user=owner, snapshot_date=timezone.localdate(), status=RunStatus.SUCCEEDED)

    with pytest.raises(IntegrityError), transaction.atomic():
        ListeningIngest.objects.create(user=owner, snapshot_date=timezone.localdate(), status=RunStatus.RUNNING)


@pytest.mark.django_db(transaction=True)
def test_a_strangers_ingest_is_their_own(api, owner):
    get_broker(cluster_name(BULK)).purge_queue()
    SpotifyCredentialFactory(user=owner)
    stranger = SpotifyCredentialFactory().user
    api.force_authenticate(stranger)

    assert api.post(INGEST).status_code == 202

    assert [ingest.user for ingest in ListeningIngest.objects.all()] == [stranger]
    assert len(_queued()) == 1


@pytest.mark.django_db(transaction=True)
def test_an_ingest_the_broker_refuses_is_a_503_and_the_next_ask_queues_a_new_one(api, owner, monkeypatch):
    from core import queues

    SpotifyCredentialFactory(user=owner)
    api.force_authenticate(owner)

    def refuse(*args, **kwargs):
        raise ConnectionError("broker away")

    monkeypatch.setattr(queues, "async_task", refuse)
    refused = api.post(INGEST)
    monkeypatch.undo()

    assert refused.status_code == 503 and "did not answer" in refused.json()["detail"]
    assert ListeningIngest.objects.get().status == RunStatus.FAILED
    again = api.post(INGEST)
    assert again.status_code == 202 and again.json()["already_queued"] is False


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("revoked", [True, False], ids=["revoked", "never-connected"])
def test_posting_an_ingest_without_a_spotify_connection_is_a_409_with_a_message(api, owner, revoked):
    get_broker(cluster_name(BULK)).purge_queue()
    if revoked:
        SpotifyCredentialFactory(reconnect=True, user=owner)
    api.force_authenticate(owner)

    response = api.post(INGEST)

    assert response.status_code == 409 and "sign in with Spotify" in response.json()["detail"]
    assert _queued() == []


@pytest.mark.cluster
def test_the_cluster_runs_the_ingest_the_api_queued_and_the_rows_appear(api, sandbox, start_qcluster):
    cluster = start_qcluster(env=sandbox_cluster_env(sandbox))
    user = signed_in(sandbox, "demo")
    api.force_authenticate(user)

    task_id = api.post(INGEST).json()["task_id"]

    task = cluster.wait_for_task(task_id, timeout=60)
    assert task.success, task.result
    assert task.func == "insights.tasks.run_ingest" and "succeeded, 3 snapshots" in task.result
    assert ListeningIngest.objects.get().status == RunStatus.SUCCEEDED
    assert sorted(ListeningSnapshot.objects.filter(user=user).values_list("time_range", flat=True)) == sorted(
        TimeRange.values
    )
    assert len(api.get(SNAPSHOTS).json()["results"]) == 3
