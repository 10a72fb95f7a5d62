"""Listening snapshots from the live sandbox: the figures equal what we compute here from what
the sandbox serves (read with plain HTTP, not our client) and from Play rows placed by hand."""

from __future__ import annotations

import math
import threading
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
import requests
from django.db import connection
from django.utils import timezone

from accounts.models import SpotifyCredential
from insights import tasks
from core.runs import RunStatus
from insights.models import ListeningIngest, ListeningSnapshot, Play, TimeRange
from insights.services import ingests
from insights.services.history import poll_history
from insights.services.snapshots import ListeningIngestFailed, ingest_snapshot
from library.models import Artist, Track
from tests.analysis.factories import SongAnalysisFactory
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.library.factories import ArtistFactory, TrackFactory
from tests.insights.factories import PlayFactory
from tests.sync.cluster_support import signed_in
from tests.sync.import_support import set_mode

pytestmark = pytest.mark.django_db
RANGES = ("short_term", "medium_term", "long_term")
FEATURES = (
    "danceability",
    "energy",
    "valence",
    "tempo",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
)


def served(sandbox, path: str, **params) -> dict:
    """GET from the sandbox's Web API as the demo listener, with a token of its own."""
    token = sandbox.issue_token(user="demo")["access_token"]
    answer = requests.get(
        f"{sandbox.api_url}{path}", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    answer.raise_for_status()
    return answer.json()


def top(sandbox, kind: str, time_range: str) -> list[dict]:
    return served(sandbox, f"/me/top/{kind}", time_range=time_range, limit=50)["items"]


def entropy(shares: dict[str, float]) -> float | None:
    p = [v for v in shares.values() if v > 0]
    if not p:
        return None
    return 0.0 if len(p) == 1 else -sum(x * math.log(x) for x in p) / math.log(len(p))


def by_count(counts: Counter) -> dict[str, float]:
    total = sum(counts.values())
    return {key: n / total for key, n in counts.items()}


@pytest.fixture
def demo(sandbox):
    return signed_in(sandbox, "demo")


@pytest.fixture
def sao_paulo(settings):
    # UTC-3 all year (no daylight saving since 2019): local hours differ from UTC ones.
    settings.TIME_ZONE = "America/Sao_Paulo"
    return timezone.get_default_timezone()


def at_local(tz, days_ago: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localtime(timezone.now(), tz).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def test_figures_equal_what_the_sandbox_serves_and_the_stored_plays(sandbox, demo, sao_paulo):
    tracks = {r: top(sandbox, "tracks", r) for r in RANGES}
    artists = {r: top(sandbox, "artists", r) for r in RANGES}
    # Two plays of a song by the short-term top artist, one of another song, one 60 and one
    # 400 days ago: local hours 7, 7, 23 | 12 | 3.
    favourite = ArtistFactory(spotify_id=artists["short_term"][0]["id"])
    by_favourite, other = TrackFactory(artist=favourite), TrackFactory()
    moments = [at_local(sao_paulo, 3, 7, 15), at_local(sao_paulo, 3, 7, 45), at_local(sao_paulo, 10, 23, 5)]
    for moment, track in zip(moments, (by_favourite, by_favourite, other), strict=True):
        PlayFactory(user=demo, track=track, played_at=moment)
    PlayFactory(user=demo, track=other, played_at=at_local(sao_paulo, 60, 12))
    PlayFactory(user=demo, track=other, played_at=at_local(sao_paulo, 400, 3))
    PlayFactory(track=other, played_at=at_local(sao_paulo, 2, 5))  # someone else's: never counted

    stored = ingest_snapshot(user=demo)

    assert [s.time_range for s in stored] == list(RANGES)
    assert ListeningSnapshot.objects.filter(user=demo).count() == 3
    hours = {
        "short_term": {7: 2, 23: 1},
        "medium_term": {7: 2, 23: 1, 12: 1},
        "long_term": {7: 2, 23: 1, 12: 1, 3: 1},
    }
    for snapshot in stored:
        r = snapshot.time_range
        assert snapshot.snapshot_date == timezone.localdate()
        assert [(t["id"], t["rank"]) for t in snapshot.top_tracks] == [
            (t["id"], n) for n, t in enumerate(tracks[r], 1)
        ]
        assert [(a["id"], a["rank"]) for a in snapshot.top_artists] == [
            (a["id"], n) for n, a in enumerate(artists[r], 1)
        ]
        genres = by_count(Counter(g for a in artists[r] for g in set(a["genres"])))
        assert snapshot.genre_distribution == genres
        assert math.isclose(sum(snapshot.genre_distribution.values()), 1.0)
        decades = by_count(Counter(f"{t['album']['release_date'][:3]}0s" for t in tracks[r]))
        assert snapshot.decade_distribution == decades
        assert snapshot.explicit_share == sum(t["explicit"] for t in tracks[r]) / len(tracks[r])
        assert snapshot.hour_of_day == [hours[r].get(h, 0) for h in range(24)]
        assert snapshot.play_count == sum(hours[r].values())
        assert snapshot.genre_diversity == pytest.approx(entropy(genres), abs=1e-12)
        assert 0 < snapshot.genre_diversity < 1
    short = stored[0]
    weekday = at_local(sao_paulo, 3, 7).weekday()
    assert short.weekday_hours[weekday][7] == 2 and sum(map(sum, short.weekday_hours)) == 3
    assert short.top_artists[0]["plays"] == 2  # the two plays of the favourite's song
    # The catalog holds what the ingest met: top artists with their genres, top tracks.
    assert Artist.objects.get(pk=artists["short_term"][0]["id"]).genres == artists["short_term"][0]["genres"]
    assert Track.objects.filter(pk__in=[t["id"] for t in tracks["long_term"]]).count() == len(
        tracks["long_term"]
    )


def test_in_development_mode_moods_are_estimates_from_the_song_analyses(sandbox, demo):
    tracks = {r: [t["id"] for t in top(sandbox, "tracks", r)] for r in RANGES}
    first, second, third, fourth = (
        TrackFactory(spotify_id=i, artist=False) for i in tracks["short_term"][:4]
    )
    SongAnalysisFactory(track=first, mood="happy", energy=0.8)
    SongAnalysisFactory(track=second, mood="happy", energy=0.6)
    SongAnalysisFactory(track=third, mood="sad", energy=0.1)
    SongAnalysisFactory(track=fourth, mood="dark", energy=0.9, prompt_version="song-analysis-v0")  # outdated

    short, medium, _ = ingest_snapshot(user=demo)

    assert short.audio_features is None and short.moods_estimated is True
    assert short.mood_distribution == {"happy": 2 / 3, "sad": 1 / 3}
    assert short.energy_mean == pytest.approx(0.5)
    assert short.analysed_tracks == 3
    assert short.mood_diversity == pytest.approx(entropy({"happy": 2 / 3, "sad": 1 / 3}), abs=1e-12)
    moods = {first.pk: "happy", second.pk: "happy", third.pk: "sad"}
    in_medium = Counter(moods[i] for i in tracks["medium_term"] if i in moods)
    assert medium.mood_distribution == by_count(in_medium) and medium.analysed_tracks == sum(
        in_medium.values()
    )


def test_in_extended_mode_audio_features_are_averaged_and_moods_come_from_valence_and_energy(
    sandbox, demo, settings
):
    set_mode(sandbox, settings, "extended")
    ids = [t["id"] for t in top(sandbox, "tracks", "short_term")]
    features = served(sandbox, "/audio-features", ids=",".join(ids))["audio_features"]

    short = ingest_snapshot(user=demo)[0]

    assert short.moods_estimated is False
    assert set(short.audio_features) == set(FEATURES)
    for name in FEATURES:
        assert short.audio_features[name] == pytest.approx(
            math.fsum(f[name] for f in features) / len(features)
        )
    quadrants = Counter(
        ("happy" if f["energy"] >= 0.5 else "calm")
        if f["valence"] >= 0.5
        else ("tense" if f["energy"] >= 0.5 else "sad")
        for f in features
    )
    assert short.mood_distribution == by_count(quadrants)
    assert short.energy_mean == pytest.approx(short.audio_features["energy"])


def test_when_spotify_refuses_audio_features_the_analyses_stand_in(sandbox, demo, settings):
    set_mode(sandbox, settings, "extended")
    sandbox.fail_next(method="GET", path="/v1/audio-features", status=403)

    short = ingest_snapshot(user=demo)[0]

    assert short.audio_features is None and short.moods_estimated is True


def test_ingesting_twice_updates_the_days_rows_and_never_adds_any(sandbox, demo):
    first = {s.time_range: s for s in ingest_snapshot(user=demo)}
    PlayFactory(user=demo, played_at=timezone.now() - timedelta(hours=2))

    second = {s.time_range: s for s in ingest_snapshot(user=demo)}

    assert ListeningSnapshot.objects.filter(user=demo).count() == 3
    for r in RANGES:
        assert second[r].pk == first[r].pk and second[r].created_at == first[r].created_at
        assert second[r].updated_at > first[r].updated_at
        assert second[r].play_count == first[r].play_count + 1


def test_another_day_adds_three_rows_and_leaves_the_earlier_day_as_it_was(sandbox, demo):
    yesterday = timezone.localdate() - timedelta(days=1)
    # After yesterday ended, whatever the time of day (five minutes ago was yesterday at 00:04).
    now = timezone.localtime()
    today_began = now.replace(hour=0, minute=0, second=0, microsecond=0)
    PlayFactory(user=demo, played_at=today_began + (now - today_began) / 2)

    earlier = ingest_snapshot(user=demo, snapshot_date=yesterday)
    ingest_snapshot(user=demo)

    assert ListeningSnapshot.objects.filter(user=demo).count() == 6
    assert all(s.play_count == 0 for s in earlier)
    assert (
        ListeningSnapshot.objects.get(
            user=demo, snapshot_date=timezone.localdate(), time_range="short_term"
        ).play_count
        == 1
    )


def test_a_revoked_connection_raises_a_domain_error_and_writes_nothing(sandbox):
    user = SpotifyCredentialFactory(reconnect=True).user

    with pytest.raises(ListeningIngestFailed) as failed:
        ingest_snapshot(user=user)

    assert failed.value.reconnect is True and "sign in with Spotify again" in failed.value.reason
    assert not ListeningSnapshot.objects.exists()


def test_a_long_rate_limit_midway_leaves_the_earlier_snapshots_untouched(sandbox, demo):
    before = {s.time_range: (s.updated_at, s.play_count) for s in ingest_snapshot(user=demo)}
    PlayFactory(user=demo)
    # The first artists request is the second one: the short-term tracks are in hand, then a 429.
    sandbox.fail_next(method="GET", path="/v1/me/top/artists", status=429, retry_after=3600, count=5)

    with pytest.raises(ListeningIngestFailed) as failed:
        ingest_snapshot(user=demo)

    assert failed.value.retry_at is not None and failed.value.reconnect is False
    after = {s.time_range: (s.updated_at, s.play_count) for s in ListeningSnapshot.objects.filter(user=demo)}
    assert after == before


def test_the_task_reports_the_ingest_and_a_missing_one(sandbox, demo, queue):
    ingest, _ = ingests.request_ingest(user=demo)

    assert tasks.run_ingest(ingest.pk) == (
        f"listening ingest #{ingest.pk} of user #{demo.pk}: succeeded, 3 snapshots for {timezone.localdate()}"
    )
    assert tasks.run_ingest(ingest.pk).endswith("succeeded, 3 snapshots for " + str(timezone.localdate()))
    assert ListeningSnapshot.objects.filter(user=demo).count() == 3
    assert tasks.run_ingest(987654) == "listening ingest #987654: no such ingest"


def test_an_ingest_asked_for_before_any_history_poll_reads_the_plays_first_so_every_range_has_them(
    sandbox, demo, queue
):
    # A first visit: no poll has run yet, and the listener presses "Ingest now".
    assert not Play.objects.filter(user=demo).exists()
    ingest, _ = ingests.request_ingest(user=demo)

    tasks.run_ingest(ingest.pk)

    recent = served(sandbox, "/me/player/recently-played", limit=50)["items"]
    assert Play.objects.filter(user=demo).count() == len(recent) > 0
    counts = dict(ListeningSnapshot.objects.filter(user=demo).values_list("time_range", "play_count"))
    # The sandbox's newest plays are from the last days: inside every range.
    assert counts == {"short_term": len(recent), "medium_term": len(recent), "long_term": len(recent)}


def test_an_ingest_task_stored_by_an_older_version_becomes_the_listeners_ingest_run(
    sandbox, demo, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        said = tasks.ingest_listening(demo.pk, "2026-03-01")

    ingest = ListeningIngest.objects.get()
    assert said == f"listening ingest of user #{demo.pk}: queued as #{ingest.pk}"
    assert (ingest.user, str(ingest.snapshot_date)) == (demo, "2026-03-01")
    assert queue.calls == [("insights.tasks.run_ingest", ingest.pk)]
    assert tasks.ingest_listening(987654) == "listening ingest of user #987654: no such user"


def test_a_failed_ingest_fails_its_task_with_the_reason(sandbox, demo, queue):
    ingest, _ = ingests.request_ingest(user=demo)
    SpotifyCredential.objects.filter(user=demo).update(expires_at=timezone.now() - timedelta(minutes=1))
    sandbox.revoke(refresh_token=demo.spotify_credential.refresh_token)

    with pytest.raises(tasks.TaskFailed, match="failed"):
        tasks.run_ingest(ingest.pk)

    ingest.refresh_from_db()
    assert ingest.status == RunStatus.FAILED and "revoked" in ingest.error
    # The grant is marked for reconnecting: asking again says so instead of queueing.
    with pytest.raises(ListeningIngestFailed, match="sign in with Spotify"):
        ingests.request_ingest(user=demo)


def test_the_daily_round_queues_a_bulk_task_per_chunk_of_connected_listeners(sandbox, demo, settings, queue):
    settings.LISTENER_ROUND_CHUNK = 2
    SpotifyCredentialFactory(reconnect=True)  # must sign in again: not part of the round
    UserFactory()  # never connected: not part of the round
    others = [SpotifyCredentialFactory().user for _ in range(2)]
    day = timezone.localdate()

    said = tasks.ingest_all_users()

    assert said == f"listening ingest of {day}: 3 listener(s) in 2 task(s)"
    chunk = "insights.tasks.ingest_listening_of"
    assert queue.calls == [
        (chunk, [demo.pk, others[0].pk], day.isoformat(), False),
        (chunk, [others[1].pk], day.isoformat(), False),
    ]
    # Each on the bulk cluster, with its own time limit.
    assert {o["cluster"] for o in queue.options} == {"linernotes-test-bulk"}
    assert all(o["timeout"] == 600 for o in queue.options)
    assert not ListeningSnapshot.objects.exists()  # the round itself reads nothing


def test_a_chunk_of_the_daily_round_ingests_every_listener_and_goes_on_after_a_failure(sandbox, demo):
    # Revoked at Spotify but not known here yet: its ingest fails, and the chunk goes on.
    revoked = signed_in(sandbox, "other")
    SpotifyCredential.objects.filter(user=revoked).update(expires_at=timezone.now() - timedelta(minutes=1))
    sandbox.revoke(refresh_token=revoked.spotify_credential.refresh_token)

    with pytest.raises(tasks.TaskFailed) as failed:
        tasks.ingest_listening_of([revoked.pk, demo.pk], timezone.localdate().isoformat())

    summary = str(failed.value)
    assert summary.startswith("listening ingest: 1 user(s) ingested, 1 failed")
    assert f"user #{revoked.pk}: Spotify access was revoked" in summary
    assert set(ListeningSnapshot.objects.values_list("user_id", flat=True)) == {demo.pk}
    assert ListeningSnapshot.objects.count() == 3


def test_a_chunk_without_failures_reports_what_it_did(sandbox, demo):
    said = tasks.ingest_listening_of([demo.pk], timezone.localdate().isoformat())

    assert said == "listening ingest: 1 user(s) ingested, 0 failed"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_ingests_at_once_leave_one_row_per_range(sandbox):
    user = signed_in(sandbox, "demo")
    barrier, errors = threading.Barrier(2), []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            ingest_snapshot(user=user)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(ListeningSnapshot.objects.filter(user=user).values_list("time_range", flat=True)) == sorted(
        TimeRange.values
    )


def friday_night_after(moment: datetime) -> datetime:
    """The first Friday, 23:50 UTC, after `moment`."""
    day = moment.astimezone(UTC).date() + timedelta(days=1)
    while day.weekday() != 4:
        day += timedelta(days=1)
    return datetime.combine(day, time(23, 50), tzinfo=UTC)


def test_figures_from_a_polled_sandbox_history_equal_hand_computed_values(
    sandbox, demo, settings, time_machine
):
    settings.TIME_ZONE = "UTC"
    # 50 plays half an hour apart, the newest on a Friday at 23:50 UTC: the oldest is Thursday
    # at 23:20. Spotify's last 50 plays are exactly these. The Friday comes after the sandbox's
    # generated history (which ends a day before its now), and our clock goes there with it.
    friday = friday_night_after(sandbox.now() + timedelta(days=1))
    sandbox.add_plays("demo", 50, end=friday.isoformat(), spacing_seconds=1800)
    time_machine.move_to(friday + timedelta(minutes=5), tick=True)
    assert poll_history(user=demo).stored == 50
    first = {s.time_range: s for s in ingest_snapshot(user=demo)}
    # Four of the long-term top tracks analysed: two calm, one dark, one happy.
    top = [entry["id"] for entry in first[TimeRange.LONG].top_tracks[:4]]
    for track_id, mood, energy in zip(
        top, ["calm", "calm", "dark", "happy"], [0.2, 0.4, 0.6, 0.8], strict=True
    ):
        SongAnalysisFactory(track_id=track_id, mood=mood, energy=energy)

    snapshot = {s.time_range: s for s in ingest_snapshot(user=demo)}[TimeRange.LONG]

    # Hand-computed: every hour of Friday holds two plays (:20 and :50), 23:00 also Thursday's two.
    assert snapshot.play_count == 50
    assert snapshot.hour_of_day == [2] * 23 + [4]
    thursday, friday = snapshot.weekday_hours[3], snapshot.weekday_hours[4]
    assert thursday == [0] * 23 + [2] and friday == [2] * 24
    assert sum(map(sum, snapshot.weekday_hours)) == 50
    # Moods of the analysed top tracks: calm 2/4, dark 1/4, happy 1/4; energy (0.2+0.4+0.6+0.8)/4.
    assert snapshot.mood_distribution == {"calm": 0.5, "dark": 0.25, "happy": 0.25}
    assert snapshot.analysed_tracks == 4 and snapshot.moods_estimated is True
    assert snapshot.energy_mean == pytest.approx(0.5)
    # Normalised Shannon entropy: -(0.5 ln 0.5 + 2 × 0.25 ln 0.25) / ln 3 = 1.0397208 / 1.0986123.
    assert snapshot.mood_diversity == pytest.approx(0.9463946, abs=1e-7)
    assert ListeningSnapshot.objects.filter(user=demo).count() == 3  # the second ingest updated
