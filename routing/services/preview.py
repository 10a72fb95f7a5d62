"""A route's dry run: per child, what it would match, add and remove. Nothing is written to
Spotify or the mirror (a warm-up may be claimed, below).

It plans exactly as the run does (routing.services.route.BaseRoute.plan, the same filters,
the same metadata and the same children's-items cache), but from the mirror as the last
import left it: the run checks the base's snapshot first, a preview does not.

A preview never looks artists up on Spotify: a web request must answer fast, and a big base
has hundreds of artists to ask for one by one. It counts with the metadata already known,
says how many artists were never looked up, and queues their warm-up on the interactive
cluster (routing.services.warm_up); the editor counts again once that is done.
`read_children=False` (the editor's live counts) sends no Spotify request at all; True reads
the children on Spotify to list the changes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

from core.errors import DomainError
from library.selectors import track_names
from routing.filters import (
    FilterDocument,
    FilterValidationError,
    TrackFacts,
    genre_source_counts,
    validate_filters,
)
from routing.metadata import ArtistLookup
from routing.models import BasePlaylist, ChildMode, ChildPlaylist
from routing.selectors import ArtistCoverage, artist_coverage
from routing.services.base_reads import gone_message
from routing.services.child_reads import ChildUnusable
from routing.services.child_writes import plan_change
from routing.services.estimate import RouteEstimate, estimate_route
from routing.services.route import BaseRoute
from routing.services.setup import ChildNotAllowed, PlaylistNotFound
from routing.services.warm_up import request_warm_up
from spotify.client import get_spotify_client
from spotify.errors import (
    NotAllowlisted,
    ReconnectNeeded,
    SpotifyMisconfigured,
    SpotifyRateLimited,
    SpotifyUnavailable,
    describe,
)
from spotify.runs import MISCONFIGURED_MESSAGE, RECONNECT_MESSAGE, RunStepFailed

__all__ = [
    "ArtistCoverage",
    "ChildPreview",
    "PreviewFailed",
    "PreviewNotConnected",
    "PreviewNotPossible",
    "PreviewRateLimited",
    "RouteEstimate",
    "RoutePreview",
    "TrackLine",
    "estimate_route",
    "preview_route",
]

DRAFT_NAME = "New child (draft)"


class PreviewFailed(DomainError):
    """Spotify could not be asked or failed; the message is for people (502)."""

    status = 502


class PreviewNotConnected(PreviewFailed):
    """No usable Spotify connection: the listener must sign in again (409, as sync answers)."""

    status = 409


class PreviewNotPossible(PreviewFailed):
    """The base has nothing to preview from (gone from the library, or unreadable): 409."""

    status = 409


class PreviewRateLimited(PreviewFailed):
    """Spotify asked us to wait `retry_after` seconds (429 with Retry-After)."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class TrackLine:
    uri: str
    track_id: str | None
    name: str
    artists: str


@dataclass(frozen=True)
class ChildPreview:
    child_id: int | None  # None: the draft of a new child
    name: str
    mode: str
    matching: int  # base tracks the filters match: the child's target size
    current: int | None  # tracks it holds on Spotify now; None without read_children
    add: list[TrackLine] | None
    remove: list[TrackLine] | None
    # Of the matching tracks, how many have their genres from Spotify ("spotify"), from the
    # song analysis ("analysis") or from neither ("none"); None when the filters use no genre.
    genre_sources: dict[str, int] | None = None


@dataclass(frozen=True)
class RoutePreview:
    base_tracks: int
    children: list[ChildPreview]
    draft: ChildPreview | None
    spotify_requests: int
    cache: dict[str, Any]
    mirror_as_of: datetime | None
    artists: ArtistCoverage | None = None  # None: no filter needs artists' genres
    track: Any = None  # routing.services.why.TrackVerdict when the request named a track


def draft_documents(
    *, base: BasePlaylist, draft_filters: Any, draft_child_id: int | None
) -> dict[int | None, FilterDocument]:
    """The preview's draft as BaseRoute.plan takes it: {child id, or None for a new last child:
    filters}, empty without a draft. Raises FilterValidationError for invalid filters and
    PlaylistNotFound when `draft_child_id` is not a child of this base."""
    if draft_child_id is not None and not ChildPlaylist.objects.filter(base=base, pk=draft_child_id).exists():
        raise PlaylistNotFound("No such child playlist of this base.")
    if draft_filters is None:
        return {}
    return {draft_child_id: validate_filters(draft_filters, mode=settings.SPOTIFY_APP_MODE)}


def preview_route(
    *,
    base: BasePlaylist,
    read_children: bool = True,
    draft_filters: Any = None,
    draft_child_id: int | None = None,
    draft_mode: str | None = None,
) -> RoutePreview:
    """Plan a route of `base`, optionally with draft filters for one child (or a new one).

    Raises FilterValidationError for invalid draft filters, PlaylistNotFound when
    `draft_child_id` is not a child of this base, ChildNotAllowed for an unknown mode,
    PreviewFailed when Spotify cannot be asked.
    """
    drafts = draft_documents(base=base, draft_filters=draft_filters, draft_child_id=draft_child_id)
    if draft_mode is not None and draft_mode not in ChildMode.values:
        raise ChildNotAllowed(f"Choose a mode: {' or '.join(ChildMode.values)}.")
    ensure_previewable(base)
    run = BaseRoute(base=base, client=None, ledger=None)
    plan = run.plan(refresh=False, drafts=drafts, look_up=False)
    children = {child.pk: child for child in plan.children}
    current, requests = _children_on_spotify(base=base, children=plan.children) if read_children else ({}, 0)
    lines = _TrackLines(facts=plan.facts)
    previews: dict[int | None, ChildPreview] = {}
    for key, target in plan.targets.items():
        child = children.get(key) if key is not None else None
        mode = draft_mode if key == draft_child_id and draft_mode else (
            child.mode if child else ChildMode.REBUILD
        )
        # A new child starts empty.
        held = current.get(key) if child is not None else ([] if read_children else None)
        previews[key] = _child_preview(
            key=key, child=child, mode=mode, target=target, current=held, lines=lines
        )
        document = drafts[key] if key in drafts else _stored_document(child)
        if document is not None and "genre" in document.field_names:
            previews[key] = dataclasses.replace(
                previews[key], genre_sources=genre_source_counts(lines.facts_of(target))
            )
    ordered = [previews[child.pk] for child in plan.children]
    draft_preview = previews.get(draft_child_id) if drafts else None
    if drafts and draft_child_id is None:
        ordered.append(previews[None])
    return RoutePreview(
        base_tracks=len(plan.facts),
        children=ordered,
        draft=draft_preview,
        spotify_requests=requests,
        cache=run.fetcher.counters.as_dict(),
        mirror_as_of=base.playlist.items_imported_at,
        artists=_coverage(base=base, plan_artists=plan.artists),
    )


def _children_on_spotify(
    *, base: BasePlaylist, children: list[ChildPlaylist]
) -> tuple[dict[int | None, list[str]], int]:
    """Each child's rows on Spotify now, and the requests that took (the "Preview changes" button)."""
    try:
        with get_spotify_client(user=base.user) as client:
            reader = BaseRoute(base=base, client=client, ledger=None)
            current: dict[int | None, list[str]] = {
                child.pk: reader.current_uris(child) for child in children
            }
            return current, client.stats.requests
    except ChildUnusable as exc:
        raise PreviewNotPossible(exc.reason) from exc
    except RunStepFailed as exc:
        raise PreviewFailed(exc.reason) from exc
    except ReconnectNeeded as exc:
        raise PreviewNotConnected(RECONNECT_MESSAGE) from exc
    except SpotifyMisconfigured as exc:
        raise PreviewFailed(MISCONFIGURED_MESSAGE) from exc
    except NotAllowlisted as exc:
        raise PreviewFailed(describe(exc)) from exc
    except SpotifyRateLimited as exc:
        raise PreviewRateLimited(
            f"{describe(exc)} Preview again then.",
            retry_after=int(exc.retry_after),
        ) from exc
    except SpotifyUnavailable as exc:
        raise PreviewFailed(f"{describe(exc)} Try again in a moment.") from exc


def _coverage(*, base: BasePlaylist, plan_artists: ArtistLookup | None) -> ArtistCoverage | None:
    """What the counts knew of the base's artists; queues the lookup of the rest."""
    if plan_artists is None:
        return None
    warm_up = request_warm_up(base=base) if plan_artists.pending else None
    return artist_coverage(base=base, known=plan_artists, warm_up=warm_up)


def _stored_document(child: ChildPlaylist | None) -> FilterDocument | None:
    if child is None:
        return None
    try:
        return validate_filters(child.filters, mode=None)  # planned already: it validated there
    except FilterValidationError:
        return None


def ensure_previewable(base: BasePlaylist) -> None:
    """A preview plans from the mirror: a base with no readable copy there has nothing to show
    (and a route of it would stop without touching the children)."""
    if base.is_disabled:
        raise PreviewNotPossible(gone_message(base))
    if not base.playlist.items_available:
        raise PreviewNotPossible(
            f"Spotify does not let this app read the tracks of “{base.name}” now, so there is nothing "
            "to preview: a route would stop without changing any child."
        )


def _child_preview(
    *,
    key: int | None,
    child: ChildPlaylist | None,
    mode: str,
    target: list[str],
    current: list[str] | None,
    lines: _TrackLines,
) -> ChildPreview:
    add = remove = None
    if current is not None:
        change = plan_change(current=current, target=target, mode=mode)
        add = lines.for_uris(change.additions)
        remove = lines.for_uris(change.removals)
    return ChildPreview(
        child_id=key,
        name=child.name if child else DRAFT_NAME,
        mode=mode,
        matching=len(target),
        current=sum(1 for uri in current if uri) if current is not None else None,
        add=add,
        remove=remove,
    )


class _TrackLines:
    """Names for URIs: the base's facts first, then the catalog (a child may hold other songs)."""

    def __init__(self, *, facts: list[TrackFacts]) -> None:
        self.facts = {fact.track_id: fact for fact in reversed(facts)}  # the first occurrence wins
        self.known = {
            fact.track_id: (fact.name, ", ".join(artist.name for artist in fact.artists)) for fact in facts
        }

    def facts_of(self, track_ids: list[str]) -> list[TrackFacts]:
        return [self.facts[track_id] for track_id in track_ids if track_id in self.facts]

    def for_uris(self, uris: list[str]) -> list[TrackLine]:
        ids = {uri: uri.rsplit(":", 1)[-1] if uri.startswith("spotify:track:") else None for uri in uris}
        unknown = [uri for uri, track_id in ids.items() if track_id and track_id not in self.known]
        for uri, names in track_names(uris=unknown).items():
            self.known[ids[uri]] = names
        lines = []
        for uri, track_id in ids.items():
            name, artists = self.known.get(track_id or "", (uri, ""))
            lines.append(TrackLine(uri=uri, track_id=track_id, name=name, artists=artists))
        return lines

