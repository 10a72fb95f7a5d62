"""Spotify's track object → library.records: the catalog rows one track needs.

A track object (with its album and artists) arrives from several endpoints: playlist rows
(sync), recently-played items (insights). Both turn it into the same records here, so the
catalog is filled the same way whoever read the track. Pure functions of the JSON: no
database, no HTTP.
"""

from __future__ import annotations

from typing import Any

from library.records import AlbumRecord, ArtistRecord, TrackRecord

__all__ = ["CatalogRecords", "image_url", "text"]


class CatalogRecords:
    """The artists, albums and tracks of the track objects added, one record per Spotify id
    (the last object read wins), ready for library.services.upsert_catalog."""

    def __init__(self) -> None:
        self.artists: dict[str, ArtistRecord] = {}
        self.albums: dict[str, AlbumRecord] = {}
        self.tracks: dict[str, TrackRecord] = {}

    def add_track(self, obj: dict[str, Any]) -> str:
        """Record a full or simplified track object that has an id; returns that id."""
        album = obj.get("album") or {}
        album_id = album.get("id") or None
        if album_id:
            self.albums[album_id] = AlbumRecord(
                spotify_id=album_id,
                name=text(album.get("name"), 500),
                album_type=text(album.get("album_type"), 20),
                release_date=text(album.get("release_date"), 10),
                release_date_precision=text(album.get("release_date_precision"), 5),
                image_url=image_url(album.get("images")),
                label=album.get("label"),
                popularity=album.get("popularity"),
            )
        artist_ids = []
        for artist in obj.get("artists") or []:
            if artist.get("id"):
                artist_ids.append(artist["id"])
                self.artists[artist["id"]] = ArtistRecord(
                    spotify_id=artist["id"],
                    name=text(artist.get("name"), 500),
                    genres=tuple(artist["genres"]) if isinstance(artist.get("genres"), list) else None,
                    popularity=artist.get("popularity"),
                )
        track = TrackRecord(
            spotify_id=obj["id"],
            name=text(obj.get("name"), 500),
            duration_ms=int(obj.get("duration_ms") or 0),
            explicit=bool(obj.get("explicit")),
            isrc=text((obj.get("external_ids") or {}).get("isrc"), 20),
            album_id=album_id,
            artist_ids=tuple(artist_ids),
            popularity=obj.get("popularity"),
        )
        self.tracks[track.spotify_id] = track
        return track.spotify_id


def text(value: Any, limit: int) -> str:
    return str(value)[:limit] if value else ""


def image_url(images: Any) -> str:
    # Spotify lists the largest first; a URL too long to store is no use cut short.
    if not images:
        return ""
    url = (images[0] or {}).get("url") or ""
    return url if len(url) <= 500 else ""
