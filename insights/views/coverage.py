"""Why a snapshot counts no plays, in the listener's words and from their data: the history
Linernotes holds, when it started and last collected, and when the snapshot was taken.

A snapshot's play figures come from the plays Linernotes stored, not from Spotify's own
top lists (which cover Spotify's windows and carry no counts). Spotify gives only a listener's
newest 50 plays, so a new listener's history may begin weeks ago and end there."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format

from insights.models import HistoryState, ListeningSnapshot, TimeRange
from insights.selectors import PlaySpan
from insights.services.snapshots import WINDOW_DAYS


def window_start(snapshot: ListeningSnapshot) -> datetime | None:
    """Where the snapshot's play window began (None: every stored play), as the ingest set it:
    its days back from when it was taken, or from the end of its day for a past day's snapshot."""
    days = WINDOW_DAYS[snapshot.time_range]
    if days is None:
        return None
    day_end = datetime.combine(
        snapshot.snapshot_date + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone()
    )
    return min(snapshot.updated_at, day_end) - timedelta(days=days)


def no_plays_reason(*, snapshot: ListeningSnapshot, span: PlaySpan, state: HistoryState | None) -> str:
    """One or two sentences on why `snapshot` counts no plays; `span` was read with
    `recorded_after=snapshot.updated_at`."""
    label = TimeRange(snapshot.time_range).label.lower()
    polled = state is not None and state.first_polled_at is not None
    if span.count == 0 and not polled:
        return (
            "Linernotes has not collected your plays from Spotify yet. It does every hour; the first "
            "collection brings the newest 50 plays Spotify keeps, and every later one what you played since."
        )
    if span.count == 0:
        return (
            "Spotify had no plays to give when Linernotes last collected them "
            f"({_when(state.last_polled_at)}). "
            "What you play from now on appears after the next hourly collection."
        ) + _connection(state)
    start = window_start(snapshot)
    if start is not None and span.last_played_at < start:
        since = (
            f" Linernotes has collected your plays every hour since {_when(state.first_polled_at)}; "
            "before that, Spotify gives only your newest 50 plays, so older listening cannot be read."
            if polled
            else ""
        )
        return (
            f"Your newest recorded play is from {_day(span.last_played_at)}, before the {label} this "
            f"snapshot covers (from {_day(start)}).{since}"
        ) + _connection(state)
    if span.recorded_after:
        plays = f"{span.recorded_after} play{'s' if span.recorded_after != 1 else ''}"
        return (
            f"This snapshot was taken {_when(snapshot.updated_at)}, before {plays} recorded since: "
            "the next snapshot (every night, or Ingest now) counts them."
        )
    return f"None of your {span.count} recorded plays falls in the {label} this snapshot covers."


def _connection(state: HistoryState | None) -> str:
    if state is None:
        return ""
    if state.disconnected_at is not None:
        return (
            f" Spotify has refused access since {_when(state.disconnected_at)}: "
            "sign in with Spotify again on the dashboard."
        )
    return ""


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    return date_format(timezone.localtime(moment), "j F Y, H:i")
