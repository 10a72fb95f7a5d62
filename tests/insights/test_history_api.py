"""GET /api/history/: plays newest first, cursor pages, and the gaps of each page. Owner,
stranger, anonymous."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from insights.models import GapReason
from tests.accounts.factories import UserFactory
from tests.library.factories import ArtistFactory, TrackFactory
from tests.insights.factories import HistoryGapFactory, HistoryStateFactory, PlayFactory

pytestmark = pytest.mark.django_db

URL = "/api/history/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner():
    return UserFactory()


def listened(user, count: int, *, newest_minutes_ago: int = 10, spacing_minutes: int = 4) -> list:
    """`count` plays of `user`, newest first, `spacing_minutes` apart."""
    now = timezone.now()
    return [
        PlayFactory(user=user, played_at=now - timedelta(minutes=newest_minutes_ago + n * spacing_minutes))
        for n in range(count)
    ]


def test_the_owner_reads_plays_newest_first_with_track_context_and_the_gaps(api, owner):
    track = TrackFactory(name="Harbour Lights", artist=ArtistFactory(name="The Piers"))
    newest = PlayFactory(
        user=owner,
        track=track,
        played_at=timezone.now() - timedelta(minutes=5),
        context_type="playlist",
        context_uri="spotify:playlist:abc",
    )
    older = PlayFactory(user=owner, played_at=timezone.now() - timedelta(hours=5))
    state = HistoryStateFactory(user=owner, last_error="")
    gap = HistoryGapFactory(user=owner, starts_at=older.played_at, ends_at=newest.played_at)
    api.force_authenticate(owner)

    body = api.get(URL).json()

    assert [play["played_at"] for play in body["results"]] == [
        newest.played_at.isoformat().replace("+00:00", "Z"),
        older.played_at.isoformat().replace("+00:00", "Z"),
    ]
    first = body["results"][0]
    assert first["track"]["name"] == "Harbour Lights" and first["track"]["artists"][0]["name"] == "The Piers"
    assert first["context"] == {"type": "playlist", "uri": "spotify:playlist:abc"}
    assert body["results"][1]["context"] is None
    assert body["gaps"] == [
        {
            "reason": "overflow",
            "description": GapReason.OVERFLOW.label,
            "starts_at": gap.starts_at.isoformat().replace("+00:00", "Z"),
            "ends_at": gap.ends_at.isoformat().replace("+00:00", "Z"),
        }
    ]
    assert body["status"]["since"] == state.first_polled_at.isoformat().replace("+00:00", "Z")
    assert body["status"]["disconnected_since"] is None
    assert (body["next"], body["previous"]) == (None, None)


def test_pages_hold_50_plays_and_list_only_the_gaps_of_their_own_window(api, owner):
    plays = listened(owner, 120)
    open_gap = HistoryGapFactory(
        user=owner, reason=GapReason.DISCONNECTED, starts_at=plays[0].played_at, ends_at=None
    )
    # Between the 70th and 71st newest plays: inside the second page.
    middle = HistoryGapFactory(user=owner, starts_at=plays[70].played_at, ends_at=plays[69].played_at)
    # Between the 50th and 51st: where the first page ends and the second begins.
    boundary = HistoryGapFactory(user=owner, starts_at=plays[50].played_at, ends_at=plays[49].played_at)
    # Before the oldest play: only the last page reaches back there.
    oldest = HistoryGapFactory(
        user=owner,
        starts_at=plays[-1].played_at - timedelta(hours=2),
        ends_at=plays[-1].played_at - timedelta(hours=1),
    )
    api.force_authenticate(owner)

    first = api.get(URL).json()
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()

    assert [len(page["results"]) for page in (first, second, third)] == [50, 50, 20]
    assert third["next"] is None and first["previous"] is None
    seen = [page["results"] for page in (first, second, third)]
    times = [play["played_at"] for page in seen for play in page]
    assert len(set(times)) == 120 and times == sorted(times, reverse=True)

    def starts(page):
        return [gap["starts_at"] for gap in page["gaps"]]

    def iso(gap):
        return gap.starts_at.isoformat().replace("+00:00", "Z")

    assert starts(first) == [iso(open_gap), iso(boundary)]
    assert starts(second) == [iso(boundary), iso(middle)]
    assert starts(third) == [iso(oldest)]
    assert first["gaps"][0]["ends_at"] is None and first["gaps"][0]["reason"] == "disconnected"
    # And back: the previous link of the second page gives the first page again.
    assert api.get(second["previous"]).json()["results"] == first["results"]


def test_a_page_costs_the_same_few_queries_however_many_plays_and_gaps(
    api, owner, django_assert_max_num_queries
):
    for play in listened(owner, 60):
        HistoryGapFactory(user=owner, starts_at=play.played_at, ends_at=play.played_at + timedelta(minutes=1))
    HistoryStateFactory(user=owner)
    api.force_authenticate(owner)

    # Plays with tracks and albums, credits with artists, gaps, state.
    with django_assert_max_num_queries(4):
        body = api.get(URL).json()

    assert len(body["results"]) == 50 and all(play["track"]["artists"] for play in body["results"])


def test_a_stranger_sees_none_of_the_owners_plays_or_gaps_even_with_the_owners_cursor(api, owner):
    listened(owner, 60)
    HistoryGapFactory(user=owner)
    HistoryStateFactory(user=owner)
    api.force_authenticate(owner)
    next_link = api.get(URL).json()["next"]
    api.force_authenticate(UserFactory())

    mine = api.get(URL).json()
    through_cursor = api.get(next_link).json()

    assert (mine["results"], mine["gaps"], mine["status"], mine["next"]) == ([], [], None, None)
    assert (through_cursor["results"], through_cursor["gaps"]) == ([], [])


def test_a_made_up_cursor_is_400_naming_the_parameter(api, owner):
    api.force_authenticate(owner)

    answer = api.get(URL, {"cursor": "not-a-cursor"})

    assert answer.status_code == 400
    assert "Invalid cursor" in answer.json()["cursor"][0]


def test_anonymous_callers_get_401(api, owner):
    listened(owner, 3)

    answer = api.get(URL)

    assert answer.status_code == 401
