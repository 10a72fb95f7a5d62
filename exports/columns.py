"""The columns of every export and how a row's values are derived from the mirror and the analyses.

A row is a dict of plain values, the same for both formats: strings, numbers, booleans, None for
"not known", lists of strings, and times as ISO 8601 strings in UTC. The CSV writer flattens lists
(exports.streams); the JSON writer keeps them as arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from analysis.models import SongAnalysis
from exports.selectors import Chunk, Credit
from insights.models import Play, UnmatchedPlay
from library.models import Playlist, PlaylistItem, Track

Row = dict[str, Any]
TRACK_URI = "spotify:track:"


@dataclass(frozen=True)
class Column:
    name: str
    # The JSON type of its values: string, integer, number, boolean, array (of strings) or
    # date-time (an ISO 8601 string in UTC). Every value may also be null, but arrays, which are
    # empty instead.
    kind: str
    description: str


def _c(name: str, kind: str, description: str) -> Column:
    return Column(name=name, kind=kind, description=description)


TRACK_COLUMNS = (
    _c("track_id", "string", "Spotify's id of the track."),
    _c("title", "string", "The track's name (an episode's or a local file's for those items)."),
    _c("artists", "array", "The credited artists, the main one first."),
    _c("artist_ids", "array", "Spotify's ids of the credited artists, in the same order."),
    _c("album", "string", "The album's name."),
    _c("album_id", "string", "Spotify's id of the album."),
    _c("label", "string", "The album's record label, when Spotify gave it."),
    _c("release_date", "string", "As Spotify gives it: a year, a month (1987-06) or a day."),
    _c("release_year", "integer", "The album's release year."),
    _c("duration_ms", "integer", "The track's length in milliseconds."),
    _c("explicit", "boolean", "Spotify's explicit flag."),
    _c("popularity", "integer", "Spotify's popularity, 0 to 100, when Spotify gave it."),
    _c("isrc", "string", "The recording's ISRC."),
    _c("artist_genres", "array", "Spotify's genres of the credited artists (often empty: Spotify "
       "stopped giving them to new apps)."),
    _c("analysis_genres", "array", "The broad genres the song analysis names."),
    _c("mood", "string", "The song analysis's mood."),
    _c("energy", "number", "The song analysis's energy, 0 to 1."),
    _c("themes", "array", "The song analysis's themes."),
    _c("content_rating", "string", "The song analysis's content rating."),
)  # fmt: skip

ITEM_COLUMNS = (
    _c("position", "integer", "The item's place in the playlist, from 1."),
    _c("kind", "string", "track, episode, local (a local file) or unavailable."),
    _c("uri", "string", "Spotify's URI of the item."),
    _c("added_at", "date-time", "When the item was added on Spotify."),
    _c("added_by", "string", "Spotify's id of the listener who added it."),
)  # fmt: skip

PLAYLIST_COLUMNS = (*ITEM_COLUMNS, *TRACK_COLUMNS)

LIBRARY_COLUMNS = (
    _c("playlist", "string", "The playlist's name (Liked Songs included)."),
    _c("playlist_id", "string", "Spotify's id of the playlist."),
    *PLAYLIST_COLUMNS,
)  # fmt: skip

HISTORY_COLUMNS = (
    _c("played_at", "date-time", "When the play ended."),
    _c("source", "string", "api (collected from Spotify) or export (Spotify's privacy export)."),
    _c("ms_played", "integer", "How long it played, in milliseconds, when Spotify said."),
    _c("skipped", "boolean", "Played less than 30 seconds, or marked skipped by Spotify."),
    _c("context_type", "string", "Where it was played from: playlist, album, artist..."),
    _c("context_uri", "string", "Spotify's URI of that context."),
    _c("matched", "boolean", "false for a play of the privacy export whose names match no track "
       "of the library: only its title and artist are known."),
    *TRACK_COLUMNS,
)  # fmt: skip

ANALYSIS_COLUMNS = (
    *TRACK_COLUMNS,
    _c("flag_profanity", "boolean", "The analysis found profanity."),
    _c("flag_violence", "boolean", "The analysis found violence."),
    _c("flag_sexual", "boolean", "The analysis found sexual content."),
    _c("flag_drugs", "boolean", "The analysis found drugs."),
    _c("guess", "string", "Why the analysis is a guess rather than a reading of the lyrics "
       "(instrumental, no_lyrics, low_confidence); empty when it read them with confidence."),
    _c("language", "string", "The lyrics' language."),
    _c("summary", "string", "The analysis in one sentence."),
    _c("confidence", "number", "The model's confidence, 0 to 1."),
    _c("lyrics_status", "string", "found, instrumental, not_found or error."),
    _c("prompt_version", "string", "The prompt the analysis was made with."),
    _c("provider", "string", "The LLM provider that made it."),
    _c("model", "string", "The model that made it."),
    _c("analysed_at", "date-time", "When the analysis was made."),
)  # fmt: skip


def iso(moment: datetime | None) -> str | None:
    """A time in UTC as ISO 8601 with a Z, to the millisecond only when it has them."""
    if moment is None:
        return None
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def _of(chunk: Chunk, track_id: str | None) -> tuple[list[Credit], SongAnalysis | None]:
    if not track_id:
        return [], None
    return chunk.artists.get(track_id, []), chunk.analyses.get(track_id)


def _blank(columns: tuple[Column, ...]) -> Row:
    return {column.name: [] if column.kind == "array" else None for column in columns}


def track_values(track: Track | None, artists: list[Credit], analysis: SongAnalysis | None) -> Row:
    """The track columns: the catalog's (the album is read with the track), its credited artists
    and their genres, and the analysis's verdict."""
    row = _blank(TRACK_COLUMNS)
    if track is not None:
        album = track.album
        # One list for every credited artist, each genre once, in the artists' order.
        genres = list(dict.fromkeys(genre for artist in artists for genre in artist.genres or ()))
        row.update(
            track_id=track.spotify_id,
            title=track.name,
            artists=[artist.name for artist in artists],
            artist_ids=[artist.spotify_id for artist in artists],
            album=album.name if album else None,
            album_id=album.spotify_id if album else None,
            label=(album.label or None) if album else None,
            release_date=(album.release_date or None) if album else None,
            release_year=album.release_year if album else None,
            duration_ms=track.duration_ms,
            explicit=track.explicit,
            popularity=track.popularity,
            isrc=track.isrc or None,
            artist_genres=genres,
        )
    if analysis is not None:
        row.update(
            analysis_genres=list(analysis.genres or ()),
            mood=analysis.mood,
            energy=analysis.energy,
            themes=list(analysis.themes or ()),
            content_rating=analysis.content_rating,
        )
    return row


def item_row(item: PlaylistItem, chunk: Chunk, *, playlist: Playlist | None = None) -> Row:
    """One playlist item; with `playlist` (the library export) its playlist's name and id first."""
    row: Row = {}
    if playlist is not None:
        row.update(playlist=playlist.name, playlist_id=playlist.spotify_id)
    row.update(
        position=item.position + 1,
        kind=item.kind,
        uri=item.uri or (TRACK_URI + item.track_id if item.track_id else None),
        added_at=iso(item.added_at),
        added_by=item.added_by or None,
    )
    row.update(track_values(item.track, *_of(chunk, item.track_id)))
    if item.track is None:
        row["title"] = item.name or item.local_name or None
    return row


def play_row(play: Play, chunk: Chunk) -> Row:
    return {
        "played_at": iso(play.played_at),
        "source": play.source,
        "ms_played": play.ms_played,
        "skipped": play.skipped,
        "context_type": play.context_type or None,
        "context_uri": play.context_uri or None,
        "matched": True,
        **track_values(play.track, *_of(chunk, play.track_id)),
    }


def unmatched_play_row(play: UnmatchedPlay) -> Row:
    row = {
        "played_at": iso(play.played_at),
        "source": "export",
        "ms_played": play.ms_played,
        "skipped": play.skipped,
        "context_type": None,
        "context_uri": None,
        "matched": False,
        **track_values(None, [], None),
    }
    row.update(title=play.track_name, artists=[play.artist_name])
    return row


def analysis_row(track: Track, analysis: SongAnalysis, chunk: Chunk) -> Row:
    row = track_values(track, chunk.artists.get(track.spotify_id, []), analysis)
    row.update(
        flag_profanity=analysis.flag_profanity,
        flag_violence=analysis.flag_violence,
        flag_sexual=analysis.flag_sexual,
        flag_drugs=analysis.flag_drugs,
        guess=str(analysis.guess) or None,
        language=analysis.language or None,
        summary=analysis.summary,
        confidence=analysis.confidence,
        lyrics_status=analysis.lyrics_status,
        prompt_version=analysis.prompt_version,
        provider=analysis.provider,
        model=analysis.model,
        analysed_at=iso(analysis.created_at),
    )
    return {column.name: row[column.name] for column in ANALYSIS_COLUMNS}
