"""Setting up routing: base playlists, their children, the children's filters and order.

Not the route run (later work). Every write that touches a base's children locks the base
row first, so positions are decided one writer at a time; the unique constraints on
(base, position) and (base, spotify_id) stay the database's last word. Filters are
validated through the registry in the current Spotify app mode and stored normalised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Value, When

from accounts.models import User
from accounts.selectors import get_credential
from library.models import ItemsStatus, Playlist
from sync.filters import FilterDocument, validate_filters
from sync.models import BasePlaylist, ChildMode, ChildPlaylist

__all__ = [
    "BaseAlreadyExists",
    "BaseNotPossible",
    "ChildAlreadyAttached",
    "ChildNotAllowed",
    "InvalidChildOrder",
    "PlaylistNotFound",
    "RoutingSetupError",
    "add_child_playlist",
    "create_base_playlist",
    "delete_child",
    "reorder_children",
    "update_base_options",
    "update_child_filters",
]

_SPOTIFY_ID = re.compile(r"[A-Za-z0-9]{1,64}")
NAME_MAX_LENGTH = ChildPlaylist._meta.get_field("name").max_length


class RoutingSetupError(Exception):
    """Base class of the domain errors of setting up routing; the message is for people.

    The API maps PlaylistNotFound to 404, BaseAlreadyExists and ChildAlreadyAttached to 409,
    the others to 400 (and sync.filters.FilterValidationError to 400 with its ``errors``).
    """


class PlaylistNotFound(RoutingSetupError):
    """No such playlist, or another user's: both look the same to the caller."""


class BaseNotPossible(RoutingSetupError):
    """The playlist exists but cannot feed others (its items are not readable)."""


class BaseAlreadyExists(RoutingSetupError):
    def __init__(self, message: str, *, existing: BasePlaylist) -> None:
        super().__init__(message)
        self.existing = existing


class ChildNotAllowed(RoutingSetupError):
    """The Spotify playlist cannot be a child here (not the user's, the base itself, bad input)."""


class ChildAlreadyAttached(RoutingSetupError):
    def __init__(self, message: str, *, existing: ChildPlaylist) -> None:
        super().__init__(message)
        self.existing = existing


class InvalidChildOrder(RoutingSetupError):
    """A reorder must list every child of the base exactly once."""


# --- bases ------------------------------------------------------------------------------------
def create_base_playlist(
    *,
    user: User,
    playlist: Playlist,
    first_match_only: bool = False,
    auto_route_after_import: bool = False,
) -> BasePlaylist:
    """Make one of the user's imported playlists a base.

    Raises PlaylistNotFound for another user's playlist, BaseNotPossible when Spotify does
    not let us read its items, BaseAlreadyExists (carrying it) when it already is a base.
    """
    # Read it again, scoped to the user: the caller's instance may be stale or not theirs.
    row = Playlist.objects.filter(pk=playlist.pk, user=user).first()
    if row is None:
        raise PlaylistNotFound("No such playlist in your library.")
    if row.items_status != ItemsStatus.AVAILABLE:
        raise BaseNotPossible(
            f"Spotify does not let this app read the tracks of “{row.name}”, "
            "so it cannot feed other playlists."
        )
    try:
        # One base per playlist is the unique link's job: racing requests cannot both win.
        with transaction.atomic():
            return BasePlaylist.objects.create(
                user=user,
                playlist=row,
                first_match_only=first_match_only,
                auto_route_after_import=auto_route_after_import,
            )
    except IntegrityError:
        existing = BasePlaylist.objects.filter(playlist=row).first()
        if existing is None:
            raise
        raise BaseAlreadyExists(f"“{row.name}” is already a base playlist.", existing=existing) from None


def update_base_options(
    *,
    base: BasePlaylist,
    first_match_only: bool | None = None,
    auto_route_after_import: bool | None = None,
) -> BasePlaylist:
    """Change a base's options; an option given as None is left as it is."""
    changed = []
    if first_match_only is not None:
        base.first_match_only = first_match_only
        changed.append("first_match_only")
    if auto_route_after_import is not None:
        base.auto_route_after_import = auto_route_after_import
        changed.append("auto_route_after_import")
    if changed:
        base.save(update_fields=[*changed, "updated_at"])
    return base


# --- children ---------------------------------------------------------------------------------
def add_child_playlist(
    *, base: BasePlaylist, spotify_id: str, name: str, mode: str, filters: Any
) -> ChildPlaylist:
    """Attach a Spotify playlist the user owns as the base's last child.

    ``spotify_id`` is a playlist chosen among the user's (it must be theirs in the mirror)
    or one just made through POST /me/playlists that no import has seen yet (accepted; the
    route run finds out on write if it is not theirs). Raises ChildNotAllowed,
    ChildAlreadyAttached, or FilterValidationError for the filters.
    """
    spotify_id = _clean_spotify_id(spotify_id)
    name = _clean_name(name)
    mode = _clean_mode(mode)
    document = _validate(filters)
    if spotify_id == base.playlist.spotify_id:
        raise ChildNotAllowed("A playlist cannot be a child of itself; choose or create another playlist.")
    mirrored = _owned_playlist(user=base.user, spotify_id=spotify_id)

    with transaction.atomic():
        locked = _lock_base(base_id=base.pk)
        existing = ChildPlaylist.objects.filter(base=locked, spotify_id=spotify_id).first()
        if existing is not None:
            raise ChildAlreadyAttached(
                f"“{existing.name}” is already a child of this base.", existing=existing
            )
        last = ChildPlaylist.objects.filter(base=locked).aggregate(last=Max("position"))["last"]
        return ChildPlaylist.objects.create(
            base=locked,
            spotify_id=spotify_id,
            name=name,
            playlist=mirrored,
            mode=mode,
            position=0 if last is None else last + 1,
            filters=document.to_dict(),
        )


def update_child_filters(*, child: ChildPlaylist, filters: Any) -> ChildPlaylist:
    """Replace a child's filters with the normalised form of ``filters`` (or raise FilterValidationError)."""
    child.filters = _validate(filters).to_dict()
    child.save(update_fields=["filters", "updated_at"])
    return child


def reorder_children(*, base: BasePlaylist, child_ids: Sequence[int]) -> list[ChildPlaylist]:
    """Put the base's children in the order of ``child_ids`` (positions 0, 1, 2, …).

    ``child_ids`` must name every child of the base exactly once, or InvalidChildOrder.
    """
    with transaction.atomic():
        locked = _lock_base(base_id=base.pk)
        current = dict(ChildPlaylist.objects.filter(base=locked).order_by().values_list("pk", "position"))
        if len(child_ids) != len(set(child_ids)) or set(child_ids) != set(current):
            raise InvalidChildOrder("List every child of this playlist exactly once, in the order you want.")
        _renumber(base_id=locked.pk, ordered_ids=list(child_ids), top=max(current.values(), default=0))
    return list(ChildPlaylist.objects.filter(base_id=base.pk).order_by("position"))


def delete_child(*, child: ChildPlaylist) -> None:
    """Detach a child (the Spotify playlist itself is left alone); the others close the gap."""
    with transaction.atomic():
        _lock_base(base_id=child.base_id)
        ChildPlaylist.objects.filter(pk=child.pk).delete()
        remaining = list(
            ChildPlaylist.objects.filter(base_id=child.base_id)
            .order_by("position")
            .values_list("pk", "position")
        )
        _renumber(
            base_id=child.base_id,
            ordered_ids=[pk for pk, _ in remaining],
            top=max((position for _, position in remaining), default=0),
        )


# --- internals --------------------------------------------------------------------------------
def _validate(filters: Any) -> FilterDocument:
    return validate_filters(filters, mode=settings.SPOTIFY_APP_MODE)


def _lock_base(*, base_id: int) -> BasePlaylist:
    # A row lock on PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers.
    locked = BasePlaylist.objects.select_for_update().filter(pk=base_id).first()
    if locked is None:
        raise PlaylistNotFound("This base playlist no longer exists.")
    return locked


def _renumber(*, base_id: int, ordered_ids: list[int], top: int) -> None:
    """Give the children positions 0..n-1 in this order without tripping the unique position.

    Both databases check a (non-deferrable) unique constraint row by row, so positions are
    first moved above ``top`` (the highest current one), then set: no two rows ever collide.
    """
    if not ordered_ids:
        return
    children = ChildPlaylist.objects.filter(base_id=base_id)
    children.update(position=F("position") + top + 1)
    children.update(
        position=Case(*(When(pk=pk, then=Value(index)) for index, pk in enumerate(ordered_ids))),
    )


def _owned_playlist(*, user: User, spotify_id: str) -> Playlist | None:
    """The mirrored row of a child-to-be, if an import has seen it; refused when not the user's own."""
    row = Playlist.objects.filter(user=user, spotify_id=spotify_id).first()
    if row is None:
        return None
    credential = get_credential(user=user)
    # Routing writes to the child (and "rebuild" replaces its items): only the owner may.
    if credential is None or row.owner_spotify_id != credential.spotify_user_id:
        owner = f" (it belongs to {row.owner_name})" if row.owner_name else ""
        raise ChildNotAllowed(f"Only playlists you own can be children; “{row.name}” is not yours{owner}.")
    return row


def _clean_spotify_id(spotify_id: Any) -> str:
    if not isinstance(spotify_id, str) or not _SPOTIFY_ID.fullmatch(spotify_id.strip()):
        raise ChildNotAllowed(
            "That is not a Spotify playlist id (letters and digits, as in its Spotify link)."
        )
    return spotify_id.strip()


def _clean_name(name: Any) -> str:
    cleaned = " ".join(name.split()) if isinstance(name, str) else ""
    if not cleaned:
        raise ChildNotAllowed("Give the child playlist a name.")
    if len(cleaned) > NAME_MAX_LENGTH:
        raise ChildNotAllowed(f"The name must be at most {NAME_MAX_LENGTH} characters.")
    return cleaned


def _clean_mode(mode: Any) -> str:
    if mode not in ChildMode.values:
        raise ChildNotAllowed(f"Choose a mode: {' or '.join(ChildMode.values)}.")
    return str(mode)
