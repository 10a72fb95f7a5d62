"""Reads of a listener's play history: plays newest first, where it may be incomplete, how polling
stands, and how often each track was played (routing's "played at least N times")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from insights.models import HistoryGap, HistoryState, Play
from library.models import TrackArtist


def get_history_state(*, user: User) -> HistoryState | None:
    """None until the first poll was attempted."""
    return HistoryState.objects.filter(user=user).first()


@dataclass(frozen=True)
class PlaySpan:
    """What the stored history holds: how many plays, the oldest and the newest, and how many
    were stored after `recorded_after` (when asked: plays a snapshot taken then has not counted)."""

    count: int
    first_played_at: datetime | None
    last_played_at: datetime | None
    recorded_after: int = 0


def play_span(*, user: User, recorded_after: datetime | None = None) -> PlaySpan:
    """The span of the user's stored plays, in one aggregate query.

    The oldest play is usually older than the first poll: that poll stores the plays Spotify still
    had (its last 50), so pages say "plays from" this date, not from the first poll's."""
    since = {"recorded_after": Count("pk", filter=Q(stored_at__gt=recorded_after))} if recorded_after else {}
    figures = Play.objects.filter(user=user).aggregate(
        count=Count("pk"), first=Min("played_at"), last=Max("played_at"), **since
    )
    return PlaySpan(
        count=figures["count"],
        first_played_at=figures["first"],
        last_played_at=figures["last"],
        recorded_after=figures.get("recorded_after") or 0,
    )


def list_plays(*, user: User) -> QuerySet[Play]:
    """The user's plays, newest first, with track, album and credited artists (a fixed number
    of queries per page, whatever its size)."""
    credits = TrackArtist.objects.select_related("artist").order_by("position")
    return (
        Play.objects.filter(user=user)
        .select_related("track__album")
        .prefetch_related(Prefetch("track__credits", queryset=credits))
        .order_by("-played_at", "-id")
    )


def play_counts(*, user_id: int, track_ids: Iterable[str]) -> dict[str, int]:
    """How often the user played each of these tracks, in one aggregate query; a track never
    played is absent. The plays stored: polled since polling began, and imported from the privacy
    export; a skip (under 30 s, from the export) is not a play."""
    wanted = set(track_ids)
    if not wanted:
        return {}
    rows = (
        Play.objects.filter(user_id=user_id, track_id__in=wanted, skipped=False)
        .order_by()
        .values("track_id")
        .annotate(plays=Count("pk"))
        .values_list("track_id", "plays")
    )
    return dict(rows)


def gaps_around(
    *, user: User, plays: Sequence[Play], newest_page: bool, oldest_page: bool
) -> list[HistoryGap]:
    """The gaps that overlap a page of plays (newest first), newest first.

    A page covers the time from its oldest play to its newest; the newest page reaches up to
    now (an open gap, one after the last play) and the oldest page down to the beginning. A
    gap that straddles two pages is listed on both, next to the plays it separates.
    """
    gaps = HistoryGap.objects.filter(user=user)
    if plays and not newest_page:
        gaps = gaps.filter(starts_at__lte=plays[0].played_at)
    if plays and not oldest_page:
        gaps = gaps.filter(Q(ends_at__isnull=True) | Q(ends_at__gte=plays[-1].played_at))
    return list(gaps.order_by("-starts_at", "-id"))


@dataclass(frozen=True)
class HistoryRow:
    """One line of the history page: a play, or the band of a gap between plays."""

    play: Play | None = None
    gap: HistoryGap | None = None


@dataclass(frozen=True)
class HistoryDay:
    day: date
    rows: list[HistoryRow]


def history_days(*, plays: Sequence[Play], gaps: Sequence[HistoryGap]) -> list[HistoryDay]:
    """Plays (newest first) grouped by local day, each gap placed where it lies: above the
    newest play at or before its start, or after the last play when it starts before all of them.

    A gap's band belongs to the day of the play below it (or of its start, after the last play).
    """
    pending = sorted(gaps, key=lambda gap: gap.starts_at, reverse=True)
    rows: list[tuple[date, HistoryRow]] = []
    for play in plays:
        day = timezone.localdate(play.played_at)
        while pending and pending[0].starts_at >= play.played_at:
            rows.append((day, HistoryRow(gap=pending.pop(0))))
        rows.append((day, HistoryRow(play=play)))
    for gap in pending:
        rows.append((timezone.localdate(gap.starts_at), HistoryRow(gap=gap)))
    days: list[HistoryDay] = []
    for day, row in rows:
        if not days or days[-1].day != day:
            days.append(HistoryDay(day=day, rows=[]))
        days[-1].rows.append(row)
    return days
