"""The song page and the analysis block of the playlist page: owner, stranger, anonymous."""

from __future__ import annotations

import pytest

from analysis.models import LyricsStatus
from tests.analysis.factories import LyricsFactory, SongAnalysisFactory
from tests.accounts.factories import UserFactory
from tests.library.factories import PlaylistFactory, PlaylistItemFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def song(owner):
    track = TrackFactory(name="Harbour Lights", artist__name="The Quays")
    PlaylistItemFactory(playlist__user=owner, playlist__name="Evenings", track=track)
    return track


def test_the_owner_sees_the_songs_metadata_lyrics_status_and_analysis(client, owner, song):
    LyricsFactory(track=song, status=LyricsStatus.INSTRUMENTAL, plain="", hash="")
    SongAnalysisFactory(
        track=song, mood="dark", themes=["the harbour"], flag_violence=True, content_rating="mild",
        summary="A brooding night at the docks.", provider="primary", model="llama-3.1-70b-instruct",
    )  # fmt: skip
    client.force_login(owner)

    response = client.get(f"/songs/{song.spotify_id}/")

    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Harbour Lights", "The Quays", "Evenings", "A brooding night at the docks.", "Dark",
                 "the harbour", "Violence", "Mild", "Instrumental", "llama-3.1-70b-instruct"):  # fmt: skip
        assert text in page, text


def test_a_song_not_analysed_yet_says_so(client, owner, song):
    client.force_login(owner)

    page = client.get(f"/songs/{song.spotify_id}/").content.decode()

    assert "Not analysed yet" in page and "Not looked up yet" in page


def test_a_stranger_gets_404_for_a_song_only_in_someone_elses_playlists(client, song):
    SongAnalysisFactory(track=song)
    client.force_login(UserFactory())

    assert client.get(f"/songs/{song.spotify_id}/").status_code == 404
    assert client.get("/songs/no-such-track/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_from_a_song(client, song):
    response = client.get(f"/songs/{song.spotify_id}/")

    assert response.status_code == 302 and "next=" in response["Location"]


def test_the_playlist_page_summarises_the_analyses_and_badges_each_song(client, owner):
    playlist = PlaylistFactory(user=owner, items_total=5, track_count=5)
    moods = ["happy", "happy", "sad", None, "happy"]
    for position, mood in enumerate(moods):
        item = PlaylistItemFactory(playlist=playlist, position=position, track__name=f"Song {position}")
        if mood:
            SongAnalysisFactory(
                track=item.track, mood=mood, flag_profanity=position == 0, flag_drugs=position == 2
            )
    client.force_login(owner)

    page = client.get(f"/library/playlists/{playlist.pk}/").content.decode()

    assert "4 of 5 songs analysed, <strong>2 flagged</strong>" in page
    assert "(1 waiting for analysis)" in page
    assert page.index("happy 3") < page.index("sad 1")
    assert "flagged: Profanity" in page and "flagged: Drugs" in page
    assert f'href="/songs/{playlist.items.get(position=3).track_id}/"' in page


def test_a_stranger_gets_404_and_sees_no_analysis_of_the_owners_playlist(client, owner):
    playlist = PlaylistFactory(user=owner)
    SongAnalysisFactory(track=PlaylistItemFactory(playlist=playlist).track)
    client.force_login(UserFactory())

    assert client.get(f"/library/playlists/{playlist.pk}/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_from_a_playlist(client, owner):
    playlist = PlaylistFactory(user=owner)

    assert client.get(f"/library/playlists/{playlist.pk}/").status_code == 302
