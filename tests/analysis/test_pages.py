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


def test_the_song_page_shows_the_albums_mirrored_cover_lazily(client, owner, song):
    song.album.image_url = "https://i.scdn.co/image/ab67616d0000b273harbour"
    song.album.save()
    client.force_login(owner)

    page = client.get(f"/songs/{song.spotify_id}/").content.decode()

    cover = page[page.index('<span class="cover cover-lg') :]
    cover = cover[: cover.index("</span>")]
    assert '<img src="https://i.scdn.co/image/ab67616d0000b273harbour"' in cover
    assert 'loading="lazy"' in cover and 'alt=""' in cover


@pytest.mark.parametrize("album", [True, False], ids=["album-without-cover", "no-album"])
def test_a_song_without_a_cover_shows_the_placeholder_tile(client, owner, album):
    track = TrackFactory(name="Loose Single", **({} if album else {"album": None}))
    PlaylistItemFactory(playlist__user=owner, track=track)
    client.force_login(owner)

    page = client.get(f"/songs/{track.spotify_id}/").content.decode()

    assert '<span class="cover cover-lg"></span>' in page and "<img" not in page


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


# --- guesses: analyses without lyrics or with low confidence are not shown as facts -----------
def test_a_song_analysed_without_lyrics_is_shown_as_a_guess_and_its_flags_as_unconfirmed(client, owner, song):
    # What the old sandbox wrote for a song with unknown lyrics: flags, a rating, a made-up language.
    SongAnalysisFactory(
        track=song, lyrics_status=LyricsStatus.NOT_FOUND, confidence=0.34, flag_profanity=True,
        flag_violence=True, content_rating="mild", language="und", themes=[],
    )  # fmt: skip
    client.force_login(owner)

    page = client.get(f"/songs/{song.spotify_id}/").content.decode()

    assert "Guessed from the genre (no lyrics found)" in page
    assert "Profanity (unconfirmed)" in page and "Violence (unconfirmed)" in page
    assert '<span class="badge warn">Profanity</span>' not in page
    assert "None claimed without lyrics" in page
    assert "<td>Unknown</td>" in page  # not a bare code


def test_a_guess_claims_no_content_rating_of_its_own_and_marks_its_mood_and_energy(client, owner, song):
    SongAnalysisFactory(track=song, lyrics_status=LyricsStatus.NOT_FOUND, confidence=0.3, content_rating="clean",
                        energy=0.78, provider="primary", model="llama-3.1-70b-instruct")  # fmt: skip
    client.force_login(owner)

    page = client.get(f"/songs/{song.spotify_id}/").content.decode()

    rating = page[page.index('<th scope="row">Content rating</th>') :].split("</tr>")[0]
    assert "Not judged: no lyrics" in rating and "Clean" not in rating
    assert "78 / 100 (guess)" in page and "</span> (guess)</td>" in page  # the mood's badge, then "(guess)"
    # Which model guessed is the engineer's: behind "Details", not in the listener's line.
    before, details = page.split('<details class="figures"><summary>Details</summary>')
    assert "llama-3.1-70b-instruct" not in before and "llama-3.1-70b-instruct" in details


def test_a_guess_at_a_track_spotify_marks_explicit_says_so_never_less(client, owner):
    track = TrackFactory(explicit=True)
    PlaylistItemFactory(playlist__user=owner, track=track)
    SongAnalysisFactory(track=track, lyrics_status=LyricsStatus.NOT_FOUND, confidence=0.3, content_rating="clean")
    client.force_login(owner)

    page = client.get(f"/songs/{track.spotify_id}/").content.decode()

    rating = page[page.index('<th scope="row">Content rating</th>') :].split("</tr>")[0]
    assert '<span class="badge bad">Spotify: explicit</span>' in rating and "Clean" not in rating


def test_an_instrumental_analysis_says_its_mood_is_guessed_and_nothing_was_judged(client, owner, song):
    SongAnalysisFactory(track=song, lyrics_status=LyricsStatus.INSTRUMENTAL, confidence=0.38, language="zxx",
                        themes=[])  # fmt: skip
    client.force_login(owner)

    page = client.get(f"/songs/{song.spotify_id}/").content.decode()

    assert "Instrumental: the mood is guessed from the genre and the artist" in page
    assert "Not judged: no lyrics" in page and "<td>No words</td>" in page


def test_a_low_confidence_reading_of_lyrics_is_shown_as_a_guess_with_its_confidence(client, owner, song):
    SongAnalysisFactory(track=song, confidence=0.3, flag_drugs=True)
    client.force_login(owner)

    page = client.get(f"/songs/{song.spotify_id}/").content.decode()

    assert "Low confidence" in page and "(30% confidence)" in page and "30% (low)" in page
    assert "Drugs (unconfirmed)" in page


def test_a_confident_reading_of_lyrics_shows_its_flags_and_language_as_they_are(client, owner, song):
    SongAnalysisFactory(track=song, confidence=0.88, flag_violence=True, language="es")
    client.force_login(owner)

    page = client.get(f"/songs/{song.spotify_id}/").content.decode()

    assert '<span class="badge warn">Violence</span>' in page and "Spanish (es)" in page
    assert "Guess" not in page and "unconfirmed" not in page


def test_the_playlist_counts_only_flags_read_from_lyrics_and_marks_the_guesses(client, owner):
    playlist = PlaylistFactory(user=owner, items_total=4, track_count=4)
    kinds = [
        {"flag_profanity": True},  # read from lyrics, confident: flagged
        {"flag_profanity": True, "lyrics_status": LyricsStatus.NOT_FOUND, "confidence": 0.34},
        {"flag_drugs": True, "confidence": 0.3},
        {"lyrics_status": LyricsStatus.INSTRUMENTAL, "confidence": 0.38},
    ]
    for position, fields in enumerate(kinds):
        item = PlaylistItemFactory(playlist=playlist, position=position, track__name=f"Song {position}")
        SongAnalysisFactory(track=item.track, mood="happy", **fields)
    client.force_login(owner)

    page = client.get(f"/library/playlists/{playlist.pk}/").content.decode()

    assert "4 of 4 songs analysed, <strong>1 flagged</strong> from their lyrics." in page
    assert "3 are guesses without lyrics or with low confidence: their flags are not counted." in page
    assert page.count("flagged: Profanity") == 1
    assert "unconfirmed: Profanity" in page and "unconfirmed: Drugs" in page
    assert page.count(">guess</span>") == 3 and page.count(">happy?</span>") == 3
