"""Catalog records → Spotify JSON objects, shaped by the app mode.

Development mode applies Spotify's February 2026 rules for Development Mode
apps: the removed fields are left out and playlists use `items`/`item` only.
Extended mode is the older full surface and carries both the old and the new
field names, as Spotify does while the old ones are deprecated.
"""

from __future__ import annotations

from typing import Any

from sandbox.catalog.models import EPISODE, LOCAL, TRACK, Catalog, Entry, User
from sandbox.config import EXTENDED, ShapeConfig
from sandbox.ids import derive_id
from sandbox.playlists import PlaylistState

# A short, fixed market list: real responses carry ~185 codes, which only bloats the sandbox.
MARKETS = (
    "AR",
    "AU",
    "BR",
    "CA",
    "DE",
    "ES",
    "FR",
    "GB",
    "IE",
    "IT",
    "JP",
    "KR",
    "MX",
    "NL",
    "NO",
    "SE",
    "US",
)
OPEN = "https://open.spotify.com"
# Response-shape switches (sandbox.config.ShapeConfig): which tracks they touch, by catalog index.
NULL_PROBE_EVERY = 5
RELINK_EVERY = 7
ROW_SHAPE_CYCLE = ("item", "track", "both", "item_null")


class Renderer:
    def __init__(
        self,
        *,
        catalog: Catalog,
        mode: str,
        site: str,
        shapes: ShapeConfig | None = None,
        artist_genres: bool = True,
        users: dict[str, User] | None = None,
    ) -> None:
        self.catalog = catalog
        # The seeded users and those created at run time (SandboxState.users).
        self.users = catalog.users if users is None else users
        self.artist_genres = artist_genres  # False: genres withheld (RuntimeConfig.artist_genres)
        self.extended = mode == EXTENDED
        self.shapes = shapes or ShapeConfig()
        self.site = site
        self.api = f"{site}/v1"

    # --- shared pieces -------------------------------------------------------
    def images(self, key: str) -> list[dict[str, Any]]:
        # Served by the sandbox itself (/image/...), so the offline demo shows covers.
        return [
            {"url": f"{self.site}/image/{key}?size={size}", "height": size, "width": size}
            for size in (640, 300, 64)
        ]

    def _ref(self, kind: str, spotify_id: str) -> dict[str, Any]:
        return {
            "external_urls": {"spotify": f"{OPEN}/{kind}/{spotify_id}"},
            "href": f"{self.api}/{kind}s/{spotify_id}",
            "id": spotify_id,
            "type": kind,
            "uri": f"spotify:{kind}:{spotify_id}",
        }

    # --- artists, albums, tracks ---------------------------------------------
    def artist_simple(self, index: int) -> dict[str, Any]:
        artist = self.catalog.artists[index]
        return {**self._ref("artist", artist.id), "name": artist.name}

    def artist_full(self, index: int) -> dict[str, Any]:
        artist = self.catalog.artists[index]
        genres = list(artist.genres) if self.artist_genres else []
        body = {**self.artist_simple(index), "genres": genres, "images": self.images(artist.id)}
        if self.extended:
            body["followers"] = {"href": None, "total": artist.followers}
            body["popularity"] = artist.popularity
        return body

    def album_simple(self, index: int) -> dict[str, Any]:
        album = self.catalog.albums[index]
        body = {
            "album_type": album.album_type,
            "total_tracks": album.total_tracks,
            **self._ref("album", album.id),
            "images": self.images(album.id),
            "name": album.name,
            "release_date": album.release_date,
            "release_date_precision": album.release_date_precision,
            "artists": [self.artist_simple(a) for a in album.artists],
        }
        if self.extended:
            body["available_markets"] = list(MARKETS)
        return body

    def album_full(self, index: int, *, tracks_page: dict[str, Any]) -> dict[str, Any]:
        album = self.catalog.albums[index]
        year = album.release_date[:4]
        body = {
            **self.album_simple(index),
            "tracks": tracks_page,
            "copyrights": [
                {"text": f"© {year} {album.label}", "type": "C"},
                {"text": f"℗ {year} {album.label}", "type": "P"},
            ],
            "external_ids": {"upc": album.upc},
            # Spotify documents album genres as "always empty" (deprecated).
            "genres": [],
        }
        if self.extended:
            body["label"] = album.label
            body["popularity"] = album.popularity
        return body

    def track_simple(self, index: int) -> dict[str, Any]:
        track = self.catalog.tracks[index]
        body = {
            "artists": [self.artist_simple(a) for a in track.artists],
            "disc_number": track.disc_number,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            **self._ref("track", track.id),
            "is_local": False,
            "name": track.name,
            "preview_url": None,
            "track_number": track.track_number,
        }
        if self.extended:
            body["available_markets"] = list(MARKETS)
        return body

    def track_full(self, index: int) -> dict[str, Any]:
        track = self.catalog.tracks[index]
        body = {
            "album": self.album_simple(track.album),
            **self.track_simple(index),
            # Removed in February 2026, restored in March 2026 (isrc matters for matching).
            "external_ids": {"isrc": track.isrc},
        }
        if self.extended:
            body["popularity"] = track.popularity
        if self.shapes.probe_null_entries and index % NULL_PROBE_EVERY == 1:
            # Spec-breaking probe (see ShapeConfig): nulls where the spec allows only objects.
            body["artists"].insert(1, None)
            body["album"]["artists"].append(None)
            body["album"]["images"].insert(0, None)
        return body

    def played_track(self, index: int, *, market: bool) -> dict[str, Any]:
        """A track as /me/top/tracks and recently-played serve it: relinked when switched on.

        Spotify relinks a track a market cannot play to another copy of it; asked with a
        `market`, it answers the playable copy with `linked_from` naming the original,
        without one (as recorded), only the substitute's id, which two songs may share.
        """
        body = self.track_full(index)
        substitute = self.relinked_id(index)
        if substitute is None:
            return body
        original = {key: body[key] for key in ("external_urls", "href", "id", "type", "uri")}
        body.update(self._ref("track", substitute))
        # The playable copy is usually another release of the song (a compilation, a reissue):
        # another album, which must not become the original track's album in a client's catalog.
        other = self.catalog.tracks[(index + 1) % len(self.catalog.tracks)]
        if other.album != self.catalog.tracks[index].album:
            body["album"] = self.album_simple(other.album)
        if market:
            body["linked_from"] = original
            body["is_playable"] = True
        return body

    def relinked_id(self, index: int) -> str | None:
        """The substitute id of a relinked track (every RELINK_EVERY-th; two share one), or None."""
        if not self.shapes.relink_tracks or index % RELINK_EVERY != RELINK_EVERY // 2:
            return None
        return derive_id(seed=self.catalog.seed, kind="relinked-track", ordinal=index // (2 * RELINK_EVERY))

    def local_track(self, index: int) -> dict[str, Any]:
        """A local file as Spotify returns it: no ids, no hrefs, an empty album shell."""
        local = self.catalog.local_files[index]
        return {
            "album": {
                "album_type": None,
                "artists": [],
                "available_markets": [],
                "external_urls": {},
                "href": None,
                "id": None,
                "images": [],
                "name": local.album,
                "release_date": None,
                "release_date_precision": None,
                "type": "album",
                "uri": None,
            },
            "artists": [
                {
                    "external_urls": {},
                    "href": None,
                    "id": None,
                    "name": local.artist,
                    "type": "artist",
                    "uri": None,
                }
            ],
            "available_markets": [],
            "disc_number": 0,
            "duration_ms": local.duration_ms,
            "explicit": False,
            "external_ids": {},
            "external_urls": {},
            "href": None,
            "id": None,
            "is_local": True,
            "name": local.name,
            "popularity": 0,
            "preview_url": None,
            "track_number": 0,
            "type": "track",
            "uri": local.uri,
        }

    # --- podcasts ------------------------------------------------------------
    def show_simple(self, index: int) -> dict[str, Any]:
        show = self.catalog.shows[index]
        body = {
            "copyrights": [],
            "description": show.description,
            "html_description": f"<p>{show.description}</p>",
            "explicit": show.explicit,
            **self._ref("show", show.id),
            "images": self.images(show.id),
            "is_externally_hosted": False,
            "languages": [show.language],
            "media_type": "audio",
            "name": show.name,
            "total_episodes": show.total_episodes,
        }
        if self.extended:
            body["available_markets"] = list(MARKETS)
            body["publisher"] = show.publisher
        return body

    def episode_full(self, index: int) -> dict[str, Any]:
        episode = self.catalog.episodes[index]
        return {
            "audio_preview_url": None,
            "description": episode.description,
            "html_description": f"<p>{episode.description}</p>",
            "duration_ms": episode.duration_ms,
            "explicit": episode.explicit,
            **self._ref("episode", episode.id),
            "images": self.images(episode.id),
            "is_externally_hosted": False,
            "is_playable": True,
            "language": "en",
            "languages": ["en"],
            "name": episode.name,
            "release_date": episode.release_date,
            "release_date_precision": "day",
            "show": self.show_simple(episode.show),
        }

    # --- users ---------------------------------------------------------------
    def playlist_user(self, user_id: str, *, with_name: bool = False) -> dict[str, Any]:
        body = self._ref("user", user_id)
        if with_name:
            user = self.users.get(user_id)
            body["display_name"] = user.display_name if user else None
        return body

    def user_public(self, user: User) -> dict[str, Any]:
        body = {**self._ref("user", user.id), "display_name": user.display_name, "images": []}
        if self.extended:
            body["followers"] = {"href": None, "total": user.followers}
        return body

    def user_private(self, user: User, *, scopes: frozenset[str]) -> dict[str, Any]:
        body = {
            **self._ref("user", user.id),
            "account_id": user.account_id,
            "display_name": user.display_name,
            "images": [],
        }
        if self.extended:
            body["followers"] = {"href": None, "total": user.followers}
            if "user-read-email" in scopes:
                body["email"] = user.email
            if "user-read-private" in scopes:
                body["country"] = user.country
                body["product"] = user.product
                body["explicit_content"] = {"filter_enabled": False, "filter_locked": False}
        return body

    # --- playlists -----------------------------------------------------------
    def entry(self, entry: Entry, *, episodes: bool) -> dict[str, Any]:
        if entry.kind == TRACK:
            item = self.track_full(entry.ref)
        elif entry.kind == LOCAL:
            item = self.local_track(entry.ref)
        elif entry.kind == EPISODE and episodes:
            item = self.episode_full(entry.ref)
        else:
            # Unavailable tracks come back as null; so do episodes for clients
            # that did not ask for them with additional_types=episode.
            item = None
        body = {
            "added_at": entry.added_at,
            "added_by": self.playlist_user(entry.added_by),
            "is_local": entry.kind == LOCAL,
        }
        shape = self.shapes.playlist_rows or ("both" if self.extended else "item")
        if shape == "mixed":
            shape = ROW_SHAPE_CYCLE[entry.ref % len(ROW_SHAPE_CYCLE)]
        if shape in {"item", "both"}:
            body["item"] = item
        if shape in {"track", "both", "item_null"}:
            body["track"] = item
        if shape == "item_null":
            body["item"] = None
        return body

    def playlist_simple(self, playlist: PlaylistState) -> dict[str, Any]:
        total = len(playlist.entries)
        body = {
            "collaborative": playlist.collaborative,
            "description": playlist.description,
            **self._ref("playlist", playlist.id),
            "images": self.images(playlist.id) if total else [],
            "name": playlist.name,
            "owner": self.playlist_user(playlist.owner, with_name=True),
            "public": playlist.public,
            "snapshot_id": playlist.snapshot_id,
            "items": {"href": f"{self.api}/playlists/{playlist.id}/items", "total": total},
        }
        if self.extended:
            body["tracks"] = {"href": f"{self.api}/playlists/{playlist.id}/tracks", "total": total}
        return body

    def playlist_full(self, playlist: PlaylistState, *, items_page: dict[str, Any] | None) -> dict[str, Any]:
        body = self.playlist_simple(playlist)
        body["followers"] = {"href": None, "total": playlist.followers}
        del body["items"]
        if items_page is not None:
            body["items"] = items_page
        if self.extended and items_page is not None:
            body["tracks"] = items_page
        return body
