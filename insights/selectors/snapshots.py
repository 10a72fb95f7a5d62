"""Reads of listening snapshots, always scoped to one user."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet

from accounts.models import User
from insights.models import ListeningSnapshot
from library.models import Artist

# The figures a trend chart reads; the big JSON fields stay in the database.
TREND_FIELDS = (
    "snapshot_date",
    "time_range",
    "mood_distribution",
    "energy_mean",
    "mood_diversity",
    "genre_diversity",
)


def snapshots_of(
    *, user: User, time_range: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[ListeningSnapshot]:
    """The user's snapshots, newest day first, optionally one range and a day span (inclusive)."""
    found = ListeningSnapshot.objects.filter(user=user)
    if time_range:
        found = found.filter(time_range=time_range)
    if date_from:
        found = found.filter(snapshot_date__gte=date_from)
    if date_to:
        found = found.filter(snapshot_date__lte=date_to)
    return found.order_by("-snapshot_date", "time_range")


def latest_snapshot(*, user: User, time_range: str) -> ListeningSnapshot | None:
    return snapshots_of(user=user, time_range=time_range).first()


def snapshot_trend(*, user: User, time_range: str, days: int = 60) -> list[ListeningSnapshot]:
    """The last `days` snapshots of one range, oldest first, with only the trend figures."""
    newest = list(snapshots_of(user=user, time_range=time_range).only(*TREND_FIELDS)[:days])
    return newest[::-1]


def artist_names(*, artist_ids: Iterable[str]) -> dict[str, str]:
    """Catalog names of these artists (shared rows, no personal data), in one query."""
    ids = set(artist_ids)
    if not ids:
        return {}
    return dict(Artist.objects.filter(spotify_id__in=ids).values_list("spotify_id", "name"))
