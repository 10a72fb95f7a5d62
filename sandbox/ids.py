"""Spotify-shaped identifiers: base62 ids, snapshot ids, ISRCs.

Ids are derived by hashing (seed, kind, ordinal) rather than drawn from the
generator's random stream, so an id stays the same even when an unrelated part
of the catalog generation changes how many random numbers it consumes.
"""

from __future__ import annotations

import base64
import hashlib
import re

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Maps every byte value onto a base62 character, so a digest becomes an id with one translate().
_TO_BASE62 = bytes(ord(BASE62[b % 62]) for b in range(256))
SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")


def derive_id(*, seed: int, kind: str, ordinal: int | str) -> str:
    """A 22-character base62 id, stable for the same seed, kind and ordinal."""
    digest = hashlib.blake2b(f"{seed}:{kind}:{ordinal}".encode(), digest_size=22).digest()
    return digest.translate(_TO_BASE62).decode()


def is_spotify_id(value: str) -> bool:
    return bool(SPOTIFY_ID.match(value))


def snapshot_id(*, playlist_id: str, version: int, salt: int) -> str:
    """Opaque like Spotify's: a version prefix and a hash, base64-encoded.

    The salt is a process-wide write counter, so two different edit histories
    never produce the same snapshot id even if they reach the same version.
    """
    digest = hashlib.blake2b(f"{playlist_id}:{version}:{salt}".encode(), digest_size=20).digest()
    return base64.b64encode(version.to_bytes(4, "big") + digest).decode()


def parse_uri(uri: str) -> tuple[str, str] | None:
    """("track", id) for "spotify:track:<id>"; None when the URI is not a catalog URI."""
    parts = uri.split(":")
    if len(parts) != 3 or parts[0] != "spotify" or parts[1] not in {"track", "episode"}:
        return None
    if not is_spotify_id(parts[2]):
        return None
    return parts[1], parts[2]
