"""What each export holds: its columns, the values derived from the catalog and the analyses, the
same rows in CSV and JSON, and only the listener's own data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analysis.models import LyricsStatus
from exports.columns import ANALYSIS_COLUMNS, HISTORY_COLUMNS, LIBRARY_COLUMNS, PLAYLIST_COLUMNS
from insights.models import PlaySource, UnmatchedPlay
from library.models import ItemKind, PlaylistKind, TrackArtist
from tests.accounts.factories import UserFactory
from tests.analysis.factories import SongAnalysisFactory
from tests.exports.support import csv_header, csv_rows, json_rows
from tests.insights.factories import PlayFactory
from tests.library.factories import (
    AlbumFactory,
    ArtistFactory,
    PlaylistFactory,
    PlaylistItemFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db
AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def owner(client):
    user = UserFactory()
    client.force_login(user)
    return user


def full_track(**fields):
    """A track credited to two artists with Spotify genres, on a labelled 1987 album, analysed."""
    album = AlbumFactory(
        name="Tunnel of Love", release_date="1987-10-09", release_year=1987, label="Columbia"
    )
    track = TrackFactory(
        name="Brilliant Disguise", isrc="USSM18700409", explicit=False, popularity=61, album=album,
        duration_ms=256_000, artist=ArtistFactory(name="Bruce", genres=["heartland rock", "rock"]),
        **fields,
    )  # fmt: skip
    TrackArtist.objects.create(
        track=track, artist=ArtistFactory(name="The Band", genres=["rock", "folk rock"]), position=1
    )
    SongAnalysisFactory(
        track=track, mood="melancholic", energy=0.4, themes=["doubt", "marriage"], genres=["rock", "folk"],
        content_rating="clean",
    )  # fmt: skip
    return track


def test_a_playlist_export_has_every_derived_column_in_csv_and_json_alike(client, owner):
    playlist = PlaylistFactory(user=owner, name="Road Trip")
    track = full_track()
    PlaylistItemFactory(playlist=playlist, position=0, track=track, added_at=AT, added_by="me")
    PlaylistItemFactory(playlist=playlist, position=1, kind=ItemKind.EPISODE, track=None, name="A podcast",
                        uri="spotify:episode:abc")  # fmt: skip

    as_csv = client.get(f"/exports/playlists/{playlist.pk}.csv")
    as_json = client.get(f"/exports/playlists/{playlist.pk}.json")

    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_json["Content-Type"] == "application/json"
    rows = csv_rows(as_csv)
    assert list(rows[0]) == [column.name for column in PLAYLIST_COLUMNS]
    song, episode = rows
    assert song == {
        "position": "1", "kind": "track", "uri": f"spotify:track:{track.spotify_id}",
        "added_at": "2025-03-01T12:00:00Z", "added_by": "me",
        "track_id": track.spotify_id, "title": "Brilliant Disguise", "artists": "Bruce; The Band",
        "artist_ids": "; ".join(a.spotify_id for a in track.artists.order_by("credits__position")),
        "album": "Tunnel of Love", "album_id": track.album_id, "label": "Columbia",
        "release_date": "1987-10-09", "release_year": "1987", "duration_ms": "256000", "explicit": "false",
        "popularity": "61", "isrc": "USSM18700409",
        "artist_genres": "heartland rock; rock; folk rock",  # each genre once, in the artists' order
        "analysis_genres": "rock; folk", "mood": "melancholic", "energy": "0.4", "themes": "doubt; marriage",
        "content_rating": "clean",
    }  # fmt: skip
    assert episode["kind"] == "episode" and episode["title"] == "A podcast"
    assert episode["uri"] == "spotify:episode:abc" and episode["track_id"] == "" and episode["mood"] == ""

    song_json, episode_json = json_rows(as_json)
    assert song_json["artists"] == ["Bruce", "The Band"]
    assert song_json["artist_genres"] == ["heartland rock", "rock", "folk rock"]
    assert song_json["release_year"] == 1987 and song_json["energy"] == 0.4 and song_json["explicit"] is False
    assert episode_json["track_id"] is None and episode_json["themes"] == [] and episode_json["position"] == 2
    for name, value in song.items():  # the same values, CSV-flattened
        expected = song_json[name]
        flat = "; ".join(expected) if isinstance(expected, list) else expected
        assert value == ("" if flat is None else str(flat).lower() if isinstance(flat, bool) else str(flat))


def test_a_song_without_artist_genres_or_analysis_has_empty_cells_not_errors(client, owner):
    """Spotify no longer gives new apps artists' genres: the column is empty, the export works."""
    playlist = PlaylistFactory(user=owner)
    PlaylistItemFactory(playlist=playlist, track=TrackFactory(album=None, isrc=""))

    (row,) = csv_rows(client.get(f"/exports/playlists/{playlist.pk}.csv"))
    (data,) = json_rows(client.get(f"/exports/playlists/{playlist.pk}.json"))

    assert row["artist_genres"] == row["mood"] == row["release_year"] == row["isrc"] == row["album"] == ""
    assert data["artist_genres"] == [] and data["analysis_genres"] == []
    assert data["mood"] is None and data["release_year"] is None and data["isrc"] is None


def test_the_analysis_shown_is_the_current_prompts_else_the_newest_older_one(client, owner):
    playlist = PlaylistFactory(user=owner)
    current, older_only = TrackFactory(), TrackFactory()
    PlaylistItemFactory(playlist=playlist, position=0, track=current)
    PlaylistItemFactory(playlist=playlist, position=1, track=older_only)
    SongAnalysisFactory(track=current, prompt_version="song-analysis-v0", mood="angry")
    SongAnalysisFactory(track=current, mood="happy")
    SongAnalysisFactory(track=older_only, prompt_version="song-analysis-v0", mood="sad", genres=[])

    first, second = json_rows(client.get(f"/exports/playlists/{playlist.pk}.json"))

    assert first["mood"] == "happy"
    assert second["mood"] == "sad" and second["analysis_genres"] == []  # analysed before genres were asked


def test_the_library_export_lists_every_playlists_items_in_spotifys_order_and_nobody_elses(client, owner):
    second = PlaylistFactory(user=owner, name="Second", list_position=2)
    liked = PlaylistFactory(user=owner, name="Liked Songs", kind=PlaylistKind.LIKED_SONGS, list_position=1)
    PlaylistItemFactory(playlist=second, position=1, track=TrackFactory(name="B2"))
    PlaylistItemFactory(playlist=second, position=0, track=TrackFactory(name="B1"))
    PlaylistItemFactory(playlist=liked, position=0, track=full_track())
    PlaylistItemFactory(playlist=PlaylistFactory(name="A stranger's"), track=TrackFactory(name="Theirs"))

    response = client.get("/exports/library.csv")

    rows = csv_rows(response)
    assert list(rows[0]) == [column.name for column in LIBRARY_COLUMNS]
    assert [(row["playlist"], row["position"], row["title"]) for row in rows] == [
        ("Liked Songs", "1", "Brilliant Disguise"), ("Second", "1", "B1"), ("Second", "2", "B2"),
    ]  # fmt: skip
    assert rows[0]["playlist_id"] == liked.spotify_id and rows[0]["mood"] == "melancholic"
    assert [row["title"] for row in json_rows(client.get("/exports/library.json"))] == [
        "Brilliant Disguise",
        "B1",
        "B2",
    ]


def test_the_history_export_merges_matched_and_unmatched_plays_newest_first(client, owner):
    track = full_track()
    PlayFactory(user=owner, track=track, played_at=AT, source=PlaySource.API, context_type="playlist",
                context_uri="spotify:playlist:x")  # fmt: skip
    PlayFactory(user=owner, track=track, played_at=AT - timedelta(days=2, milliseconds=250), ms_played=12_000,
                skipped=True, source=PlaySource.EXPORT)  # fmt: skip
    UnmatchedPlay.objects.create(user=owner, track_name="Lost Song", artist_name="Nobody Known",
                                 played_at=AT - timedelta(days=1), ms_played=90_000)  # fmt: skip
    PlayFactory(track=track, played_at=AT + timedelta(hours=1))  # a stranger's

    rows = csv_rows(client.get("/exports/history.csv"))
    data = json_rows(client.get("/exports/history.json"))

    assert csv_header(client.get("/exports/history.csv")) == [column.name for column in HISTORY_COLUMNS]
    assert [row["played_at"] for row in rows] == [
        "2025-03-01T12:00:00Z", "2025-02-28T12:00:00Z", "2025-02-27T11:59:59.750Z",
    ]  # fmt: skip
    newest, lost, skipped = rows
    assert newest["matched"] == "true" and newest["context_type"] == "playlist" and newest["ms_played"] == ""
    assert (
        newest["mood"] == "melancholic"
        and newest["release_year"] == "1987"
        and newest["isrc"] == "USSM18700409"
    )
    assert lost["matched"] == "false" and lost["title"] == "Lost Song" and lost["artists"] == "Nobody Known"
    assert lost["source"] == "export" and lost["track_id"] == ""
    assert skipped["skipped"] == "true" and skipped["ms_played"] == "12000" and skipped["source"] == "export"
    assert [row["matched"] for row in data] == [True, False, True]
    assert data[1]["artists"] == ["Nobody Known"] and data[1]["ms_played"] == 90_000


def test_the_analyses_export_lists_each_analysed_song_of_the_listeners_playlists_once(client, owner):
    playlist, other = PlaylistFactory(user=owner), PlaylistFactory(user=owner)
    track = full_track()
    PlaylistItemFactory(playlist=playlist, track=track)
    PlaylistItemFactory(playlist=other, track=track)  # in two playlists: one row
    guessed = TrackFactory(name="A Guess")
    SongAnalysisFactory(track=guessed, lyrics_status=LyricsStatus.NOT_FOUND, flag_violence=True)
    PlaylistItemFactory(playlist=playlist, track=guessed)
    PlaylistItemFactory(playlist=playlist, track=TrackFactory(name="Not analysed"))
    SongAnalysisFactory(track=TrackFactory(name="A stranger's song"))
    PlaylistItemFactory(playlist=PlaylistFactory(), track=SongAnalysisFactory().track)

    rows = csv_rows(client.get("/exports/song-analyses.csv"))

    assert list(rows[0]) == [column.name for column in ANALYSIS_COLUMNS]
    assert [row["title"] for row in rows] == ["A Guess", "Brilliant Disguise"]
    guess, read = rows
    assert (
        guess["guess"] == "no_lyrics"
        and guess["flag_violence"] == "true"
        and guess["lyrics_status"] == "not_found"
    )
    assert read["guess"] == "" and read["summary"] == "A quiet song about the sea at night."
    assert (
        read["artist_genres"] == "heartland rock; rock; folk rock" and read["analysis_genres"] == "rock; folk"
    )
    assert read["analysed_at"].endswith("Z") and read["confidence"] == "0.8"
    data = json_rows(client.get("/exports/song-analyses.json"))
    assert data[1]["flag_profanity"] is False and data[1]["themes"] == ["doubt", "marriage"]


def test_an_empty_export_is_a_header_row_or_an_empty_array(client, owner):
    assert csv_header(client.get("/exports/history.csv")) == [column.name for column in HISTORY_COLUMNS]
    assert csv_rows(client.get("/exports/history.csv")) == []
    assert json_rows(client.get("/exports/song-analyses.json")) == []
    assert json_rows(client.get("/exports/library.json")) == []
