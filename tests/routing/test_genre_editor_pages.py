"""The filter editor without Spotify's genres and popularity: analysis genres among the choices,
where a genre count came from, "Played" in both modes, and why a saved popularity rule stops."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from routing.display import describe_genre_sources
from routing.filters import ANALYSIS_GENRES, NO_GENRES, POPULARITY_UNAVAILABLE, SPOTIFY_GENRES
from routing.models import ChildPlaylist
from tests.analysis.factories import SongAnalysisFactory
from tests.library.factories import ArtistFactory, PlaylistItemFactory, TrackFactory
from tests.routing.routing_pages_support import Setup, make_setup, page_text
from tests.routing.test_routing_editor_pages import POPULAR, editor, served_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> Setup:
    return make_setup()


def test_the_editor_offers_analysis_genres_of_the_bases_tracks_beside_spotifys(client, setup):
    pavement = ArtistFactory(name="Pavement", genres=["indie rock"])
    unknown = ArtistFactory(name="No Genres", genres=[])
    for artist in (pavement, unknown, unknown):
        track = TrackFactory(artist=artist)
        PlaylistItemFactory(playlist=setup.base.playlist, track=track)
        if artist is unknown:
            SongAnalysisFactory(track=track, genres=["jazz", "soul"])
    SongAnalysisFactory(genres=["metal"])  # a track of no playlist of this base
    client.force_login(setup.listener)

    choices = served_json(editor(client, setup.chill), "filter-choices")

    assert choices["genres"] == ["jazz", "soul", "indie rock"]


def test_the_editor_says_where_genres_come_from_and_its_counts_say_which(client, setup):
    client.force_login(setup.listener)

    page = editor(client, setup.chill)
    preview_js = Path(finders.find("js/filter-preview.js")).read_text()

    assert "for a track whose artists Spotify gives no genres, the song analysis' genres stand in" in page
    assert "draft.genre_note" in preview_js and "child.genre_note" in preview_js


@pytest.mark.parametrize(
    ("counts", "words"),
    [
        (
            {SPOTIFY_GENRES: 12, ANALYSIS_GENRES: 30, NO_GENRES: 0},
            "12 tracks by Spotify's artist genres, 30 by song analysis",
        ),
        ({SPOTIFY_GENRES: 0, ANALYSIS_GENRES: 1, NO_GENRES: 0}, "1 track by song analysis"),
        (
            {SPOTIFY_GENRES: 0, ANALYSIS_GENRES: 2, NO_GENRES: 5},
            "2 tracks by song analysis, 5 with no genres known",
        ),
        ({SPOTIFY_GENRES: 0, ANALYSIS_GENRES: 0, NO_GENRES: 0}, ""),
        (None, ""),
    ],
)
def test_genre_counts_are_told_by_source(counts, words):
    assert describe_genre_sources(counts) == words


@pytest.mark.parametrize("mode", ["development", "extended"])
def test_played_is_offered_in_both_modes_and_popularity_only_in_extended(client, setup, settings, mode):
    settings.SPOTIFY_APP_MODE = mode
    client.force_login(setup.listener)

    page = editor(client, setup.chill)

    names = [field["name"] for field in served_json(page, "filter-fields")]
    assert "plays" in names and 'data-field="plays"' in page
    assert ("popularity" in names) is (mode == "extended")


def test_a_saved_popularity_rule_in_development_mode_is_explained_on_the_editor(client, setup, settings):
    ChildPlaylist.objects.filter(pk=setup.chill.pk).update(filters=POPULAR)  # saved in Extended mode
    client.force_login(setup.listener)

    settings.SPOTIFY_APP_MODE = "extended"
    extended = editor(client, setup.chill)
    settings.SPOTIFY_APP_MODE = "development"
    development = editor(client, setup.chill)

    assert 'id="mode-problems"' not in extended
    assert 'id="mode-problems"' in development
    assert "These filters cannot route in development mode" in development
    unavailable = f"<li>Condition 1 (Popularity): p{POPULARITY_UNAVAILABLE[1:]}</li>"
    assert unavailable in development.replace("&#x27;", "'")
    assert "stop before changing any child" in development
