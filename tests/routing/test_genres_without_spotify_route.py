"""Routes through the sandbox without Spotify's genres and popularity: a genre filter routes by
the song analysis' genres where Spotify gives the artists none, and "played at least N times"
routes by the listener's own plays, counted in one query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.runs import RunStatus
from library.models import Artist, PlaylistItem, TrackArtist
from routing.filters import ANALYSIS_GENRES, NO_GENRES, SPOTIFY_GENRES
from routing.services.preview import preview_route
from tests.analysis.factories import SongAnalysisFactory
from tests.insights.factories import PlayFactory
from tests.routing.filter_support import cond, doc
from tests.routing.route_support import SpotifyAs, add_child, imported_base, route, warm_up_here

pytestmark = pytest.mark.django_db

JAZZ = doc(cond("genre", "any_of", ["jazz"]))
# A fixed clock for the plays: nothing here depends on today's date.
FIRST_PLAY = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def base_track_ids(base) -> list[str]:
    ids = PlaylistItem.objects.filter(playlist=base.playlist, kind="track").order_by("position")
    return list(dict.fromkeys(ids.values_list("track_id", flat=True)))


def test_a_genre_filter_routes_by_analysis_genres_when_spotify_serves_no_artist_genres(
    sandbox, settings
):
    sandbox.configure(artist_genres=False)
    _, base = imported_base(sandbox, settings)
    track_ids = base_track_ids(base)
    jazz, other, unanalysed = track_ids[0::3], track_ids[1::3], track_ids[2::3]
    for track_id in jazz:
        SongAnalysisFactory(track_id=track_id, genres=["jazz", "soul"])
    for track_id in other:
        SongAnalysisFactory(track_id=track_id, genres=["metal"])
    child = add_child(sandbox, base, name="Jazz", filters=JAZZ)

    preview = preview_route(base=base, read_children=False, draft_filters=JAZZ, draft_child_id=child.pk)
    run = route(base)

    assert preview.draft.genre_sources == {SPOTIFY_GENRES: 0, ANALYSIS_GENRES: len(jazz), NO_GENRES: 0}
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert SpotifyAs(sandbox).track_ids(child.spotify_id) == jazz
    assert unanalysed and other


def test_the_preview_tells_spotify_genres_from_analysis_genres(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    track_ids = base_track_ids(base)
    for track_id in track_ids:
        SongAnalysisFactory(track_id=track_id, genres=["lo-fi"])
    # The first track's artists were fetched lately and Spotify gave them no genres (the mirror
    # is read before Spotify); every track credited only to them falls back to its analysis.
    unclassified = set(TrackArtist.objects.filter(track_id=track_ids[0]).values_list("artist_id", flat=True))
    Artist.objects.filter(spotify_id__in=unclassified).update(genres=[], genres_fetched_at=timezone.now())
    warm_up_here(base)  # the others' genres, as the warm-up a first preview queues looks them up
    credits: dict[str, set[str]] = {}
    rows = TrackArtist.objects.filter(track_id__in=track_ids).values_list("track_id", "artist_id")
    for track_id, artist_id in rows:
        credits.setdefault(track_id, set()).add(artist_id)
    fallback = sum(1 for track_id in track_ids if credits[track_id] <= unclassified)
    everything = doc(cond("genre", "none_of", ["no such genre at all"]))

    api = APIClient()
    api.force_authenticate(user)
    answer = api.post(
        f"/api/base-playlists/{base.pk}/preview",
        {"read_children": False, "filters": everything},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    sources = answer.json()["draft"]["genre_sources"]
    assert sum(sources.values()) == answer.json()["base_tracks"] and sources[NO_GENRES] == 0
    assert sources[ANALYSIS_GENRES] == fallback > 0
    assert sources[SPOTIFY_GENRES] == len(track_ids) - fallback > 0
    assert answer.json()["draft"]["genre_note"] == (
        f"{len(track_ids) - fallback} tracks by Spotify's artist genres, {fallback} by song analysis"
    )


def test_played_at_least_routes_the_listeners_own_most_played_tracks_with_one_query(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    track_ids = base_track_ids(base)
    favourites, once = track_ids[:3], track_ids[3:5]
    for track_id in favourites:
        for n in range(3):
            PlayFactory(user=user, track_id=track_id, played_at=FIRST_PLAY + timedelta(hours=n))
    for track_id in once:
        PlayFactory(user=user, track_id=track_id, played_at=FIRST_PLAY)
    for track_id in track_ids[5:8]:  # someone else's plays do not count
        for n in range(3):
            PlayFactory(track_id=track_id, played_at=FIRST_PLAY + timedelta(hours=n))
    child = add_child(sandbox, base, name="On repeat", filters=doc(cond("plays", "at_least", 3)))

    with CaptureQueriesContext(connection) as queries:
        preview = preview_route(base=base, read_children=False)
    run = route(base)

    assert [c.matching for c in preview.children] == [len(favourites)]
    assert sum("insights_play" in query["sql"] for query in queries.captured_queries) == 1
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert SpotifyAs(sandbox).track_ids(child.spotify_id) == favourites
