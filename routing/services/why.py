"""Why a track is in a child, or would not be routed to one: the listener's "which rule put this
track here".

Both answers plan the route from the mirror exactly as the preview does (BaseRoute.plan without
Spotify): whether a child gets a track is the plan's own decision, and the words beside it are
routing.filters.explain, whose verdicts are the route's predicates. Nothing here writes or
calls Spotify.

What a child holds is its mirror: the rows the last import of that playlist stored. Route runs
keep no per-track record of what they wrote (only counts, and backups of what a child held
*before* a write), so the mirror is the only full list; `ChildTracks.routed_since` says when a
route has changed the child since, so the page can say the list is older than the child.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.errors import DomainError
from library.models import Artist, ItemKind, Playlist, PlaylistItem, Track
from routing.filters import Explainer, Explanation, FilterDocument, TrackFacts, Verdict, validate_filters
from routing.models import BasePlaylist, ChildMode, ChildPlaylist
from routing.services.preview import PreviewNotPossible, ensure_previewable
from routing.services.route import BaseRoute
from spotify.runs import RunStepFailed

__all__ = [
    "ChildTrack",
    "ChildTracks",
    "ChildVerdict",
    "TrackNotFound",
    "TrackVerdict",
    "child_tracks",
    "why_track",
]

MAX_QUERY = 300
# Spotify's links and URIs for items; the id is whatever follows (the sandbox's ids are base62 too).
_LINK = re.compile(r"open\.spotify\.com/(?:intl-[a-z-]+/)?(track|episode)/([A-Za-z0-9]+)")
_URI = re.compile(r"^spotify:(track|episode):([A-Za-z0-9]+)$")
_KIND_WORDS = {
    ItemKind.LOCAL: "a local file",
    ItemKind.EPISODE: "a podcast episode",
    ItemKind.UNAVAILABLE: "an item Spotify no longer serves",
}


class TrackNotFound(DomainError):
    """The listener named no track this base can answer for (400, about the `track` field)."""

    status = 400
    field = "track"


@dataclass(frozen=True)
class ChildVerdict:
    child_id: int
    name: str
    mode: str
    routed: bool  # a route now would give this child the track
    in_child: bool | None  # the child holds it as last imported; None: never imported
    outcome: str  # what a route would do with it there, mode included
    reason: str  # the conditions that decided, in words
    explanation: Explanation | None = None

    @property
    def mode_label(self) -> str:
        return ChildMode(self.mode).label

    @property
    def reasons(self) -> list[Verdict]:
        return list(self.explanation.reasons) if self.explanation else []


@dataclass(frozen=True)
class TrackVerdict:
    query: str
    track_id: str | None
    name: str
    artists: str
    in_base: bool
    summary: str  # one sentence before the children's answers
    children: list[ChildVerdict]
    also_named: int = 0  # other items of the base the words name too


@dataclass(frozen=True)
class ChildTrack:
    position: int
    name: str
    artists: str
    track_id: str | None
    sent: bool  # a route now would send it here
    reason: str


@dataclass(frozen=True)
class ChildTracks:
    rows: list[ChildTrack]
    total: int  # rows in the mirror (the list may be cut at `limit`)
    imported_at: datetime | None  # None: the child's playlist was never imported
    routed_since: datetime | None  # a route wrote after that import: the list is older than the child


class _Decisions:
    """The base's plan, and an explainer per child, for tracks the listener asks about."""

    def __init__(self, *, base: BasePlaylist, drafts: dict[int | None, FilterDocument] | None = None) -> None:
        ensure_previewable(base)
        self.base = base
        drafts = drafts or {}
        try:
            self.plan = BaseRoute(base=base, client=None, ledger=None).plan(
                refresh=False, look_up=False, drafts=drafts
            )
        except RunStepFailed as exc:  # a child's filters are not valid in this app mode
            raise PreviewNotPossible(exc.reason) from exc
        self.targets = {key: set(ids) for key, ids in self.plan.targets.items()}
        self.occurrences: dict[str, list[TrackFacts]] = {}
        for facts in self.plan.facts:
            self.occurrences.setdefault(facts.track_id, []).append(facts)
        # A child being edited is explained by its draft, as the plan routed it.
        documents = {
            child.pk: drafts[child.pk] if child.pk in drafts else validate_filters(child.filters, mode=None)
            for child in self.plan.children
        }
        names = _artist_names(documents.values())
        # The plan's own clock: "added within 7 days" reads the same in the verdict and its reason.
        self.explainers = {
            pk: Explainer(document, artist_names=names, now=self.plan.now) for pk, document in documents.items()
        }

    def explanation(self, child: ChildPlaylist, track_id: str) -> Explanation | None:
        """The first occurrence the child's filters take, else the first one; None: not in the base."""
        found = [self.explainers[child.pk].explain(facts) for facts in self.occurrences.get(track_id, ())]
        return next((one for one in found if one.matched), found[0] if found else None)

    def routed(self, child: ChildPlaylist, track_id: str) -> bool:
        return track_id in self.targets[child.pk]

    def claimed_by(self, child: ChildPlaylist, track_id: str) -> ChildPlaylist | None:
        """The earlier child a first-match-only base sends the track to instead."""
        earlier = (other for other in self.plan.children if other.position < child.position)
        return next((other for other in earlier if self.routed(other, track_id)), None)

    def reason(self, child: ChildPlaylist, track_id: str) -> tuple[bool, str, Explanation | None]:
        explanation = self.explanation(child, track_id)
        if explanation is None:
            return False, f"It is not in the base “{self.base.name}”, so no filter sent it.", None
        routed = self.routed(child, track_id)
        if explanation.matched and not routed:
            other = self.claimed_by(child, track_id)
            where = f"“{other.name}”" if other else "an earlier child"
            return False, (
                f"Its filters take it ({explanation.sentence}) but it goes to {where} first: this base "
                "sends each track only to the first child that takes it."
            ), explanation
        return routed, explanation.sentence, explanation


def why_track(
    *, base: BasePlaylist, query: str, drafts: dict[int | None, FilterDocument] | None = None
) -> TrackVerdict:
    """Per child of `base`, whether a route now would give it the track `query` names (its name,
    or its Spotify link, URI or id, looked up among the base's items), and why.

    Raises TrackNotFound for empty words or words naming nothing the base or catalog holds,
    PreviewNotPossible when the base has no readable copy in the mirror or a child's filters
    cannot route in this app mode (routes stop then too). `drafts`: the preview's draft filters
    (by child id; None for a new last child), so the answer agrees with the preview it goes with.
    """
    query = (query or "").strip()
    if not query:
        raise TrackNotFound("Name a track: its name, or its Spotify link or URI.")
    if len(query) > MAX_QUERY:
        raise TrackNotFound(f"Use at most {MAX_QUERY} characters.")
    decisions = _Decisions(base=base, drafts=drafts)
    items, (wanted, linked) = _base_items(base=base), _named_id(query)
    found = [item for item in items if wanted and _item_id(item) == wanted]
    if not found and not linked:  # a bare word may be an id or a (one-word) name
        found = _named(items, query)
    if not found:
        return _absent(base=base, query=query, wanted=wanted, linked=linked, children=decisions.plan.children)
    item, others = found[0], len({_item_id(i) for i in found[1:]} - {_item_id(found[0])})
    name, artists = _item_names(item)
    if item.kind != ItemKind.TRACK:
        what = _KIND_WORDS.get(item.kind, "not a song")
        return TrackVerdict(
            query=query, track_id=None, name=name, artists=artists, in_base=True, also_named=others,
            summary=f"“{name}” is {what}: filters route songs only, so no child gets it.", children=[],
        )  # fmt: skip
    held = _held(children=decisions.plan.children, track_id=item.track_id)
    verdicts = [
        _child_verdict(decisions, child, item.track_id, held.get(child.pk)) for child in decisions.plan.children
    ]
    sent = [verdict.name for verdict in verdicts if verdict.routed]
    summary = (
        f"A route now would send “{name}” to {', '.join(f'“{n}”' for n in sent)}."
        if sent
        else f"A route now would send “{name}” to no child."
    )
    return TrackVerdict(
        query=query, track_id=item.track_id, name=name, artists=artists, in_base=True,
        summary=summary, children=verdicts, also_named=others,
    )  # fmt: skip


def child_tracks(*, child: ChildPlaylist, limit: int = 500) -> ChildTracks:
    """What the child holds (its mirror, in order), each with why it is there: the conditions that
    sent it, or why a route would not send it now (and what the child's mode does about that)."""
    playlist = child.playlist or Playlist.objects.filter(user=child.user, spotify_id=child.spotify_id).first()
    if playlist is None:
        return ChildTracks(rows=[], total=0, imported_at=None, routed_since=None)
    items = PlaylistItem.objects.filter(playlist=playlist).select_related("track").order_by("position")
    total = items.count()
    rows: list[ChildTrack] = []
    decisions = _Decisions(base=child.base) if total else None
    for item in items.prefetch_related("track__artists")[:limit]:
        name, artists = _item_names(item)
        if item.kind != ItemKind.TRACK:
            what = _KIND_WORDS.get(item.kind, "not a song").capitalize()
            reason = f"{what}: not from routing, which sends songs only."
            rows.append(ChildTrack(item.position, name, artists, None, False, reason))
            continue
        sent, reason, _ = decisions.reason(child, item.track_id)
        if not sent:
            reason = f"{reason} {_stays(child)}"
        rows.append(ChildTrack(item.position, name, artists, item.track_id, sent, reason))
    imported = playlist.items_imported_at
    routed_at = child.routed_at
    routed_since = routed_at if routed_at and (imported is None or routed_at > imported) else None
    return ChildTracks(rows=rows, total=total, imported_at=imported, routed_since=routed_since)


# --- internals --------------------------------------------------------------------------------
def _child_verdict(
    decisions: _Decisions, child: ChildPlaylist, track_id: str, held: bool | None
) -> ChildVerdict:
    routed, reason, explanation = decisions.reason(child, track_id)
    if routed:
        outcome = "Already in it (as last imported): a route keeps it." if held else "A route would add it."
    elif held:
        outcome = _stays(child)
    else:
        outcome = "A route would not add it."
    return ChildVerdict(
        child_id=child.pk, name=child.name, mode=child.mode, routed=routed, in_child=held,
        outcome=outcome, reason=reason, explanation=explanation,
    )  # fmt: skip


def _stays(child: ChildPlaylist) -> str:
    if child.mode == ChildMode.ADD_ONLY:
        return "It stays: an add-only child never loses tracks."
    return "The next route removes it: a rebuilt child holds only the tracks its filters take."


def _absent(
    *, base: BasePlaylist, query: str, wanted: str | None, linked: bool, children: list[ChildPlaylist]
) -> TrackVerdict:
    track = Track.objects.filter(spotify_id=wanted).prefetch_related("artists").first() if wanted else None
    if track is None:
        if linked:
            raise TrackNotFound("Linernotes knows no track with that Spotify link or URI.")
        raise TrackNotFound(f"No track of “{base.name}” (as last imported) is named “{query}”.")
    held = _held(children=children, track_id=track.spotify_id)
    reason = f"It is not in the base “{base.name}” (as last imported), so no filter sent it."
    verdicts = [
        ChildVerdict(
            child_id=child.pk, name=child.name, mode=child.mode, routed=False, in_child=held.get(child.pk),
            outcome=_stays(child) if held.get(child.pk) else "A route would not add it.", reason=reason,
        )  # fmt: skip
        for child in children
    ]
    artists = ", ".join(artist.name for artist in track.artists.all())
    return TrackVerdict(
        query=query, track_id=track.spotify_id, name=track.name, artists=artists, in_base=False,
        summary=f"“{track.name}” is not in “{base.name}”: a route sends a child only the base's tracks.",
        children=verdicts,
    )  # fmt: skip


def _base_items(*, base: BasePlaylist) -> list[PlaylistItem]:
    return list(
        PlaylistItem.objects.filter(playlist_id=base.playlist_id)
        .select_related("track")
        .prefetch_related("track__artists")
        .order_by("position")
    )


def _named_id(query: str) -> tuple[str | None, bool]:
    """The id the words may name, and whether they are a link or URI (then surely an id); a bare
    word may be an id too (checked against the base's items first, then its names)."""
    match = _LINK.search(query) or _URI.match(query)
    if match:
        return match.group(2), True
    return (query if re.fullmatch(r"[A-Za-z0-9]{16,64}", query) else None), False


def _item_id(item: PlaylistItem) -> str:
    return item.track_id or (item.uri.rsplit(":", 1)[-1] if item.uri else "")


def _named(items: list[PlaylistItem], query: str) -> list[PlaylistItem]:
    """Items named like `query`, exact names (case-insensitive) before names that contain it."""
    words = query.casefold()
    exact = [item for item in items if _item_names(item)[0].casefold() == words]
    return exact + [item for item in items if words in _item_names(item)[0].casefold() and item not in exact]


def _item_names(item: PlaylistItem) -> tuple[str, str]:
    if item.track is not None:
        return item.track.name, ", ".join(artist.name for artist in item.track.artists.all())
    return item.local_name or item.name or item.uri or "An unnamed item", ""


def _held(*, children: list[ChildPlaylist], track_id: str) -> dict[int, bool]:
    """Whether each child holds the track as last imported; children never imported are left out."""
    by_spotify_id = {child.spotify_id: child.pk for child in children}
    mirrored = Playlist.objects.filter(
        user_id__in={child.user_id for child in children}, spotify_id__in=by_spotify_id
    ).exclude(items_imported_at=None)
    held = {by_spotify_id[spotify_id]: False for spotify_id in mirrored.values_list("spotify_id", flat=True)}
    for spotify_id in mirrored.filter(items__track_id=track_id).values_list("spotify_id", flat=True):
        held[by_spotify_id[spotify_id]] = True
    return held


def _artist_names(documents: Iterable[FilterDocument]) -> dict[str, str]:
    """Names of the artists the documents name, for their conditions' words."""
    ids: set[str] = set()
    for document in documents:
        for condition in document.leaves():
            if condition.field.name == "artist":
                ids.update(condition.value)
    return dict(Artist.objects.filter(spotify_id__in=ids).values_list("spotify_id", "name")) if ids else {}
