"""Genres for routing: fetched per mode at the fewest requests, cached, written back, and a
broken cache costs requests but never the run."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from library.models import Artist, TrackArtist
from core.runs import RunStatus
from tests.routing.failing_cache import FAILING_CACHE_SETTINGS
from tests.routing.route_support import (
    ARTIST_ROUTE,
    ARTISTS_BATCH_ROUTE,
    SpotifyAs,
    add_child,
    imported_base,
    route,
    unique,
)
from tests.sync.import_support import requests_since, route_counts

pytestmark = pytest.mark.django_db

FAILING_CACHE = FAILING_CACHE_SETTINGS


def base_artists(base) -> list[str]:
    return unique(
        list(
            TrackArtist.objects.filter(track__items__playlist=base.playlist)
            .order_by("artist_id")
            .values_list("artist_id", flat=True)
        )
    )


def genre_child(sandbox, base, spotify: SpotifyAs):
    """A child on the base's most common one-word genre; returns (child, expected track ids)."""
    tracks = spotify.tracks(base.playlist.spotify_id)
    genres = {a["id"]: spotify.artist_genres(a["id"]) for obj in tracks for a in obj["artists"]}
    common = Counter(g for labels in genres.values() for g in labels if re.fullmatch(r"[a-z]+", g))
    term = common.most_common(1)[0][0]

    def has(label: str) -> bool:
        return term in re.findall(r"[a-z0-9]+", label)

    expected = unique(
        [obj["id"] for obj in tracks if any(has(g) for a in obj["artists"] for g in genres[a["id"]])]
    )
    assert 0 < len(expected) < len(unique([obj["id"] for obj in tracks]))
    filters = {"match": "all", "conditions": [{"field": "genre", "op": "any_of", "value": [term]}]}
    return add_child(sandbox, base, name=f"Only {term}", filters=filters), expected


@pytest.mark.parametrize("mode", ["development", "extended"])
def test_genres_are_fetched_one_artist_a_request_in_development_and_fifty_a_request_in_extended(
    sandbox, settings, mode
):
    user, base = imported_base(sandbox, settings, mode=mode)
    spotify = SpotifyAs(sandbox)
    child, expected = genre_child(sandbox, base, spotify)
    artists = base_artists(base)
    before = route_counts(sandbox)

    event = route(base)

    assert event.status == RunStatus.SUCCEEDED, event.error
    made = requests_since(before, sandbox)
    if mode == "development":
        assert made.get(ARTIST_ROUTE) == len(artists) and ARTISTS_BATCH_ROUTE not in made
    else:
        assert made.get(ARTISTS_BATCH_ROUTE) == math.ceil(len(artists) / 50) and ARTIST_ROUTE not in made
    assert spotify.track_ids(child.spotify_id) == expected
    assert event.details["cache"]["misses"] == len(artists)
    # Written back to the mirror, so the next run asks nobody.
    fetched = Artist.objects.filter(spotify_id__in=artists, genres_fetched_at__isnull=False)
    assert fetched.count() == len(artists)
    before = route_counts(sandbox)
    again = route(base)
    made = requests_since(before, sandbox)
    assert ARTIST_ROUTE not in made and ARTISTS_BATCH_ROUTE not in made
    assert again.details["cache"]["mirror"] == len(artists)


def test_genres_the_mirror_lost_are_served_from_the_cache_without_a_request(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child, expected = genre_child(sandbox, base, spotify)
    artists = base_artists(base)
    assert route(base).status == RunStatus.SUCCEEDED
    fetched = dict(Artist.objects.filter(spotify_id__in=artists).values_list("spotify_id", "genres_fetched_at"))
    Artist.objects.filter(spotify_id__in=artists).update(genres=[], genres_fetched_at=None)
    before = route_counts(sandbox)

    event = route(base)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert ARTIST_ROUTE not in requests_since(before, sandbox)
    assert (event.details["cache"]["hits"], event.details["cache"]["misses"]) == (len(artists), 0)
    assert event.details["cache"]["hit_rate"] == 1.0
    assert spotify.track_ids(child.spotify_id) == expected
    # What the cache answered is back in the mirror, dated when Spotify said it, so the next
    # run needs neither the cache nor Spotify.
    restored = dict(Artist.objects.filter(spotify_id__in=artists).values_list("spotify_id", "genres_fetched_at"))
    assert restored == fetched
    again = route(base)
    assert (again.details["cache"]["mirror"], again.details["cache"]["hits"]) == (len(artists), 0)


def test_a_broken_cache_costs_requests_but_the_route_still_succeeds(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child, expected = genre_child(sandbox, base, spotify)
    artists = base_artists(base)
    assert route(base).status == RunStatus.SUCCEEDED  # the working cache now holds every artist
    Artist.objects.filter(spotify_id__in=artists).update(genres=[], genres_fetched_at=None)
    settings.CACHES = FAILING_CACHE
    before = route_counts(sandbox)

    event = route(base)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert requests_since(before, sandbox).get(ARTIST_ROUTE) == len(artists)
    cache = event.details["cache"]
    assert (cache["hits"], cache["misses"]) == (0, len(artists)) and cache["errors"] >= 1
    assert spotify.track_ids(child.spotify_id) == expected
