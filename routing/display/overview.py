"""The routing overview and the filter editor's choices, for the pages; every read scoped to one
user and bounded (a page costs the same few queries whatever the number of children or runs)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Subquery

from accounts.models import User
from analysis import selectors as analysis_selectors
from library.models import ItemKind, Playlist, PlaylistItem, TrackArtist
from core.runs import ACTIVE_STATUSES
from routing import selectors
from routing.display.filters import artist_names, describe_filters, filter_artist_ids
from routing.display.runs import describe_estimate, describe_estimate_figures, describe_route
from routing.models import BasePlaylist, ChildPlaylist, RouteRun
from routing.services.estimate import estimate_route

# The editor's artist list comes from the base's own tracks; a cap keeps the page small
# for a base of ten thousand tracks (the listener can still paste any artist's link).
EDITOR_ARTIST_LIMIT = 2000

# Why "Route now" is disabled, shown beside it (a disabled button says why, not only in a title).
NO_CHILDREN_TO_ROUTE = "Add a child playlist first: a route fills the base's children, and it has none yet."
BASE_GONE = "Its playlist is no longer in your Spotify library, so there is nothing to route from."


@dataclass
class ChildLine:
    child: ChildPlaylist
    summary: str


@dataclass
class BaseCard:
    base: BasePlaylist
    children: list[ChildLine]
    active: RouteRun | None
    last: RouteRun | None
    estimate: str  # in the listener's words, stable between two loads
    estimate_figures: str  # the requests and the rate it comes from, behind "Details"
    route_blocked: str = ""  # why "Route now" is disabled; "" when it is not
    active_summary: str = ""
    last_summary: str = ""
    status_url: str = ""  # the API the page's script polls; the view knows it


def base_card(
    *, base: BasePlaylist, children: list[ChildPlaylist], active: RouteRun | None, last: RouteRun | None
) -> BaseCard:
    names = artist_names(filter_artist_ids(child.filters for child in children))
    estimate = estimate_route(base=base)
    return BaseCard(
        base=base,
        children=[
            ChildLine(child=c, summary=describe_filters(c.filters, artist_names=names)) for c in children
        ],
        active=active,
        last=last,
        estimate=describe_estimate(estimate),
        estimate_figures=describe_estimate_figures(estimate),
        route_blocked=why_not_routable(base=base, children=children),
        active_summary=describe_route(active) if active else "",
        last_summary=describe_route(last) if last else "",
    )


def why_not_routable(*, base: BasePlaylist, children: list[ChildPlaylist]) -> str:
    """Why a route of this base cannot do anything now, or "" when it can."""
    if base.is_disabled:
        return BASE_GONE
    if not children:
        return NO_CHILDREN_TO_ROUTE
    return ""


def base_cards(*, user: User) -> list[BaseCard]:
    """Every base of the user with its children, its active route and its newest finished one."""
    finished = RouteRun.objects.filter(base=OuterRef("pk")).exclude(
        status__in=ACTIVE_STATUSES
    )
    bases = list(
        selectors.list_base_playlists(user=user)
        .prefetch_related(Prefetch("children", queryset=ChildPlaylist.objects.order_by("position")))
        .annotate(last_route_id=Subquery(finished.order_by("-created_at", "-id").values("pk")[:1]))
    )
    active = {
        event.base_id: event
        for event in RouteRun.objects.filter(
            base__in=bases, status__in=ACTIVE_STATUSES
        )
    }
    last = RouteRun.objects.in_bulk([b.last_route_id for b in bases if b.last_route_id])
    return [
        base_card(
            base=base,
            children=list(base.children.all()),
            active=active.get(base.pk),
            last=last.get(base.last_route_id),
        )
        for base in bases
    ]


@dataclass
class BaseCandidates:
    """The user's playlists as candidates for a new base: the ones that can be, and why not the rest."""

    possible: list[Playlist] = field(default_factory=list)
    impossible: list[tuple[Playlist, str]] = field(default_factory=list)


def base_candidates(*, user: User) -> BaseCandidates:
    bases = set(selectors.list_base_playlists(user=user).values_list("spotify_id", flat=True))
    children = dict(ChildPlaylist.objects.filter(user=user).values_list("spotify_id", "base__name"))
    found = BaseCandidates()
    for playlist in Playlist.objects.filter(user=user).order_by("list_position", "id"):
        if playlist.spotify_id in bases:
            found.impossible.append((playlist, "already a base playlist"))
        elif playlist.spotify_id in children:
            found.impossible.append(
                (playlist, f"a child of “{children[playlist.spotify_id]}” (a child cannot also be a base)")
            )
        elif not playlist.items_available:
            found.impossible.append((playlist, "Spotify does not let this app read its tracks"))
        else:
            found.possible.append(playlist)
    return found


# --- the filter editor's choices -----------------------------------------------------------------
def editor_choices(*, base: BasePlaylist) -> dict[str, list]:
    """Artists and genres found in the base's own tracks, most frequent first, for the editor:
    Spotify's artist genres and the song analyses' genres together."""
    credits = (
        TrackArtist.objects.filter(
            track__items__playlist_id=base.playlist_id, track__items__kind=ItemKind.TRACK
        )
        .values("artist_id", "artist__name", "artist__genres")
        .annotate(tracks=Count("track", distinct=True))
        .order_by("-tracks", "artist__name")
    )[:EDITOR_ARTIST_LIMIT]
    artists: list[list[str]] = []
    genre_counts: dict[str, int] = {}
    for row in credits:
        artists.append([row["artist_id"], row["artist__name"]])
        for genre in row["artist__genres"] or []:
            genre_counts[genre] = genre_counts.get(genre, 0) + row["tracks"]
    # Tracks whose artists Spotify gives no genres are filtered by their analysis' genres: offer those too.
    base_tracks = PlaylistItem.objects.filter(playlist_id=base.playlist_id, kind=ItemKind.TRACK).values(
        "track_id"
    )
    for genre, tracks in analysis_selectors.genre_counts(track_ids=base_tracks).items():
        genre_counts[genre] = genre_counts.get(genre, 0) + tracks
    genres = sorted(genre_counts, key=lambda genre: (-genre_counts[genre], genre))
    return {"artists": artists, "genres": genres}
