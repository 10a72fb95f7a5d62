"""Reads of listening snapshots, always scoped to one user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

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


def latest_snapshots(*, user: User) -> dict[str, ListeningSnapshot]:
    """The newest snapshot of each range the user has, by range, in one query (the page picks the
    range to open on from their play counts)."""
    newest_day = (
        ListeningSnapshot.objects.filter(user=user, time_range=OuterRef("time_range"))
        .order_by("-snapshot_date")
        .values("snapshot_date")[:1]
    )
    rows = ListeningSnapshot.objects.filter(user=user, snapshot_date=Subquery(newest_day))
    return {row.time_range: row for row in rows}


def snapshot_trend(*, user: User, time_range: str, days: int = 60) -> list[ListeningSnapshot]:
    """The last `days` snapshots of one range, oldest first, with only the trend figures."""
    newest = list(snapshots_of(user=user, time_range=time_range).only(*TREND_FIELDS)[:days])
    return newest[::-1]


@dataclass(frozen=True)
class CatalogArtist:
    name: str
    has_genres: bool  # Spotify gave at least one genre for the artist


def catalog_artists(*, artist_ids: Iterable[str]) -> dict[str, CatalogArtist]:
    """Name and whether Spotify gave any genre, for these artists (shared catalog rows), in one
    query. An artist missing from the catalog is missing from the answer."""
    ids = set(artist_ids)
    if not ids:
        return {}
    rows = Artist.objects.filter(spotify_id__in=ids).values_list("spotify_id", "name", "genres")
    return {artist_id: CatalogArtist(name=name, has_genres=bool(genres)) for artist_id, name, genres in rows}
