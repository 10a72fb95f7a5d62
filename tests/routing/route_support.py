"""Helpers for the route tests: `other`'s library imported, children made on the sandbox, and
what the sandbox itself serves, read with plain HTTP (not through our client or parser), so
expectations come from Spotify-the-sandbox rather than from the code under test."""

from __future__ import annotations

from typing import Any

import requests
from django.utils import timezone

from library.models import Playlist
from routing.models import BasePlaylist, ChildMode, ChildPlaylist, MetadataWarmUp, RouteRun
from routing.services.route import run_route
from routing.services.warm_up import request_warm_up, run_warm_up

from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.routing.factories import RouteRunFactory
from tests.sync.import_support import connect, import_library, requests_since, set_mode

BASE_NAME = "Gym 2025"
POST_ITEMS = "POST /v1/playlists/{playlist_id}/items"
DELETE_ITEMS = "DELETE /v1/playlists/{playlist_id}/items"
REPLACE_ITEMS = "PUT /v1/playlists/{playlist_id}/items"
ARTIST_ROUTE = "GET /v1/artists/{artist_id}"
ARTISTS_BATCH_ROUTE = "GET /v1/artists"
NOT_EXPLICIT = {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": False}]}
YEARS_2000_2015 = {
    "match": "all",
    "conditions": [{"field": "release_year", "op": "between", "value": {"min": 2000, "max": 2015}}],
}


class SpotifyAs:
    """Plain HTTP to the sandbox's Web API as one of its users."""

    def __init__(self, sandbox, *, user: str = "other") -> None:
        self.api = sandbox.api_url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {sandbox.issue_token(user=user)['access_token']}"

    def create_playlist(self, name: str) -> str:
        response = self.http.post(f"{self.api}/me/playlists", json={"name": name}, timeout=10)
        response.raise_for_status()
        return response.json()["id"]

    def rows(self, playlist_id: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        url = f"{self.api}/playlists/{playlist_id}/items?limit=50&additional_types=track,episode"
        while url:
            response = self.http.get(url, timeout=10)
            response.raise_for_status()
            page = response.json()
            rows.extend(page["items"])
            url = page["next"]
        return rows

    def tracks(self, playlist_id: str) -> list[dict[str, Any]]:
        """The playlist's track objects, in order."""
        objects = [row.get("item", row.get("track")) for row in self.rows(playlist_id)]
        return [obj for obj in objects if obj and obj.get("type") == "track" and obj.get("id")]

    def track_ids(self, playlist_id: str) -> list[str]:
        return [obj["id"] for obj in self.tracks(playlist_id)]

    def uris(self, playlist_id: str) -> list[str]:
        """Every row's URI in order ("" for a row with none): what a child holds, exactly."""
        return [(row.get("item") or row.get("track") or {}).get("uri") or "" for row in self.rows(playlist_id)]

    def artist_genres(self, artist_id: str) -> list[str]:
        response = self.http.get(f"{self.api}/artists/{artist_id}", timeout=10)
        response.raise_for_status()
        return response.json()["genres"]

    def add(self, playlist_id: str, uris: list[str]) -> None:
        for start in range(0, len(uris), 100):
            response = self.http.post(
                f"{self.api}/playlists/{playlist_id}/items",
                json={"uris": uris[start : start + 100]},
                timeout=10,
            )
            response.raise_for_status()


def imported_base(sandbox, settings, *, mode: str = "development", name: str = BASE_NAME):
    """`other` connected and imported in `mode`; their playlist `name` made a base. Returns (user, base)."""
    set_mode(sandbox, settings, mode)
    user = connect(sandbox)
    import_library(user)
    playlist = Playlist.objects.get(user=user, name=name)
    return user, BasePlaylistFactory(user=user, playlist=playlist)


def add_child(
    sandbox, base: BasePlaylist, *, name: str, filters: dict, mode: str = ChildMode.REBUILD, routed: bool = False
) -> ChildPlaylist:
    """A child on a fresh (empty) playlist `other` owns on the sandbox. `routed`: as if routes had
    run before (so its next route removes without the first route's question)."""
    spotify_id = SpotifyAs(sandbox).create_playlist(name)
    return ChildPlaylistFactory(
        base=base,
        spotify_id=spotify_id,
        name=name,
        filters=filters,
        mode=mode,
        routed_at=timezone.now() if routed else None,
    )


def route(base: BasePlaylist) -> RouteRun:
    """Queue a route of `base` and run it right here, as the task would."""
    event = RouteRunFactory(base=base)
    return run_route(run_id=event.pk)


def warm_up_here(base: BasePlaylist) -> MetadataWarmUp:
    """Look the base's artists up right here, as the warm-up task a preview queues would on the
    cluster (in one go: no time slices)."""
    claimed = request_warm_up(base=base)
    run_warm_up(base_id=base.pk, claim=claimed.claim, slice_seconds=3600)
    return MetadataWarmUp.objects.get(base=base)


def writes_since(before: dict[str, int], sandbox) -> int:
    """Write requests to any playlist's items since `before` (an import_support.route_counts())."""
    sent = requests_since(before, sandbox)
    return sum(sent.get(route, 0) for route in (POST_ITEMS, DELETE_ITEMS, REPLACE_ITEMS))


def unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def expected_not_explicit(tracks: list[dict[str, Any]]) -> list[str]:
    return unique([obj["id"] for obj in tracks if obj["explicit"] is False])


def expected_years(tracks: list[dict[str, Any]], low: int, high: int) -> list[str]:
    def year(obj: dict[str, Any]) -> int | None:
        text = (obj.get("album") or {}).get("release_date") or ""
        return int(text[:4]) if text[:4].isdigit() and int(text[:4]) > 0 else None

    return unique([obj["id"] for obj in tracks if (y := year(obj)) is not None and low <= y <= high])
