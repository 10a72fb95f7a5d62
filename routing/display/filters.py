"""Filters in words, for the pages: one sentence per filter document."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from library.models import Artist, ItemKind
from routing.filters import (
    ANALYSIS_GENRES,
    NO_GENRES,
    REGISTRY,
    SPOTIFY_GENRES,
    FilterValidationError,
    Group,
    WidgetType,
    condition_words,
    validate_filters,
)
from routing.models import WarmUpStatus
from routing.selectors import ArtistCoverage


def describe_filters(document: Any, *, artist_names: Mapping[str, str] | None = None) -> str:
    """One sentence for a stored filter document: "Tracks where genre is any of “rock” and …"."""
    try:
        # mode=None: a stored document was validated when saved; the page only reads it.
        parsed = validate_filters(document, mode=None)
    except FilterValidationError:
        return "These filters no longer validate; open the editor to fix them."
    if parsed.is_empty:
        return "Every track of the base."
    names = artist_names or {}
    alone = _boolean_alone(parsed.conditions)
    if alone is not None:
        return alone
    parts = []
    for item in parsed.conditions:
        if isinstance(item, Group):
            inner = _joined((condition_words(c.to_dict(), names) for c in item.conditions), item.match)
            parts.append(f"({inner})")
        else:
            parts.append(condition_words(item.to_dict(), names))
    return f"Tracks where {_joined(parts, parsed.match)}."


def describe_genre_sources(counts: Mapping[str, int] | None) -> str:
    """Where the genres of a genre filter's matching tracks came from, in words, e.g.
    "12 tracks by Spotify's artist genres, 30 by song analysis"; "" without a genre filter."""
    found = [
        (counts[key], words)
        for key, words in (
            (SPOTIFY_GENRES, "by Spotify's artist genres"),
            (ANALYSIS_GENRES, "by song analysis"),
            (NO_GENRES, "with no genres known"),
        )
        if counts and counts.get(key)
    ]
    if not found:
        return ""
    (first, words), rest = found[0], found[1:]
    return ", ".join([f"{first} track{'' if first == 1 else 's'} {words}", *(f"{n} {w}" for n, w in rest)])


def describe_artist_coverage(coverage: ArtistCoverage | None) -> str:
    """What a genre filter's counts could not know yet, in words: "12 artists not looked up
    yet; counts will update." and "3 artists unknown to Spotify."; "" when nothing is missing."""
    if coverage is None:
        return ""
    parts = []
    if coverage.pending:
        missing = f"{_artists(coverage.pending)} not looked up yet"
        warm_up = coverage.warm_up
        if warm_up is not None and warm_up.status == WarmUpStatus.POSTPONED and warm_up.resume_at:
            until = timezone.localtime(warm_up.resume_at).strftime("%H:%M")
            parts.append(
                f"{missing}: Spotify asked this server to pause until {until}; counts will update then."
            )
        elif warm_up is not None and warm_up.status == WarmUpStatus.FAILED:
            parts.append(f"{missing}: {warm_up.error or 'the lookup failed.'}")
        else:
            parts.append(f"{missing}; counts will update.")
    if coverage.unknown:
        parts.append(f"{_artists(coverage.unknown)} unknown to Spotify.")
    return " ".join(parts)


def _artists(count: int) -> str:
    return f"{count} artist{'' if count == 1 else 's'}"


def filter_artist_ids(documents: Iterable[Any]) -> set[str]:
    """The artist ids the artist conditions of these documents name (to look up their names once)."""
    found: set[str] = set()

    def walk(items: Any) -> None:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and "conditions" in item:
                walk(item["conditions"])
            elif (
                isinstance(item, dict)
                and item.get("field") == "artist"
                and isinstance(item.get("value"), list)
            ):
                found.update(value for value in item["value"] if isinstance(value, str))

    for document in documents:
        walk(document.get("conditions") if isinstance(document, dict) else None)
    return found


def artist_names(ids: Iterable[str]) -> dict[str, str]:
    """Names of catalog artists by Spotify id (the catalog is shared; names are public)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(Artist.objects.filter(spotify_id__in=wanted).values_list("spotify_id", "name"))


def _joined(parts: Iterable[str], match: str) -> str:
    return (" and " if match == "all" else " or ").join(parts)


def _boolean_alone(conditions: Any) -> str | None:
    """A document that is one yes/no condition reads best as a noun phrase: "Explicit
    tracks." rather than "Tracks where the track is explicit."; None for anything else."""
    if len(conditions) != 1 or isinstance(conditions[0], Group):
        return None
    condition = conditions[0].to_dict()
    spec = REGISTRY.get(condition["field"])
    if spec is None or spec.widget.type != WidgetType.BOOLEAN or not isinstance(condition["value"], bool):
        return None
    adjective = spec.label[:1].lower() + spec.label[1:]
    return f"{spec.label} tracks." if condition["value"] else f"Tracks that are not {adjective}."


# What each item the filters cannot route is, as "1 is a local file" / "2 are local files".
_UNROUTABLE_KINDS = (
    (ItemKind.LOCAL, "a local file", "local files"),
    (ItemKind.EPISODE, "a podcast episode", "podcast episodes"),
    (ItemKind.UNAVAILABLE, "an item Spotify no longer serves", "items Spotify no longer serves"),
)


def describe_unroutable_items(*, kinds: Mapping[str, int]) -> str:
    """Why the editor's "of N tracks of the base" is smaller than the base page's "M items
    mirrored": "104 of the base's 106 items are songs filters can route; 1 is a local file and
    1 is a podcast episode." Empty when every item is a song (there is nothing to explain)."""
    parts = [
        f"1 is {singular}" if kinds.get(kind, 0) == 1 else f"{kinds[kind]} are {plural}"
        for kind, singular, plural in _UNROUTABLE_KINDS
        if kinds.get(kind, 0)
    ]
    if not parts:
        return ""
    songs = kinds.get(ItemKind.TRACK, 0)
    total = sum(kinds.values())
    routable = "is a song" if songs == 1 else "are songs"
    others = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    items = "item" if total == 1 else "items"
    return f"{songs} of the base's {total} {items} {routable} filters can route; {others}."
