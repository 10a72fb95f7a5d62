"""/api/songs/{id}/ and /api/library/playlists/{id}/analysis/: analyses as scripts read them.
Owner, stranger, anonymous."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from analysis.models import LyricsStatus
from tests.analysis.factories import LyricsFactory, SongAnalysisFactory
from tests.accounts.factories import UserFactory
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
    for track in tracks:
        PlaylistItemFactory(playlist=playlist, track=track)
    return playlist


def test_the_owner_reads_a_song_with_its_lyrics_status_analysis_and_playlists(api, owner):
    track = TrackFactory(name="Harbour Lights")
    LyricsFactory(track=track, status=LyricsStatus.FOUND)
    SongAnalysisFactory(track=track, mood="dark", flag_violence=True, content_rating="mild", themes=["war"])
    playlist = _playlist_of(owner, track, name="Evening")
    api.force_authenticate(owner)

    body = api.get(f"/api/songs/{track.pk}/").json()

    assert body["track"]["name"] == "Harbour Lights" and body["track"]["spotify_id"] == track.pk
    assert body["lyrics_status"] == "found"
    analysis = body["analysis"]
    assert (analysis["mood"], analysis["content_rating"], analysis["themes"]) == ("dark", "mild", ["war"])
    assert analysis["flags"] == {"profanity": False, "violence": True, "sexual": False, "drugs": False}
    assert analysis["flagged"] is True and analysis["provider"] == "primary"
    assert analysis["guess"] == ""  # read from lyrics with confidence
    assert body["playlists"] == [{"id": playlist.pk, "name": "Evening"}]


def test_an_analysis_without_lyrics_says_it_is_a_guess_and_the_playlist_does_not_count_its_flags(api, owner):
    guessed, read = TrackFactory(), TrackFactory()
    SongAnalysisFactory(track=guessed, flag_profanity=True, lyrics_status=LyricsStatus.NOT_FOUND, confidence=0.3)
    SongAnalysisFactory(track=read, flag_profanity=True)
    playlist = _playlist_of(owner, guessed, read)
    api.force_authenticate(owner)

    song = api.get(f"/api/songs/{guessed.pk}/").json()
    summary = api.get(f"/api/library/playlists/{playlist.pk}/analysis/").json()

    assert song["analysis"]["guess"] == "no_lyrics" and song["analysis"]["flagged"] is True
    assert (summary["analysed"], summary["flagged"], summary["guessed"]) == (2, 1, 1)


def test_a_song_not_analysed_yet_has_a_null_analysis_and_lyrics_status(api, owner):
    track = TrackFactory()
    _playlist_of(owner, track)
    api.force_authenticate(owner)

    body = api.get(f"/api/songs/{track.pk}/").json()

    assert (body["analysis"], body["lyrics_status"]) == (None, None)


def test_a_stranger_gets_404_for_a_song_only_the_owner_has(api, owner):
    track = TrackFactory()
    SongAnalysisFactory(track=track)
    _playlist_of(owner, track)
    api.force_authenticate(UserFactory())

    assert api.get(f"/api/songs/{track.pk}/").status_code == 404
    assert api.get("/api/songs/no-such-track/").status_code == 404


def test_the_playlist_analysis_sums_up_and_lists_each_song_once_in_playlist_order(api, owner):
    calm, dark, pending = TrackFactory(name="calm"), TrackFactory(name="dark"), TrackFactory(name="pending")
    SongAnalysisFactory(track=calm, mood="calm")
    SongAnalysisFactory(track=dark, mood="dark", flag_drugs=True)
    playlist = _playlist_of(owner, pending, dark, calm, dark)  # dark twice: one song
    api.force_authenticate(owner)

    body = api.get(f"/api/library/playlists/{playlist.pk}/analysis/").json()

    assert {key: body[key] for key in ("playlist", "tracks", "analysed", "pending", "flagged", "guessed")} == {
        "playlist": playlist.pk, "tracks": 3, "analysed": 2, "pending": 1, "flagged": 1, "guessed": 0,
    }  # fmt: skip
    assert body["moods"] == [{"mood": "calm", "count": 1}, {"mood": "dark", "count": 1}]
    songs = body["songs"]["results"]
    assert body["songs"]["count"] == 3
    assert [song["track"]["name"] for song in songs] == ["pending", "dark", "calm"]
    assert [song["analysis"] and song["analysis"]["mood"] for song in songs] == [None, "dark", "calm"]


def test_the_playlist_analysis_pages_songs_in_a_bounded_number_of_queries(
    api, owner, django_assert_max_num_queries, memory_cache
):
    tracks = [TrackFactory() for _ in range(130)]
    for track in tracks[::2]:
        SongAnalysisFactory(track=track)
    playlist = _playlist_of(owner, *tracks)
    api.force_authenticate(owner)

    with django_assert_max_num_queries(12):
        first = api.get(f"/api/library/playlists/{playlist.pk}/analysis/").json()
    second = api.get(f"/api/library/playlists/{playlist.pk}/analysis/?page=2").json()

    assert len(first["songs"]["results"]) == 100 and len(second["songs"]["results"]) == 30
    assert first["songs"]["next"] and second["songs"]["previous"]
    seen = [song["track"]["spotify_id"] for song in first["songs"]["results"] + second["songs"]["results"]]
    assert seen == [track.pk for track in tracks]


def test_a_stranger_gets_404_for_the_owners_playlist_analysis(api, owner):
    playlist = _playlist_of(owner, TrackFactory())
    api.force_authenticate(UserFactory())

    assert api.get(f"/api/library/playlists/{playlist.pk}/analysis/").status_code == 404


def test_anonymous_callers_get_401_from_the_insights_api(api, owner):
    track = TrackFactory()
    playlist = _playlist_of(owner, track)

    assert api.get(f"/api/songs/{track.pk}/").status_code == 401
    assert api.get(f"/api/library/playlists/{playlist.pk}/analysis/").status_code == 401
