"""Helpers for the import tests: a user connected to the sandbox, and what the sandbox serves.

`spotify_library()` reads a user's library straight from the sandbox's Web API with plain
HTTP (not through our client or parser), so the tests compare our mirror with what
Spotify-the-sandbox actually serves rather than with numbers written down by hand.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta
from typing import Any

import requests
from django.db import connection
from django.utils import timezone

from accounts.models import User
from library.models import LIKED_SONGS_ID, ItemKind, ItemsStatus, Playlist, PlaylistItem, PlaylistKind, Track
from sync.models import ImportScope, SyncEvent
from sync.services.importer import run_import
from tests.accounts.factories import SpotifyCredentialFactory
from tests.sync.factories import SyncEventFactory

ITEMS_ROUTE = "GET /v1/playlists/{playlist_id}/items"
LEGACY_ITEMS_ROUTE = "GET /v1/playlists/{playlist_id}/tracks"
LISTING_ROUTE = "GET /v1/me/playlists"
LIKED_ROUTE = "GET /v1/me/tracks"


def connect(sandbox, *, spotify_user: str = "other") -> User:
    """A Linernotes user holding real sandbox tokens for `spotify_user`, as after a sign-in."""
    grant = sandbox.issue_token(user=spotify_user)
    credential = SpotifyCredentialFactory(
        spotify_user_id=spotify_user,
        access_token=grant["access_token"],
        refresh_token=grant["refresh_token"],
        expires_at=timezone.now() + timedelta(seconds=int(grant["expires_in"])),
        scopes=grant.get("scope") or "",
    )
    return credential.user


def import_library(user: User, *, scope: str = ImportScope.INCREMENTAL) -> SyncEvent:
    """Queue an import and run it right here, as the task would."""
    event = SyncEventFactory(user=user, scope=scope)
    return run_import(event_id=event.pk)


def set_mode(sandbox, settings, mode: str) -> None:
    settings.SPOTIFY_APP_MODE = mode
    sandbox.configure(mode=mode)


def route_counts(sandbox) -> dict[str, int]:
    return dict(sandbox.counters()["by_route"])


def requests_since(before: dict[str, int], sandbox) -> dict[str, int]:
    """Requests per route template since `before` (a route_counts() result), zeros left out."""
    after = route_counts(sandbox)
    return {
        route: after[route] - before.get(route, 0) for route in after if after[route] != before.get(route, 0)
    }


def pages(items: int, page_size: int) -> int:
    return math.ceil(items / page_size)


# --- what the sandbox serves ---------------------------------------------------------
@dataclasses.dataclass
class SpotifyLibrary:
    playlists: list[dict[str, Any]]  # /me/playlists objects, in Spotify's order
    items: dict[str, list[dict[str, Any]] | None]  # rows per playlist id; None when refused (403)
    liked: list[dict[str, Any]]  # /me/tracks rows, newest first

    def playlist(self, name: str) -> dict[str, Any]:
        return next(obj for obj in self.playlists if obj["name"] == name)

    def total(self, playlist_id: str) -> int:
        obj = next(obj for obj in self.playlists if obj["id"] == playlist_id)
        return obj["items"]["total"]


def spotify_library(sandbox, *, spotify_user: str = "other") -> SpotifyLibrary:
    """Read `spotify_user`'s whole library from the sandbox's Web API, in the sandbox's current mode."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {sandbox.issue_token(user=spotify_user)['access_token']}"

    def every_row(url: str) -> list[dict[str, Any]] | None:
        rows: list[dict[str, Any]] = []
        while url:
            response = http.get(url, timeout=10)
            if response.status_code == 403:
                return None
            response.raise_for_status()
            page = response.json()
            rows.extend(page["items"])
            url = page["next"]
        return rows

    api = sandbox.api_url
    playlists = every_row(f"{api}/me/playlists?limit=50") or []
    items = {
        obj["id"]: every_row(f"{api}/playlists/{obj['id']}/items?limit=50&additional_types=track,episode")
        for obj in playlists
    }
    return SpotifyLibrary(
        playlists=playlists, items=items, liked=every_row(f"{api}/me/tracks?limit=50") or []
    )


def expected_item(row: dict[str, Any], position: int) -> tuple:
    """(position, kind, track id, added_at, added_by, name) as the mirror should hold a row."""
    obj = row.get("item", row.get("track"))
    added_at = datetime.fromisoformat(row["added_at"]) if row.get("added_at") else None
    added_by = (row.get("added_by") or {}).get("id", "")
    if row.get("is_local"):
        return (position, ItemKind.LOCAL, None, added_at, added_by, obj["name"])
    if obj is None:
        return (position, ItemKind.UNAVAILABLE, None, added_at, added_by, "")
    if obj["type"] == "episode":
        return (position, ItemKind.EPISODE, None, added_at, added_by, obj["name"])
    return (position, ItemKind.TRACK, obj["id"], added_at, added_by, "")


def mirrored_items(playlist: Playlist) -> list[tuple]:
    return [
        (item.position, item.kind, item.track_id, item.added_at, item.added_by, item.local_name or item.name)
        for item in playlist.items.order_by("position")
    ]


def assert_mirror_matches(user: User, library: SpotifyLibrary) -> None:
    """The user's mirror equals what the sandbox serves: playlists, items in order, catalog rows.
    (A playlist marked "not seen on Spotify" stays in the mirror until a second import misses it.)"""
    mirrored = list(
        Playlist.objects.filter(user=user, kind=PlaylistKind.PLAYLIST, missing_since__isnull=True).order_by(
            "list_position"
        )
    )
    assert [p.spotify_id for p in mirrored] == [obj["id"] for obj in library.playlists]
    for playlist, obj in zip(mirrored, library.playlists, strict=True):
        assert (
            playlist.name,
            playlist.description,
            playlist.public,
            playlist.collaborative,
            playlist.owner_spotify_id,
            playlist.owner_name,
            playlist.snapshot_id,
            playlist.items_total,
        ) == (
            obj["name"],
            obj["description"],
            obj["public"],
            obj["collaborative"],
            obj["owner"]["id"],
            obj["owner"]["display_name"],
            obj["snapshot_id"],
            obj["items"]["total"],
        ), obj["name"]
        rows = library.items[obj["id"]]
        if rows is None:
            assert playlist.items_status == ItemsStatus.NOT_AVAILABLE, obj["name"]
            assert playlist.track_count == 0 and not playlist.items.exists(), obj["name"]
            continue
        assert playlist.items_status == ItemsStatus.AVAILABLE, obj["name"]
        assert playlist.track_count == playlist.items_total == len(rows), obj["name"]
        assert mirrored_items(playlist) == [expected_item(row, n) for n, row in enumerate(rows)], obj["name"]
        _assert_catalog_has(row.get("item", row.get("track")) for row in rows)

    liked = Playlist.objects.get(user=user, spotify_id=LIKED_SONGS_ID)
    assert liked.kind == PlaylistKind.LIKED_SONGS and liked.list_position == 0
    assert liked.track_count == liked.items_total == len(library.liked)
    assert mirrored_items(liked) == [expected_item(row, n) for n, row in enumerate(library.liked)]
    _assert_catalog_has(row["track"] for row in library.liked)


def _assert_catalog_has(objects) -> None:
    tracks = [obj for obj in objects if obj and obj.get("type") == "track" and obj.get("id")]
    stored = {
        track.spotify_id: track
        for track in Track.objects.filter(spotify_id__in=[t["id"] for t in tracks]).prefetch_related(
            "credits"
        )
    }
    for obj in tracks:
        track = stored[obj["id"]]
        assert (track.name, track.duration_ms, track.explicit, track.album_id, track.isrc) == (
            obj["name"],
            obj["duration_ms"],
            obj["explicit"],
            obj["album"]["id"],
            obj["external_ids"]["isrc"],
        )
        assert [credit.artist_id for credit in track.credits.all()] == [a["id"] for a in obj["artists"]]


def item_ids(playlist: Playlist) -> list[int]:
    """Row ids, which change only when the items were rewritten."""
    return list(
        PlaylistItem.objects.filter(playlist=playlist).order_by("position").values_list("pk", flat=True)
    )


def sqlite_batches(rows: int, *, tables: int = 5) -> int:
    """Extra statements Django needs on SQLite for a bulk write of `rows` rows to each table.

    Django 5.2 caps a SQLite statement at 999 variables (about 99 rows of our widest table),
    so a long playlist costs one more statement per ~99 rows per table; PostgreSQL takes
    every row in one statement. An import writes five tables in bulk: artists, albums,
    tracks, credits and items.
    """
    if connection.vendor != "sqlite":
        return 0
    return tables * (math.ceil(rows / 99) - 1)


# --- turns (an import giving its worker to other listeners) ----------------------------------
RUN_IMPORT = "sync.tasks.run_import"


def someone_waiting() -> SyncEvent:
    """Another listener's import, handed to the broker and waiting for an interactive worker."""
    from tests.accounts.factories import UserFactory

    return SyncEventFactory(user=UserFactory(), enqueued_at=timezone.now())


def run_turn(event_id: int, capture, *, turn: int | None = None) -> SyncEvent:
    """Run the import's task once, committing (a turn given sends its task again after commit)."""
    with capture(execute=True):
        return run_import(event_id=event_id, turn=turn)
