"""Conditional and cached reads of /api/songs/{id}/ and a playlist's analysis page: 304 while
nothing they show changed, a fresh body after an analysis, lyrics or an import, never another
listener's answer."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from analysis.models import Lyrics, LyricsStatus
from library.models import PlaylistItem
from tests.accounts.factories import UserFactory
from tests.analysis.factories import LyricsFactory, SongAnalysisFactory
from tests.library.factories import PlaylistFactory, PlaylistItemFactory, TrackFactory
from tests.support.caches import memory_cache  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner():
    return UserFactory()


def _playlist_of(user, *tracks, name="Mix"):
    playlist = PlaylistFactory(user=user, name=name)
    for position, track in enumerate(tracks):
        PlaylistItemFactory(playlist=playlist, track=track, position=position)
    return playlist


def test_an_unchanged_song_answers_304_and_its_analysis_when_written_is_fresh(api, owner):
    track = TrackFactory()
    _playlist_of(owner, track)
    api.force_authenticate(owner)
    url = f"/api/songs/{track.pk}/"
    first = api.get(url)
    assert first.json()["analysis"] is None
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    SongAnalysisFactory(track=track, mood="dark")
    after = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert after.json()["analysis"]["mood"] == "dark"


def test_a_songs_lyrics_when_looked_up_again_are_fresh(api, owner):
    track = TrackFactory()
    _playlist_of(owner, track)
    LyricsFactory(track=track, status=LyricsStatus.ERROR)
    api.force_authenticate(owner)
    url = f"/api/songs/{track.pk}/"
    first = api.get(url)

    Lyrics.objects.filter(track=track).update(status=LyricsStatus.FOUND)
    after = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (first.json()["lyrics_status"], after.json()["lyrics_status"]) == ("error", "found")


def test_a_song_follows_the_listeners_playlists_and_is_404_once_none_holds_it(api, owner):
    track = TrackFactory()
    evening = _playlist_of(owner, track, name="Evening")
    api.force_authenticate(owner)
    url = f"/api/songs/{track.pk}/"
    first = api.get(url)

    night = _playlist_of(owner, track, name="Night")
    both = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert [p["name"] for p in both.json()["playlists"]] == ["Evening", "Night"]

    PlaylistItem.objects.filter(track=track).delete()
    for playlist in (evening, night):
        playlist.save()  # an import rewrites a playlist's row with its items
    assert api.get(url).status_code == 404


def test_a_playlists_analysis_page_is_fresh_once_one_of_its_songs_is_analysed(api, owner):
    calm, later = TrackFactory(), TrackFactory()
    SongAnalysisFactory(track=calm, mood="calm")
    playlist = _playlist_of(owner, calm, later)
    api.force_authenticate(owner)
    url = f"/api/library/playlists/{playlist.pk}/analysis/"
    first = api.get(url)
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    SongAnalysisFactory(track=later, mood="dark")
    after = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (first.json()["analysed"], after.json()["analysed"]) == (1, 2)
    assert after.json()["songs"]["results"][1]["analysis"]["mood"] == "dark"


def test_a_stranger_never_gets_the_owners_304_or_cached_answers(api, owner):
    track = TrackFactory()
    SongAnalysisFactory(track=track)
    playlist = _playlist_of(owner, track)
    api.force_authenticate(owner)
    song = api.get(f"/api/songs/{track.pk}/")
    page = api.get(f"/api/library/playlists/{playlist.pk}/analysis/")

    api.force_authenticate(UserFactory())

    assert api.get(f"/api/songs/{track.pk}/", HTTP_IF_NONE_MATCH=song["ETag"]).status_code == 404
    assert (
        api.get(f"/api/library/playlists/{playlist.pk}/analysis/", HTTP_IF_NONE_MATCH=page["ETag"]).status_code
        == 404
    )


def test_anonymous_callers_get_401_even_with_the_owners_etag(api, owner):
    track = TrackFactory()
    playlist = _playlist_of(owner, track)
    api.force_authenticate(owner)
    song = api.get(f"/api/songs/{track.pk}/")
    page = api.get(f"/api/library/playlists/{playlist.pk}/analysis/")
    api.force_authenticate(None)

    assert api.get(f"/api/songs/{track.pk}/", HTTP_IF_NONE_MATCH=song["ETag"]).status_code == 401
    assert (
        api.get(f"/api/library/playlists/{playlist.pk}/analysis/", HTTP_IF_NONE_MATCH=page["ETag"]).status_code
        == 401
    )


def test_cached_song_and_analysis_reads_cost_only_their_version(
    api, owner, django_assert_max_num_queries, memory_cache
):
    tracks = [TrackFactory() for _ in range(120)]
    for track in tracks[::2]:
        SongAnalysisFactory(track=track)
    LyricsFactory(track=tracks[0])
    playlist = _playlist_of(owner, *tracks)
    api.force_authenticate(owner)
    song, page = f"/api/songs/{tracks[0].pk}/", f"/api/library/playlists/{playlist.pk}/analysis/"

    # Built: the version (3 queries), then the song, its credits, playlists, lyrics and analysis.
    with django_assert_max_num_queries(8):
        first_song = api.get(song)
    # Built: the playlist and the version, the summary (2), the count, the page, its credits and analyses.
    with django_assert_max_num_queries(8):
        first_page = api.get(page)
    with django_assert_max_num_queries(3):
        assert api.get(song).content == first_song.content
    with django_assert_max_num_queries(3):
        assert api.get(song, HTTP_IF_NONE_MATCH=first_song["ETag"]).status_code == 304
    with django_assert_max_num_queries(2):
        assert api.get(page).content == first_page.content
