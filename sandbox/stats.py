"""Catalog and library figures for GET /_sandbox/stats (current state, so edits show up)."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from sandbox.catalog.models import EPISODE, LOCAL, TRACK, UNAVAILABLE
from sandbox.state import SandboxState


def catalog_stats(state: SandboxState) -> dict[str, Any]:
    catalog = state.catalog
    tracks = catalog.tracks
    genre_counts = Counter(genre for artist in catalog.artists for genre in artist.genres)
    years = [int(album.release_date[:4]) for album in catalog.albums]
    return {
        "seed": catalog.seed,
        "scale": catalog.scale,
        "generation_ms": catalog.generation_ms,
        "artists": len(catalog.artists),
        "artists_without_genres": sum(1 for artist in catalog.artists if not artist.genres),
        "albums": len(catalog.albums),
        "tracks": len(tracks),
        "shows": len(catalog.shows),
        "episodes": len(catalog.episodes),
        "explicit_share": round(sum(1 for t in tracks if t.explicit) / len(tracks), 4),
        "release_years": {"min": min(years), "max": max(years)},
        "release_date_precision": dict(Counter(album.release_date_precision for album in catalog.albums)),
        "genres": {
            "count": len(genre_counts),
            "families": {family: len(genres) for family, genres in catalog.genres.items()},
            "top": [genre for genre, _ in genre_counts.most_common(15)],
        },
        "users": {user_id: user_stats(state, user_id) for user_id in state.users},
    }


def user_stats(state: SandboxState, user_id: str) -> dict[str, Any]:
    catalog = state.catalog
    listed = [state.playlists[pid] for pid in state.libraries.get(user_id, [])]
    owned = [pl for pl in listed if pl.owner == user_id]
    sizes = sorted(len(pl.entries) for pl in owned)
    kinds = Counter(entry.kind for pl in owned for entry in pl.entries)
    track_refs = [entry.ref for pl in owned for entry in pl.entries if entry.kind == TRACK]
    library = state.personal.get(user_id)
    return {
        "display_name": state.users[user_id].display_name,
        "signable": state.users[user_id].signable,
        "playlists_listed": len(listed),
        "playlists_owned": len(owned),
        "playlists_followed": sum(
            1 for pl in listed if pl.owner != user_id and user_id not in pl.collaborators
        ),
        "playlists_collaborative": sum(1 for pl in listed if pl.collaborative),
        "items": sum(sizes),
        "items_by_kind": {kind: kinds.get(kind, 0) for kind in (TRACK, LOCAL, UNAVAILABLE, EPISODE)},
        "unique_tracks": len(set(track_refs)),
        "explicit_share": round(sum(1 for r in track_refs if catalog.tracks[r].explicit) / len(track_refs), 4)
        if track_refs
        else 0.0,
        "playlist_sizes": {
            "min": sizes[0],
            "median": statistics.median(sizes),
            "max": sizes[-1],
            "over_1000": sum(1 for s in sizes if s > 1000),
            "under_50": sum(1 for s in sizes if s < 50),
        }
        if sizes
        else None,
        "liked_tracks": len(library.liked) if library else 0,
        "plays": len(library.plays) if library else 0,
    }
