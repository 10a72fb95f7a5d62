"""Helpers for bench/route.py: the catalog read with plain HTTP, the children's filters, and
what each child should hold, worked out from what the sandbox serves (not from our mirror,
metadata fetcher or route service), so a wrong write shows up as a failed check."""

from __future__ import annotations

import math
import random
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from sandbox.ids import derive_id  # the catalog's track ids: ordinals 0..tracks-1 of its seed

BATCH = 50  # GET /v1/tracks?ids= and /v1/artists?ids= (Extended mode)
# name, mode, filters: realistic rules over the fields a listener picks most.
CHILDREN = (
    ("Rock", "rebuild", {"match": "all", "conditions": [{"field": "genre", "op": "any_of", "value": ["rock"]}]}),
    (
        "Before 2000",
        "rebuild",
        {"match": "all", "conditions": [{"field": "release_year", "op": "between", "value": {"min": None, "max": 1999}}]},
    ),
    ("Clean", "add_only", {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": False}]}),
    (
        "Three to five minutes",
        "rebuild",
        {"match": "all", "conditions": [{"field": "duration", "op": "between", "value": {"min": 180, "max": 300}}]},
    ),
    (
        "Unplugged, no beats",
        "rebuild",
        {
            "match": "all",
            "conditions": [
                {"field": "genre", "op": "none_of", "value": ["electronic", "hip hop", "house", "techno"]},
                {
                    "match": "any",
                    "conditions": [
                        {"field": "keyword", "op": "contains", "value": "live"},
                        {"field": "keyword", "op": "contains", "value": "acoustic"},
                        {"field": "keyword", "op": "contains", "value": "remaster"},
                    ],
                },
            ],
        },
    ),
)  # fmt: skip


class SpotifyHttp:
    """Plain HTTP to the sandbox's Web API as one user (set-up and checks; never counted)."""

    def __init__(self, url: str, token: str) -> None:
        self.api = f"{url}/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = self.http.request(method, url, timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def create_playlist(self, name: str) -> str:
        return self._json("POST", f"{self.api}/me/playlists", json={"name": name})["id"]

    def track_ids(self, playlist_id: str) -> list[str]:
        """The playlist's track ids in order (50 a page: /items answers in both modes)."""
        ids: list[str] = []
        url = f"{self.api}/playlists/{playlist_id}/items?limit=50&additional_types=track,episode"
        while url:
            page = self._json("GET", url)
            for row in page["items"]:
                obj = row.get("item", row.get("track")) or {}
                if obj.get("type") == "track" and obj.get("id") and not row.get("is_local"):
                    ids.append(obj["id"])
            url = page["next"]
        return ids

    def several(self, kind: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Catalog objects by id through the batch endpoint (the sandbox must be in Extended mode)."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), BATCH):
            page = self._json(
                "GET", f"{self.api}/{kind}", params={"ids": ",".join(ids[start : start + BATCH])}
            )
            found.update({obj["id"]: obj for obj in page[kind] if obj})
        return found


@contextmanager
def latency(sandbox, latency_ms: int):
    """Every /v1 request waits latency_ms, as a far-away Spotify would; only for measured runs."""
    sandbox.control(
        "POST",
        "faults",
        {"method": "*", "path": "/v1/*", "kind": "latency", "latency_ms": latency_ms, "count": 10**9},
    )
    try:
        yield
    finally:
        sandbox.control("DELETE", "faults")


# --- the catalog as the sandbox serves it ------------------------------------------------
@dataclass
class Catalog:
    tracks: dict[str, dict[str, Any]]  # track id -> track object
    genres: dict[str, tuple[str, ...]]  # artist id -> genres

    def artists_of(self, track_ids: list[str]) -> set[str]:
        return {artist["id"] for tid in track_ids for artist in self.tracks[tid]["artists"]}

    def facts(self, track_ids: list[str]):
        from routing.filters import ArtistFacts, TrackFacts

        def year(obj: dict[str, Any]) -> int | None:
            text = ((obj.get("album") or {}).get("release_date") or "")[:4]
            return int(text) if text.isdigit() and int(text) > 0 else None

        return [
            TrackFacts(
                track_id=tid,
                name=obj["name"],
                artists=tuple(
                    ArtistFacts(spotify_id=a["id"], name=a["name"], genres=self.genres.get(a["id"], ()))
                    for a in obj["artists"]
                ),
                release_year=year(obj),
                duration_ms=obj["duration_ms"],
                explicit=obj["explicit"],
            )
            for tid in track_ids
            for obj in (self.tracks[tid],)
        ]


def sample_catalog(sandbox, http: SpotifyHttp, *, count: int, seed: int = 2026) -> tuple[list[str], Catalog]:
    """`count` distinct catalog tracks drawn at random (a listener's base spans many artists),
    with their objects and their artists' genres. Call with the sandbox in Extended mode."""
    stats = sandbox.control("GET", "stats")
    if stats["tracks"] < count:
        raise SystemExit(
            f"the sandbox catalog has {stats['tracks']} tracks, fewer than {count}: raise --scale"
        )
    ordinals = random.Random(seed).sample(range(stats["tracks"]), count)
    ids = [derive_id(seed=stats["seed"], kind="track", ordinal=n) for n in ordinals]
    tracks = http.several("tracks", ids)
    assert len(tracks) == count, "the sandbox did not serve every sampled track id"
    artist_ids = sorted({a["id"] for obj in tracks.values() for a in obj["artists"]})
    artists = http.several("artists", artist_ids)
    genres = {aid: tuple(str(g).lower() for g in obj.get("genres") or ()) for aid, obj in artists.items()}
    return ids, Catalog(tracks=tracks, genres=genres)


def expected_children(
    catalog: Catalog,
    base_ids: list[str],
    children: list[tuple[str, str, dict]],
    before: dict[str, list[str]],
    mode: str,
) -> dict[str, list[str]]:
    """What each child (spotify id, mode, filters) should hold after a route of `base_ids`:
    rebuild = the base's matching tracks in base order; add_only = what it held, then the
    matching tracks it lacked, in base order (the route appends)."""
    from routing.filters import route_tracks, validate_filters

    targets = route_tracks(
        facts=catalog.facts(base_ids),
        children=[(pid, validate_filters(filters, mode=mode)) for pid, _, filters in children],
        first_match_only=False,
    )
    expected = {}
    for pid, child_mode, _ in children:
        if child_mode == "rebuild":
            expected[pid] = targets[pid]
        else:
            held = set(before[pid])
            expected[pid] = [*before[pid], *(tid for tid in targets[pid] if tid not in held)]
    return expected


# --- one child's writes, against the targets ---------------------------------------------
@dataclass
class ChildWrites:
    name: str
    mode: str
    before: list[str]
    after: list[str]
    expected: list[str]
    writes: int  # POST + DELETE requests the route made for this child

    @property
    def added(self) -> int:
        return len(set(self.after) - set(self.before))

    @property
    def removed(self) -> int:
        return len(set(self.before) - set(self.after))

    @property
    def target(self) -> int:
        """The issue's target: ceil(changed tracks / 100)."""
        return math.ceil((self.added + self.removed) / 100)

    @property
    def per_endpoint(self) -> int:
        """Additions (POST) and removals (DELETE) cannot share a request: ceil(a/100) + ceil(r/100)."""
        return math.ceil(self.added / 100) + math.ceil(self.removed / 100)

    @property
    def wipe_and_replace(self) -> int:
        """What the replaced system sent for the same change: remove everything, add everything."""
        return math.ceil(len(self.before) / 100) + math.ceil(len(self.after) / 100)

    @property
    def correct(self) -> bool:
        return self.after == self.expected and len(set(self.after)) == len(self.after)
