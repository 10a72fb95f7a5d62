"""Polling play history against the live sandbox: new plays stored once, and the gaps recorded
where Spotify's 50-play memory or a lost connection may have cost us plays."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import requests
from django.utils import timezone

from django_q.models import Schedule

from accounts.models import SpotifyCredential, SpotifyPause
from insights.models import GapReason, HistoryGap, HistoryState, Play
from insights.services.history import POLL_AFTER_PAUSE, PollOutcome, poll_all_histories, poll_history
from library.models import Track
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.sync.cluster_support import reconnect, signed_in

pytestmark = pytest.mark.django_db

RECENT = "/v1/me/player/recently-played*"


def window(sandbox, user: str = "demo") -> list[dict]:
    """What Spotify holds for `user` right now: the newest 50 plays, newest first."""
    token = sandbox.issue_token(user=user)["access_token"]
    answer = requests.get(
        f"{sandbox.api_url}/me/player/recently-played",
        params={"limit": 50},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return answer.json()["items"]


def at(played_at: str) -> datetime:
    return datetime.fromisoformat(played_at)


def stored_times(user) -> list[datetime]:
    return list(Play.objects.filter(user=user).order_by("-played_at").values_list("played_at", flat=True))


def lose_connection(sandbox, user) -> None:
    """The access token expired and the refresh token was revoked (the user removed the app)."""
    credential = SpotifyCredential.objects.get(user=user)
    sandbox.revoke(refresh_token=credential.refresh_token)
    SpotifyCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() - timedelta(hours=1))


def test_the_first_poll_stores_the_newest_50_plays_and_starts_history_without_a_gap(sandbox):
    user = signed_in(sandbox, "demo")
    expected = window(sandbox)

    result = poll_history(user=user)

    state = HistoryState.objects.get(user=user)
    assert (result.outcome, result.received, result.stored) == (PollOutcome.POLLED, 50, 50)
    assert stored_times(user) == [at(item["played_at"]) for item in expected]
    assert not HistoryGap.objects.filter(user=user).exists()
    assert state.first_polled_at == state.last_polled_at is not None
    assert state.cursor_played_at == at(expected[0]["played_at"]) and state.last_error == ""
    # The catalog now holds the played tracks, with their artists; the context is kept.
    newest = Play.objects.select_related("track").get(user=user, played_at=state.cursor_played_at)
    assert newest.track.spotify_id == expected[0]["track"]["id"]
    assert [c.artist_id for c in newest.track.credits.order_by("position")] == [
        artist["id"] for artist in expected[0]["track"]["artists"]
    ]
    with_context = next(item for item in expected if item["context"])
    row = Play.objects.get(user=user, played_at=at(with_context["played_at"]))
    assert (row.context_type, row.context_uri) == (
        with_context["context"]["type"],
        with_context["context"]["uri"],
    )


def test_a_poll_after_ten_new_plays_stores_those_ten_and_records_no_gap(sandbox):
    user = signed_in(sandbox, "demo")
    poll_history(user=user)

    added = sandbox.add_plays("demo", 10)
    result = poll_history(user=user)

    assert (result.received, result.stored, result.gap) == (10, 10, None)
    assert stored_times(user)[:10] == [at(play["played_at"]) for play in added["plays"]]
    assert Play.objects.filter(user=user).count() == 60
    assert not HistoryGap.objects.filter(user=user).exists()
    assert HistoryState.objects.get(user=user).cursor_played_at == at(added["plays"][0]["played_at"])


def test_a_poll_after_eighty_new_plays_stores_50_and_records_an_overflow_gap_between_them(sandbox):
    user = signed_in(sandbox, "demo")
    poll_history(user=user)
    cursor = HistoryState.objects.get(user=user).cursor_played_at

    added = sandbox.add_plays("demo", 80)
    result = poll_history(user=user)

    (gap,) = HistoryGap.objects.filter(user=user)
    assert (result.received, result.stored, result.gap) == (50, 50, gap)
    assert Play.objects.filter(user=user).count() == 100
    # The 30 oldest new plays fell out of Spotify's memory: they lie inside the gap.
    assert (gap.reason, gap.starts_at, gap.ends_at) == (
        GapReason.OVERFLOW,
        cursor,
        at(added["plays"][49]["played_at"]),
    )
    assert not Play.objects.filter(user=user, played_at__gt=gap.starts_at, played_at__lt=gap.ends_at).exists()


def test_polling_again_or_from_an_older_cursor_never_stores_a_play_twice(sandbox):
    user = signed_in(sandbox, "demo")
    poll_history(user=user)

    again = poll_history(user=user)
    assert (again.received, again.stored) == (0, 0)

    # A cursor set back (a restored backup, a replayed task) makes the pages overlap.
    added = sandbox.add_plays("demo", 5)
    older = stored_times(user)[20]
    HistoryState.objects.filter(user=user).update(cursor_played_at=older)
    overlapping = poll_history(user=user)

    times = stored_times(user)
    assert (overlapping.received, overlapping.stored) == (25, 5)
    assert len(times) == len(set(times)) == 55
    assert times[:5] == [at(play["played_at"]) for play in added["plays"]]
    assert not HistoryGap.objects.filter(user=user).exists()


def test_a_lost_connection_opens_one_gap_and_a_reconnect_that_lost_nothing_deletes_it(sandbox):
    user = signed_in(sandbox, "demo")
    poll_history(user=user)
    cursor = HistoryState.objects.get(user=user).cursor_played_at
    lose_connection(sandbox, user)

    refused = poll_history(user=user)
    first_refusal = HistoryState.objects.get(user=user).disconnected_at
    poll_history(user=user)  # still refused: nothing more is recorded

    (gap,) = HistoryGap.objects.filter(user=user)
    state = HistoryState.objects.get(user=user)
    assert refused.outcome == PollOutcome.DISCONNECTED and refused.gap == gap
    assert (gap.reason, gap.starts_at, gap.ends_at) == (GapReason.DISCONNECTED, cursor, None)
    assert state.disconnected_at == first_refusal is not None and state.last_error
    assert SpotifyCredential.objects.get(user=user).reconnect_needed

    added = sandbox.add_plays("demo", 10)
    reconnect(sandbox, user)
    back = poll_history(user=user)

    state = HistoryState.objects.get(user=user)
    # Every play since the cursor was still on Spotify: nothing is missing, so no gap is shown.
    assert (back.outcome, back.stored, back.gap_deleted) == (PollOutcome.POLLED, 10, True)
    assert not HistoryGap.objects.filter(user=user).exists()
    assert state.disconnected_at is None and state.last_error == ""
    assert stored_times(user)[:10] == [at(play["played_at"]) for play in added["plays"]]


def test_history_polling_across_a_simulated_token_expiry_records_a_gap_and_stores_no_play_twice(sandbox):
    user = signed_in(sandbox, "demo")
    poll_history(user=user)
    cursor = HistoryState.objects.get(user=user).cursor_played_at
    lose_connection(sandbox, user)
    poll_history(user=user)

    added = sandbox.add_plays("demo", 70)
    reconnect(sandbox, user)
    back = poll_history(user=user)
    poll_history(user=user)  # and once more, with nothing new

    (gap,) = HistoryGap.objects.filter(user=user)
    times = stored_times(user)
    # 70 plays while disconnected: the 20 oldest are gone, so the gap closes at the oldest one received.
    assert (gap.reason, gap.starts_at, gap.ends_at) == (
        GapReason.DISCONNECTED,
        cursor,
        at(added["plays"][49]["played_at"]),
    )
    assert back.stored == 50 and back.gap == gap and not back.gap_deleted
    assert len(times) == len(set(times)) == 100


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        ({"status": 429, "retry_after": 3600}, PollOutcome.RATE_LIMITED),
        ({"status": 503, "count": 3}, PollOutcome.FAILED),
        (
            {"status": 403, "body": {"error": {"status": 403, "message": "Insufficient client scope"}}},
            PollOutcome.FAILED,
        ),
    ],
)
def test_a_failed_poll_records_why_and_keeps_the_cursor_so_the_next_one_catches_up(sandbox, fault, outcome):
    user = signed_in(sandbox, "demo")
    poll_history(user=user)
    cursor = HistoryState.objects.get(user=user).cursor_played_at
    added = sandbox.add_plays("demo", 10)
    sandbox.fail_next(method="GET", path=RECENT, **{"count": 1, **fault})

    failed = poll_history(user=user)

    state = HistoryState.objects.get(user=user)
    assert failed.outcome == outcome and failed.error and state.last_error == failed.error[:500]
    assert state.cursor_played_at == cursor and state.last_attempt_at > state.last_polled_at
    assert not HistoryGap.objects.filter(user=user).exists()

    SpotifyPause.objects.all().delete()  # the pause a long Retry-After left is over
    caught_up = poll_history(user=user)

    assert (caught_up.outcome, caught_up.stored) == (PollOutcome.POLLED, 10)
    assert stored_times(user)[0] == at(added["plays"][0]["played_at"])
    assert HistoryState.objects.get(user=user).last_error == ""


def test_polling_everyone_covers_each_connected_listener_and_one_failure_stops_no_one(sandbox):
    demo = signed_in(sandbox, "demo")
    other = signed_in(sandbox, "other")
    revoked = SpotifyCredentialFactory(reconnect=True).user
    UserFactory()  # never connected: not polled

    summary = poll_all_histories()

    assert summary.outcomes["polled"] == 2 and summary.outcomes["disconnected"] == 1
    assert str(summary) == "history polls: 2 polled, 1 disconnected; 100 new play(s)"
    assert Play.objects.filter(user=demo).count() == Play.objects.filter(user=other).count() == 50
    never_polled = HistoryState.objects.get(user=revoked)
    # Disconnected before its first poll: noted, but there is no history yet to have a gap in.
    assert never_polled.disconnected_at is not None and never_polled.first_polled_at is None
    assert not HistoryGap.objects.exists()
    assert HistoryState.objects.count() == 3


def test_after_spotifys_rate_limit_the_round_asks_for_no_one_else_and_runs_again_when_it_ends(sandbox):
    first = signed_in(sandbox, "demo")
    second = signed_in(sandbox, "other")
    sandbox.fail_next(method="GET", path=RECENT, status=429, retry_after=3600)
    sandbox.control("DELETE", "counters")

    summary = poll_all_histories()

    assert summary.outcomes["rate_limited"] == 1 and summary.outcomes["skipped"] == 1
    assert sandbox.counters()["by_route"].get("GET /v1/me/player/recently-played") == 1
    assert HistoryState.objects.get(user=first).last_error.startswith(
        "Spotify asked this Linernotes server to pause until"
    )
    assert HistoryState.objects.get(user=second).last_error.startswith("Not polled: Spotify asked this server to pause")
    assert not Play.objects.exists() and Track.objects.count() == 0
    # Postponed, not dropped: the whole round runs again at the pause's end.
    pause = SpotifyPause.objects.get()
    assert summary.resumes_at == pause.until
    assert Schedule.objects.get(name=POLL_AFTER_PAUSE).next_run == pause.until


def test_while_spotify_is_paused_the_round_sends_nothing(sandbox):
    signed_in(sandbox, "demo")
    SpotifyPause.objects.create(until=timezone.now() + timedelta(hours=14), reason="quota", retry_after=50_400)
    sandbox.control("DELETE", "counters")

    summary = poll_all_histories()

    assert summary.outcomes["skipped"] == 1 and sandbox.counters()["total"] == 0
