"""Play history: poll each listener's recently-played list, store every play once, mark the gaps.

Spotify keeps only a listener's last 50 plays. We ask for the plays after our cursor (the
newest play stored, in ms) and store them; the unique (user, track, played_at) constraint
makes overlapping or repeated polls harmless. What we cannot see, we say:

- First successful poll: no gap. History simply starts there (HistoryState.first_polled_at).
- Overflow: a poll after a cursor that gets a full page (50 plays) cannot tell whether more
  plays happened since the cursor. Plays may be missing between the cursor and the oldest play
  received: HistoryGap(overflow, starts_at=cursor, ends_at=that oldest play).
- Disconnected: a poll refused because the grant is gone (ReconnectNeeded), or because Spotify
  does not serve the listener (NotAllowlisted), opens one gap
  (reason disconnected, starts_at = the cursor, or the last poll when nothing was stored yet,
  ends_at null) and sets disconnected_at the first time; later refusals change neither. The
  next successful poll closes it. A full page: ends_at = the oldest play received, as plays
  before it may be lost. Otherwise every play since the cursor came back (Spotify still had
  them), so nothing is missing and the gap is deleted rather than shown.
- Rate limits and Spotify failures only set last_error: the cursor stays where it was, so the
  next poll fetches what this one missed, and a full page there records an overflow gap.

Everything is fetched before the one transaction that writes the plays, the gap and the state.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import SpotifyPause, User
from core.queues import BULK
from core.schedules import schedule_once
from insights.models import GapReason, HistoryGap, HistoryState, Play
from library.services import upsert_catalog
from spotify import api
from spotify.client import get_spotify_client
from spotify.errors import (
    NotAllowlisted,
    ReconnectNeeded,
    SpotifyMisconfigured,
    SpotifyRateLimited,
    SpotifyRefused,
    SpotifyUnavailable,
    describe,
)
from spotify.parsing import RECENTLY_PLAYED_PAGE, ReceivedPage, ReceivedPlay, parse_recently_played

logger = logging.getLogger(__name__)

PAGE_SIZE = RECENTLY_PLAYED_PAGE  # Spotify's most; a full page may not hold every play since the cursor
ERROR_LIMIT = 500
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The round postponed by Spotify's pause runs again under this ONCE schedule (one at a time).
POLL_ALL_TASK = "insights.tasks.poll_all_histories"
POLL_AFTER_PAUSE = f"insights-history-poll{SpotifyPause.SCHEDULE_SUFFIX}"


class PollOutcome(StrEnum):
    POLLED = "polled"
    DISCONNECTED = "disconnected"
    RATE_LIMITED = "rate_limited"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class PollResult:
    outcome: PollOutcome
    received: int = 0  # plays in Spotify's answer
    stored: int = 0  # of those, new to us
    gap: HistoryGap | None = None  # the gap this poll opened, extended or closed
    gap_deleted: bool = False  # a disconnected gap found to have lost nothing
    error: str = ""


@dataclass
class PollSummary:
    """What one round over every connected listener did."""

    outcomes: dict[str, int] = field(default_factory=lambda: {outcome.value: 0 for outcome in PollOutcome})
    stored: int = 0
    resumes_at: datetime | None = None  # Spotify paused us: the round runs again then

    def add(self, result: PollResult) -> None:
        self.outcomes[result.outcome.value] += 1
        self.stored += result.stored

    def __str__(self) -> str:
        counts = ", ".join(
            f"{count} {name.replace('_', ' ')}" for name, count in self.outcomes.items() if count
        )
        resumes = f"; the rest at {self.resumes_at.isoformat(timespec='seconds')}" if self.resumes_at else ""
        return f"history polls: {counts or 'no listeners'}; {self.stored} new play(s){resumes}"


def poll_history(*, user: User) -> PollResult:
    """Fetch `user`'s plays since the cursor and store them, with any gap; never raises Spotify errors."""
    state, _ = HistoryState.objects.get_or_create(user=user)
    cursor = state.cursor_played_at
    try:
        with get_spotify_client(user=user) as client:
            answer = api.recently_played(
                client=client, limit=PAGE_SIZE, after_ms=_ms(cursor) if cursor is not None else None
            )
    except ReconnectNeeded as exc:
        return _record_disconnection(user=user, reason=exc.reason)
    except NotAllowlisted as exc:
        # As good as disconnected for the history: Spotify serves none of it until the operator
        # lists the listener, so plays past its last 50 are lost meanwhile; the gap says so.
        return _record_disconnection(user=user, reason=describe(exc))
    except SpotifyRateLimited as exc:
        return _record_failure(user=user, outcome=PollOutcome.RATE_LIMITED, error=describe(exc))
    except (SpotifyUnavailable, SpotifyMisconfigured) as exc:
        return _record_failure(user=user, outcome=PollOutcome.FAILED, error=describe(exc))
    except SpotifyRefused as exc:
        # A 403 (the recently-played scope was not granted) or another refusal on purpose.
        error = f"Spotify refused the history request: {describe(exc)}"
        return _record_failure(user=user, outcome=PollOutcome.FAILED, error=error)
    return _store(user=user, fetched_after=cursor, page=parse_recently_played(answer))


def poll_all_histories(*, user_ids: Sequence[int] | None = None) -> PollSummary:
    """Poll every listener with a Spotify credential (of `user_ids`: one chunk of the hourly
    round, insights.services.rounds), one after another.

    A credential marked for reconnecting is polled too: get_spotify_client refuses it without
    a request, which is how its disconnected gap gets recorded. One listener's failure never
    stops the others. Spotify's quota is the deployment's: while it has asked us to pause (or
    once it does, mid-round), nobody else is asked, and the round is postponed as a whole to
    the pause's end (their last_error says so), so no play window is skipped for long.
    """
    summary = PollSummary()
    paused_until = account_selectors.spotify_paused_until()
    users = User.objects.filter(spotify_credential__isnull=False).select_related("spotify_credential")
    if user_ids is not None:
        users = users.filter(pk__in=user_ids)
    for user in users.order_by("pk").iterator(chunk_size=200):
        if paused_until is not None:
            summary.add(_record_failure(user=user, outcome=PollOutcome.SKIPPED, error=_paused(paused_until)))
            continue
        try:
            result = poll_history(user=user)
        except Exception:
            # A bug or a database hiccup for one listener: logged, and the round goes on.
            logger.exception("History poll of user %s failed", user.pk)
            result = _record_failure(
                user=user, outcome=PollOutcome.FAILED, error="The poll stopped on an unexpected error."
            )
        if result.outcome == PollOutcome.RATE_LIMITED:
            # Short 429s leave no pause behind; the round still stops, for a little while.
            paused_until = account_selectors.spotify_paused_until() or timezone.now() + timedelta(
                seconds=settings.SPOTIFY_MIN_POSTPONE
            )
        summary.add(result)
    if paused_until is not None:
        summary.resumes_at = paused_until
        schedule_once(POLL_ALL_TASK, at=paused_until, name=POLL_AFTER_PAUSE, queue=BULK)
    return summary


def _paused(until: datetime) -> str:
    return f"Not polled: Spotify asked this server to pause until {timezone.localtime(until):%H:%M %Z}; polled then."


def _store(*, user: User, fetched_after: datetime | None, page: ReceivedPage) -> PollResult:
    now = timezone.now()
    with transaction.atomic():
        # Serialises two polls of the same listener (a schedule and a manual run) on PostgreSQL.
        state = HistoryState.objects.select_for_update().get(user=user)
        upsert_catalog(
            artists=page.catalog.artists.values(),
            albums=page.catalog.albums.values(),
            tracks=page.catalog.tracks.values(),
        )
        stored = _insert_plays(user=user, plays=page.plays)
        gap, gap_deleted = None, False
        open_gap = HistoryGap.objects.filter(user=user, ends_at__isnull=True).first()
        if open_gap is not None:
            gap = open_gap
            if page.full:
                open_gap.ends_at = max(page.oldest, open_gap.starts_at)
                open_gap.save(update_fields=["ends_at"])
            else:
                open_gap.delete()
                gap_deleted = True
        elif page.full and state.cursor_played_at == fetched_after:
            # Not when another poll moved the cursor meanwhile: it judged this window already.
            since = fetched_after or (state.last_polled_at if state.first_polled_at else None)
            if since is not None:
                gap = HistoryGap.objects.create(
                    user=user, reason=GapReason.OVERFLOW, starts_at=since, ends_at=max(page.oldest, since)
                )
        if page.newest is not None and (
            state.cursor_played_at is None or page.newest > state.cursor_played_at
        ):
            state.cursor_played_at = page.newest
        state.first_polled_at = state.first_polled_at or now
        state.last_polled_at = state.last_attempt_at = now
        state.last_error = ""
        state.disconnected_at = None
        state.save()
    return PollResult(
        outcome=PollOutcome.POLLED, received=page.count, stored=stored, gap=gap, gap_deleted=gap_deleted
    )


def _insert_plays(*, user: User, plays: list[ReceivedPlay]) -> int:
    """Insert the plays not stored yet; returns how many that was (at most 50, so one look-up)."""
    if not plays:
        return 0
    known = set(
        Play.objects.filter(user=user, played_at__in={play.played_at for play in plays}).values_list(
            "track_id", "played_at"
        )
    )
    rows = {
        (play.track_id, play.played_at): Play(
            user=user,
            track_id=play.track_id,
            played_at=play.played_at,
            context_type=play.context_type,
            context_uri=play.context_uri,
        )
        for play in plays
        if (play.track_id, play.played_at) not in known
    }
    # The constraint still decides: a concurrent poll's rows are skipped, never doubled.
    Play.objects.bulk_create(rows.values(), ignore_conflicts=True)
    return len(rows)


def close_covered_gaps(*, user: User, start: datetime, end: datetime) -> int:
    """The gaps an imported export covers: it holds every play from `start` to `end` (its first
    and last), so a gap inside that window is deleted and one reaching into it shrinks to what
    lies outside. A window inside a single gap leaves it as it is (it would split in two).
    Returns how many gaps were deleted or shrunk."""
    changed = 0
    with transaction.atomic():
        overlapping = HistoryGap.objects.select_for_update().filter(user=user, starts_at__lt=end)
        for gap in overlapping.exclude(ends_at__lte=start):
            starts_inside = gap.starts_at >= start
            ends_inside = gap.ends_at is not None and gap.ends_at <= end
            if starts_inside and ends_inside:
                gap.delete()
            elif starts_inside:
                gap.starts_at = end  # an open gap (disconnected) stays open, from the export's end
                gap.save(update_fields=["starts_at"])
            elif ends_inside:
                gap.ends_at = start
                gap.save(update_fields=["ends_at"])
            else:
                continue
            changed += 1
    return changed


def _record_disconnection(*, user: User, reason: str) -> PollResult:
    now = timezone.now()
    with transaction.atomic():
        state = HistoryState.objects.select_for_update().get(user=user)
        state.last_attempt_at = now
        state.last_error = reason[:ERROR_LIMIT]
        state.disconnected_at = state.disconnected_at or now
        state.save(update_fields=["last_attempt_at", "last_error", "disconnected_at"])
        since = state.cursor_played_at or state.last_polled_at
        if since is not None:
            # At most one open gap per user (a partial unique index): a second refusal adds nothing.
            HistoryGap.objects.bulk_create(
                [HistoryGap(user=user, reason=GapReason.DISCONNECTED, starts_at=since)], ignore_conflicts=True
            )
    gap = HistoryGap.objects.filter(user=user, ends_at__isnull=True).first()
    return PollResult(outcome=PollOutcome.DISCONNECTED, gap=gap, error=reason)


def _record_failure(*, user: User, outcome: PollOutcome, error: str) -> PollResult:
    HistoryState.objects.update_or_create(
        user=user, defaults={"last_attempt_at": timezone.now(), "last_error": error[:ERROR_LIMIT]}
    )
    return PollResult(outcome=outcome, error=error)


def _ms(moment: datetime) -> int:
    # Integer arithmetic: a float timestamp can land 1 ms short, and the exclusive `after`
    # cursor would then hand back the cursor's own play (and make 49 new plays look like 50).
    return (moment - EPOCH) // timedelta(milliseconds=1)

