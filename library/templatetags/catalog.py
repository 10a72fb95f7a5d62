"""Names from the shared catalog for pages of other rooms (`{% load catalog %}`).

A page that holds bare track references (the device library's history, favorites and queue
carry a Spotify id and whatever title the app sent, often none) shows the catalog's name and
artists for them instead of an id. The catalog is shared and names are public: no user scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import template

from library.selectors import TRACK_URI, track_names

register = template.Library()

UNKNOWN_TRACK = "Unknown track (not in your library)"


@dataclass(frozen=True)
class TrackLabel:
    title: str
    artist: str
    known: bool  # False: neither the app nor the catalog named it (the title is UNKNOWN_TRACK)


@register.simple_tag
def catalog_names(track_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(name, artists) by track id for the catalog's tracks among `track_ids`, in one query and
    its prefetch (call it once per page with every id the page shows)."""
    found = track_names(uris=(f"{TRACK_URI}{track_id}" for track_id in track_ids))
    return {uri[len(TRACK_URI) :]: names for uri, names in found.items()}


@register.simple_tag
def track_label(ref: Any, names: dict[str, tuple[str, str]]) -> TrackLabel:
    """What to call a track reference (anything with `track`, `title` and `artist`): the title and
    artist the app sent, else the catalog's, else "Unknown track", never the bare id."""
    name, artists = names.get(ref.track, ("", ""))
    title = ref.title or name
    return TrackLabel(title=title or UNKNOWN_TRACK, artist=ref.artist or artists, known=bool(title))
