"""The mutable layer over a seeded playlist, and the edits Spotify allows on it.

Every edit bumps the version and derives a fresh `snapshot_id`, like a real
Spotify write. Entries stay the seed's tuple until the first edit copies them
(copy-on-write), which keeps a reset cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sandbox.catalog.models import Entry, PlaylistSeed
from sandbox.errors import bad_request
from sandbox.ids import snapshot_id


class PlaylistState:
    __slots__ = (
        "id",
        "owner",
        "name",
        "description",
        "public",
        "collaborative",
        "collaborators",
        "followers",
        "entries",
        "version",
        "snapshot_id",
        "deleted",
    )

    def __init__(self, *, seed: PlaylistSeed | None = None, **fields: object) -> None:
        if seed is not None:
            fields = {
                "id": seed.id,
                "owner": seed.owner,
                "name": seed.name,
                "description": seed.description,
                "public": seed.public,
                "collaborative": seed.collaborative,
                "collaborators": seed.collaborators,
                "followers": seed.followers,
                "entries": seed.entries,
                # As if every seeded row had been one edit: versions look lived-in.
                "version": len(seed.entries) + 1,
            }
        for name in self.__slots__:
            if name not in {"snapshot_id", "deleted"}:
                setattr(self, name, fields[name])
        self.deleted = False
        self.snapshot_id = snapshot_id(playlist_id=self.id, version=self.version, salt=0)

    def can_edit_items(self, user: str) -> bool:
        return user == self.owner or (self.collaborative and user in self.collaborators)

    # Reading items follows the same rule in Development Mode (Feb 2026).
    can_read_items = can_edit_items

    def bump(self, *, salt: int) -> str:
        self.version += 1
        self.snapshot_id = snapshot_id(playlist_id=self.id, version=self.version, salt=salt)
        return self.snapshot_id

    def _mutable(self) -> list[Entry]:
        if not isinstance(self.entries, list):
            self.entries = list(self.entries)
        return self.entries


def insert(playlist: PlaylistState, *, entries: Sequence[Entry], position: int | None, salt: int) -> str:
    rows = playlist._mutable()
    if position is None:
        position = len(rows)
    if not 0 <= position <= len(rows):
        raise bad_request("Index out of bounds")
    rows[position:position] = entries
    return playlist.bump(salt=salt)


def replace(playlist: PlaylistState, *, entries: Sequence[Entry], salt: int) -> str:
    playlist.entries = list(entries)
    return playlist.bump(salt=salt)


def reorder(
    playlist: PlaylistState, *, range_start: int, insert_before: int, range_length: int, salt: int
) -> str:
    rows = playlist._mutable()
    size = len(rows)
    if (
        range_length < 1
        or not (0 <= range_start and range_start + range_length <= size)
        or not 0 <= insert_before <= size
    ):
        raise bad_request("Index out of bounds")
    moving = rows[range_start : range_start + range_length]
    if range_start <= insert_before <= range_start + range_length:
        # Moving a block to where it already is: Spotify still answers with a new snapshot.
        return playlist.bump(salt=salt)
    del rows[range_start : range_start + range_length]
    target = insert_before - range_length if insert_before > range_start else insert_before
    rows[target:target] = moving
    return playlist.bump(salt=salt)


def remove(
    playlist: PlaylistState,
    *,
    uris: dict[str, list[int] | None],
    uri_of: Callable[[Entry], str | None],
    salt: int,
) -> str:
    """Remove every occurrence of each URI, or only the given positions when a URI lists some."""
    rows = playlist._mutable()
    doomed: set[int] = set()
    for uri, positions in uris.items():
        if positions is None:
            doomed.update(i for i, entry in enumerate(rows) if uri_of(entry) == uri)
            continue
        for position in positions:
            if not 0 <= position < len(rows) or uri_of(rows[position]) != uri:
                raise bad_request(
                    f"Could not remove tracks, please check parameters. Position {position} is not {uri}"
                )
            doomed.add(position)
    playlist.entries = [entry for i, entry in enumerate(rows) if i not in doomed]
    return playlist.bump(salt=salt)


def update_details(
    playlist: PlaylistState,
    *,
    name: str | None,
    description: str | None,
    public: bool | None,
    collaborative: bool | None,
    salt: int,
) -> str:
    if name is not None:
        playlist.name = name
    if description is not None:
        playlist.description = description
    if public is not None:
        playlist.public = public
    if collaborative is not None:
        if collaborative and playlist.public:
            raise bad_request("You can only set collaborative to true on non-public playlists")
        playlist.collaborative = collaborative
    return playlist.bump(salt=salt)
