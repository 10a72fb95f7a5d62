"""Every Spotify Web API call the product makes, one typed keyword-only function each.

The rest of the code calls these, never spotipy: so the request each one sends (path,
query, body) is decided here once, and spotipy stays an implementation detail of this app.
They send exactly what the callers used to send through spotipy, because request counts
per endpoint are part of what runs record and benchmarks compare.

Errors: everything `SpotifyClient` raises (spotify.errors), and SpotifyRefused for a 4xx
that Spotify answers on purpose (404 gone, 403 not allowed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from spotipy import SpotifyException

from spotify.client import SpotifyClient
from spotify.errors import SpotifyRefused

__all__ = [
    "add_items",
    "api_base_url",
    "artist",
    "artists",
    "audio_features",
    "create_playlist",
    "me",
    "move_item",
    "my_playlists",
    "next_page",
    "playlist",
    "playlist_items",
    "recently_played",
    "remove_items",
    "replace_items",
    "saved_tracks",
    "top_artists",
    "top_tracks",
    "track",
]

Page = dict[str, Any]
T = TypeVar("T")
PLAYLIST_ITEM_TYPES = ("track", "episode")


def _refusals_translated(call: Callable[[], T]) -> T:
    """spotipy raises SpotifyException for a 4xx; callers outside this app catch our own type."""
    try:
        return call()
    except SpotifyException as exc:
        raise SpotifyRefused.from_spotipy(exc) from exc


def api_base_url(*, client: SpotifyClient) -> str:
    """The Web API's base URL without a trailing slash (the prefetcher builds page URLs on it)."""
    return client.api.prefix.rstrip("/")


# --- the listener -------------------------------------------------------------------------
def me(*, client: SpotifyClient) -> dict[str, Any]:
    """GET /me: the listener's profile."""
    return _refusals_translated(lambda: client.api.me())


def my_playlists(*, client: SpotifyClient, limit: int, offset: int = 0) -> Page:
    """GET /me/playlists: one page of the listener's playlist list (at most 50)."""
    return _refusals_translated(lambda: client.api.current_user_playlists(limit=limit, offset=offset))


def saved_tracks(*, client: SpotifyClient, limit: int, offset: int = 0) -> Page:
    """GET /me/tracks: one page of Liked Songs, newest first (at most 50)."""
    return _refusals_translated(lambda: client.api.current_user_saved_tracks(limit=limit, offset=offset))


# Asked of every track list we store from: with a market Spotify relinks openly (the copy it
# serves names the original in `linked_from`, which spotify.parsing keeps); without one it
# may hand back a substitute id in the original's place, which joins with nothing we hold.
RELINK_MARKET = "from_token"


def recently_played(*, client: SpotifyClient, limit: int, after_ms: int | None = None) -> Page:
    """GET /me/player/recently-played: a cursor page of plays after `after_ms` (epoch ms)."""
    return _refusals_translated(
        lambda: client.api._get(
            "me/player/recently-played", limit=limit, after=after_ms, market=RELINK_MARKET
        )
    )


def top_tracks(*, client: SpotifyClient, limit: int, time_range: str) -> Page:
    """GET /me/top/tracks for one time range (short_term, medium_term, long_term)."""
    return _refusals_translated(
        lambda: client.api._get("me/top/tracks", time_range=time_range, limit=limit, market=RELINK_MARKET)
    )


def top_artists(*, client: SpotifyClient, limit: int, time_range: str) -> Page:
    """GET /me/top/artists for one time range."""
    return _refusals_translated(
        lambda: client.api.current_user_top_artists(limit=limit, time_range=time_range)
    )


# --- paging -----------------------------------------------------------------------------
def next_page(*, client: SpotifyClient, page: Page) -> Page | None:
    """The page after `page`, through Spotify's own `next` link; None when there is none."""
    return _refusals_translated(lambda: client.api.next(page))


# --- playlists ----------------------------------------------------------------------------
def playlist(*, client: SpotifyClient, playlist_id: str) -> dict[str, Any]:
    """GET /playlists/{id} with its first page of items embedded (tracks and episodes).

    Through spotipy's plain GET rather than its `playlist()`, which adds a `fields`/`market`
    query we do not want: the snapshot_id and embedded page are what callers need.
    """
    return _refusals_translated(
        lambda: client.api._get(f"playlists/{playlist_id}", additional_types=",".join(PLAYLIST_ITEM_TYPES))
    )


def playlist_items(*, client: SpotifyClient, playlist_id: str, limit: int, offset: int, legacy: bool) -> Page:
    """One page of a playlist's items from `offset`.

    `legacy`: the pre-2026 `/playlists/{id}/tracks`, 100 a page, which Extended-mode apps may
    still use; otherwise `/playlists/{id}/items`, 50 a page, as Development mode requires.
    """
    if legacy:
        return _refusals_translated(
            lambda: client.api._get(
                f"playlists/{playlist_id}/tracks",
                limit=limit,
                offset=offset,
                additional_types=",".join(PLAYLIST_ITEM_TYPES),
            )
        )
    return _refusals_translated(
        lambda: client.api.playlist_items(
            playlist_id, limit=limit, offset=offset, additional_types=PLAYLIST_ITEM_TYPES
        )
    )


def create_playlist(*, client: SpotifyClient, name: str, public: bool, description: str) -> dict[str, Any]:
    """POST /me/playlists: a new, empty playlist of the listener's; returns Spotify's object."""
    payload = {"name": name, "public": public, "description": description}
    return _refusals_translated(lambda: client.api._post("me/playlists", payload=payload))


def add_items(
    *, client: SpotifyClient, playlist_id: str, uris: Sequence[str], position: int | None = None
) -> str | None:
    """POST /playlists/{id}/items: insert `uris` at `position` (None: at the end). Returns
    the playlist's new snapshot_id."""
    body: dict[str, Any] = {"uris": list(uris)}
    if position is not None:
        body["position"] = position
    return _snapshot(lambda: client.api._post(f"playlists/{playlist_id}/items", payload=body))


def remove_items(*, client: SpotifyClient, playlist_id: str, uris: Sequence[str]) -> str | None:
    """DELETE /playlists/{id}/items: every copy of each of `uris`. Returns the new snapshot_id."""
    body = {"items": [{"uri": uri} for uri in uris]}
    return _snapshot(lambda: client.api._delete(f"playlists/{playlist_id}/items", payload=body))


def replace_items(*, client: SpotifyClient, playlist_id: str, uris: Sequence[str]) -> str | None:
    """PUT /playlists/{id}/items with `uris` (at most 100): the playlist holds exactly those
    afterwards, in one atomic request. Returns the new snapshot_id."""
    body = {"uris": list(uris)}
    return _snapshot(lambda: client.api._put(f"playlists/{playlist_id}/items", payload=body))


def move_item(*, client: SpotifyClient, playlist_id: str, range_start: int, insert_before: int) -> str | None:
    """PUT /playlists/{id}/items with a range of one: move the row at `range_start` to before
    `insert_before`. Returns the new snapshot_id."""
    body = {"range_start": range_start, "insert_before": insert_before, "range_length": 1}
    return _snapshot(lambda: client.api._put(f"playlists/{playlist_id}/items", payload=body))


def _snapshot(call: Callable[[], Any]) -> str | None:
    answer = _refusals_translated(call)
    return (answer or {}).get("snapshot_id") or None


# --- the catalog ----------------------------------------------------------------------------
def artists(*, client: SpotifyClient, artist_ids: Sequence[str]) -> list[dict[str, Any] | None]:
    """GET /artists?ids= (at most 50; Extended mode only, Development mode gets 403). The list
    holds None for an id Spotify does not know."""
    answer = _refusals_translated(lambda: client.api._get("artists", ids=",".join(artist_ids)))
    return list((answer or {}).get("artists") or [])


def artist(*, client: SpotifyClient, artist_id: str) -> dict[str, Any]:
    """GET /artists/{id}: one artist, as Development mode must ask."""
    return _refusals_translated(lambda: client.api._get(f"artists/{artist_id}"))


def track(*, client: SpotifyClient, track_id: str) -> dict[str, Any]:
    """GET /tracks/{id}: one track with its album and artists, as Development mode must ask
    (no batch lookup). SpotifyRefused with status 404 for an id Spotify does not know."""
    return _refusals_translated(lambda: client.api._get(f"tracks/{track_id}"))


def audio_features(*, client: SpotifyClient, track_ids: Sequence[str]) -> list[dict[str, Any] | None]:
    """GET /audio-features?ids= (at most 100): one row per id, None for an unknown one.
    Spotify refuses it (403/404) to apps it no longer allows."""
    answer = _refusals_translated(lambda: client.api._get("audio-features", ids=",".join(track_ids)))
    return list((answer or {}).get("audio_features") or [])
