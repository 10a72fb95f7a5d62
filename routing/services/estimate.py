"""How long a route of a base will take: its Spotify requests times the measured request rate.

The request count follows the run's shape (routing.services.route) without asking Spotify:
one snapshot check for the base; the artists' genres still to fetch when a child filters
on genres (those neither fresh in the mirror nor in the cache: one request each in
Development mode, one per 50 in Extended mode); one GET per child plus its item pages
beyond the first 100 when the mirror knows its size; and the writes — for a child never
routed, one per 100 base tracks (the most a first run can add), else what its last run wrote.
The rate is the user's own recent runs (their time over their requests); until there are
any, a default that says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from library.models import Artist, ItemKind, PlaylistItem, TrackArtist
from routing.filters import EXTENDED, Metadata, validate_filters
from routing.metadata import ARTIST_TTL, ARTISTS_PER_BATCH, cache_key
from routing.models import BasePlaylist, ChildPlaylist, RouteRun, RouteRunKind
from core.runs import RunStatus
from spotify.reader import ITEMS_PAGE

DEFAULT_SECONDS_PER_REQUEST = 0.25  # a typical Spotify round trip, until the user has runs
RATE_SAMPLE = 10  # recent completed runs the rate is measured on
FIRST_PAGE = 100  # GET /playlists/{id} embeds the first 100 items
WRITE_BATCH = 100


@dataclass(frozen=True)
class RouteEstimate:
    requests: int
    seconds: float
    seconds_per_request: float
    measured: bool  # False: no finished run of this user yet, the rate is a default


def estimate_route(*, base: BasePlaylist) -> RouteEstimate:
    children = list(ChildPlaylist.objects.filter(base=base).select_related("playlist").order_by("position"))
    # Liked Songs is checked through its first page, a playlist through GET /playlists/{id}.
    requests = 1
    requests += _metadata_requests(base=base, children=children)
    tracks = PlaylistItem.objects.filter(playlist_id=base.playlist_id, kind=ItemKind.TRACK).count()
    last_writes = _last_writes(base=base)
    page = ITEMS_PAGE[settings.SPOTIFY_APP_MODE]
    for child in children:
        size = child.playlist.track_count if child.playlist else 0
        requests += 1 + (math.ceil(size / page) if size > FIRST_PAGE else 0)
        written = last_writes.get(child.spotify_id)
        writes = written if written is not None else math.ceil(tracks / WRITE_BATCH)
        # A child about to be written is checked once more just before (one GET).
        requests += writes + (1 if writes else 0)
    seconds_per_request, measured = _rate(user_id=base.user_id)
    return RouteEstimate(
        requests=requests,
        seconds=round(requests * seconds_per_request, 1),
        seconds_per_request=round(seconds_per_request, 3),
        measured=measured,
    )


def _metadata_requests(*, base: BasePlaylist, children: list[ChildPlaylist]) -> int:
    needed: set[str] = set()
    for child in children:
        try:
            needed |= validate_filters(child.filters, mode=settings.SPOTIFY_APP_MODE).needed_metadata
        except Exception:  # invalid in this mode: the run fails before fetching anything
            continue
    if Metadata.ARTIST_GENRES not in needed:
        return 0
    artist_ids = set(
        TrackArtist.objects.filter(
            track__items__playlist_id=base.playlist_id, track__items__kind=ItemKind.TRACK
        ).values_list("artist_id", flat=True)
    )
    fresh = set(
        Artist.objects.filter(
            spotify_id__in=artist_ids, genres_fetched_at__gte=timezone.now() - ARTIST_TTL
        ).values_list("spotify_id", flat=True)
    )
    missing = [artist_id for artist_id in artist_ids if artist_id not in fresh]
    try:
        cached = cache.get_many([cache_key("artist", artist_id) for artist_id in missing])
    except Exception:  # a broken cache: the run will ask Spotify for all of them
        cached = {}
    to_fetch = len(missing) - len(cached)
    if settings.SPOTIFY_APP_MODE == EXTENDED:
        return math.ceil(to_fetch / ARTISTS_PER_BATCH)
    return to_fetch


def _last_writes(*, base: BasePlaylist) -> dict[str, int]:
    """Write requests per child (by Spotify id) in the base's last completed route."""
    last = (
        RouteRun.objects.filter(kind=RouteRunKind.ROUTE, base=base, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .values_list("details", flat=True)
        .first()
    )
    writes = (last or {}).get("writes") or {}
    return {spotify_id: int(w.get("write_requests") or 0) for spotify_id, w in writes.items()}


def _rate(*, user_id: int) -> tuple[float, bool]:
    # Measured on the listener's route runs (their requests are what an estimate counts).
    runs = (
        RouteRun.objects.filter(
            user_id=user_id,
            status=RunStatus.SUCCEEDED,
            spotify_requests__gt=0,
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("started_at", "finished_at", "spotify_requests")[:RATE_SAMPLE]
    )
    seconds = requests = 0.0
    for started, finished, count in runs:
        seconds += (finished - started).total_seconds()
        requests += count
    if not requests:
        return DEFAULT_SECONDS_PER_REQUEST, False
    return seconds / requests, True
