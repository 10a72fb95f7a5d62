"""Setting up routing: base playlists, their children, the children's filters and order.

Every write to a base or its children locks the base row first and refuses with BaseBusy
while a route of that base is queued or running: the run read the set-up when it started,
and an edit under it would leave children routed by rules nobody sees any more. A route
request takes the same row lock before it inserts its event (routing.services.triggers),
so an edit and a route request are serialised by the database, never check-then-act.
Positions are decided one writer at a time; the unique constraints on (base, position) and
(base, spotify_id) stay the database's last word. Filters are validated through the
registry in the current Spotify app mode and stored normalised. Nothing here calls Spotify.
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
from routing import selectors
from routing.filters import FilterDocument, validate_filters
from routing.models import BasePlaylist, ChildMode, ChildPlaylist
from routing.naming import first_up, run_name
from routing.services import claims
from routing.services.errors import (
    BaseAlreadyExists,
    BaseBusy,
    BaseNotPossible,
    ChildAlreadyAttached,
    ChildNotAllowed,
    InvalidChildOrder,
    PlaylistAlreadyRouted,
    PlaylistNotFound,
    ReplaceNotConfirmed,
    RoutingSetupError,
)
from core.runs import RunStatus

__all__ = [
    "BaseAlreadyExists",
    "BaseBusy",
    "BaseNotPossible",
    "ChildAlreadyAttached",
    "ChildNotAllowed",
    "InvalidChildOrder",
    "PlaylistAlreadyRouted",
    "PlaylistNotFound",
    "ReplaceNotConfirmed",
    "RoutingSetupError",
    "add_child_playlist",
    "create_base_playlist",
    "clean_child_mode",
    "clean_child_name",
    "delete_base",
    "ensure_base_idle",
    "delete_child",
    "lock_base",
    "reorder_children",
    "update_base_options",
    "update_child",
    "update_child_filters",
    "validate_child_filters",
]

_SPOTIFY_ID = re.compile(r"[A-Za-z0-9]{1,64}")
NAME_MAX_LENGTH = ChildPlaylist._meta.get_field("name").max_length


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
    not let us read its items, BaseAlreadyExists (carrying it) when it already is a base, and
    PlaylistAlreadyRouted when it is a child (a child that fed its own base would lose tracks).
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
        # One part per playlist is the database's job: racing requests cannot both win.
        with transaction.atomic():
            base = BasePlaylist.objects.create(
                user=user,
                playlist=row,
                spotify_id=row.spotify_id,
                name=row.name,
                first_match_only=first_match_only,
                auto_route_after_import=auto_route_after_import,
            )
            claims.claim(holder=base, name=row.name)
            return base
    except IntegrityError:
        existing = BasePlaylist.objects.filter(user=user, spotify_id=row.spotify_id).first()
        if existing is None:
            raise
        raise BaseAlreadyExists(f"“{row.name}” is already a base playlist.", existing=existing) from None


def update_base_options(
    *,
    base: BasePlaylist,
    first_match_only: bool | None = None,
    auto_route_after_import: bool | None = None,
) -> BasePlaylist:
    """Change a base's options; an option given as None is left as it is. BaseBusy while routing."""
    with transaction.atomic():
        locked = lock_base(base_id=base.pk, for_edit=True)
        changed = []
        if first_match_only is not None:
            locked.first_match_only = first_match_only
            changed.append("first_match_only")
        if auto_route_after_import is not None:
            locked.auto_route_after_import = auto_route_after_import
            changed.append("auto_route_after_import")
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
    return locked


def delete_base(*, base: BasePlaylist) -> None:
    """Stop routing this playlist: its children links go (runs and backups stay, unlinked);
    Spotify is untouched."""
    with transaction.atomic():
        locked = lock_base(base_id=base.pk, for_edit=True)
        locked.delete()


# --- children ---------------------------------------------------------------------------------
def add_child_playlist(
    *,
    base: BasePlaylist,
    spotify_id: str,
    name: str,
    mode: Any,
    filters: Any,
    replace_contents: bool = False,
    known_empty: bool = False,
) -> ChildPlaylist:
    """Attach a Spotify playlist the user owns as the base's last child.

    ``spotify_id`` is one of the user's own playlists in the mirror, or, with `known_empty`, one
    Linernotes has just made through POST /me/playlists (its id from Spotify's own answer) that no
    import has seen yet. Any other id is refused (ChildNotAllowed), whatever it names on Spotify.
    ``mode`` None picks the safe default: rebuild for an empty playlist, add-only for one
    that holds tracks; rebuild for such a playlist needs ``replace_contents``.
    Raises ChildNotAllowed, ChildAlreadyAttached, PlaylistAlreadyRouted (a base, or another
    base's child), ReplaceNotConfirmed, or FilterValidationError for the filters.
    """
    spotify_id = _clean_spotify_id(spotify_id)
    name = clean_child_name(name)
    if mode is not None:
        mode = clean_child_mode(mode)
    document = validate_child_filters(filters)
    if spotify_id == base.spotify_id:
        raise ChildNotAllowed("A playlist cannot be a child of itself; choose or create another playlist.")
    mirrored = _owned_playlist(user=base.user, spotify_id=spotify_id, just_made=known_empty)
    mode = claims.resolve_mode(
        mode=mode, name=name, mirrored=mirrored, known_empty=known_empty, replace_contents=replace_contents
    )

    with transaction.atomic():
        locked = lock_base(base_id=base.pk, for_edit=True)
        last = ChildPlaylist.objects.filter(base=locked).aggregate(last=Max("position"))["last"]
        child = ChildPlaylist(
            base=locked,
            user_id=locked.user_id,
            spotify_id=spotify_id,
            name=name,
            playlist=mirrored,
            mode=mode,
            position=0 if last is None else last + 1,
            filters=document.to_dict(),
        )
        try:
            with transaction.atomic():
                child.save()
        except IntegrityError:
            child.pk = None
            claims.ensure_free(wanted=child, name=name)  # a racing request won: say so
            raise
        claims.claim(holder=child, name=name)
        return child


def update_child(
    *,
    child: ChildPlaylist,
    name: Any = None,
    mode: Any = None,
    filters: Any = None,
    replace_contents: bool = False,
) -> ChildPlaylist:
    """Change a child's name, mode or filters (None: leave as it is); everything is checked
    before anything is written. Switching an add-only child that holds tracks to rebuild
    needs ``replace_contents``. Raises ChildNotAllowed, ReplaceNotConfirmed,
    FilterValidationError or BaseBusy."""
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = clean_child_name(name)
    if mode is not None:
        fields["mode"] = clean_child_mode(mode)
    if filters is not None:
        fields["filters"] = validate_child_filters(filters).to_dict()
    with transaction.atomic():
        lock_base(base_id=child.base_id, for_edit=True)
        row = ChildPlaylist.objects.select_for_update().filter(pk=child.pk).first()
        if row is None:
            raise PlaylistNotFound("This child playlist no longer exists.")
        if fields.get("mode") == ChildMode.REBUILD and row.mode != ChildMode.REBUILD:
            claims.resolve_mode(
                mode=ChildMode.REBUILD,
                name=row.name,
                mirrored=row.playlist,
                known_empty=False,
                replace_contents=replace_contents,
            )
        for field, value in fields.items():
            setattr(row, field, value)
        if fields:
            row.save(update_fields=[*fields, "updated_at"])
    return row


def update_child_filters(*, child: ChildPlaylist, filters: Any) -> ChildPlaylist:
    """Replace a child's filters with the normalised form of ``filters`` (or raise FilterValidationError)."""
    return update_child(child=child, filters=validate_child_filters(filters).to_dict())


def reorder_children(*, base: BasePlaylist, child_ids: Sequence[int]) -> list[ChildPlaylist]:
    """Put the base's children in the order of ``child_ids`` (positions 0, 1, 2, …).

    ``child_ids`` must name every child of the base exactly once, or InvalidChildOrder.
    """
    with transaction.atomic():
        locked = lock_base(base_id=base.pk, for_edit=True)
        current = dict(ChildPlaylist.objects.filter(base=locked).order_by().values_list("pk", "position"))
        if len(child_ids) != len(set(child_ids)) or set(child_ids) != set(current):
            raise InvalidChildOrder("List every child of this playlist exactly once, in the order you want.")
        _renumber(base_id=locked.pk, ordered_ids=list(child_ids), top=max(current.values(), default=0))
    return list(ChildPlaylist.objects.filter(base_id=base.pk).order_by("position"))


def delete_child(*, child: ChildPlaylist) -> None:
    """Detach a child (the Spotify playlist itself is left alone); the others close the gap."""
    with transaction.atomic():
        lock_base(base_id=child.base_id, for_edit=True)
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


def ensure_base_idle(*, base: BasePlaylist) -> None:
    """BaseBusy now if the base routes; for a caller about to do something costly before its edit."""
    with transaction.atomic():
        lock_base(base_id=base.pk, for_edit=True)


# --- internals --------------------------------------------------------------------------------
def validate_child_filters(filters: Any) -> FilterDocument:
    return validate_filters(filters, mode=settings.SPOTIFY_APP_MODE)


def lock_base(*, base_id: int, for_edit: bool) -> BasePlaylist:
    """Lock the base row for the rest of the transaction; with `for_edit`, BaseBusy while it routes.

    A row lock on PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers.
    """
    # Only the base's row: its playlist link is nullable (an outer join PostgreSQL cannot lock).
    locked = (
        BasePlaylist.objects.select_for_update(of=("self",))
        .select_related("playlist")
        .filter(pk=base_id)
        .first()
    )
    if locked is None:
        raise PlaylistNotFound("This base playlist no longer exists.")
    if for_edit:
        active = selectors.active_routing_run(base_id=base_id)
        if active is not None and active.status == RunStatus.WAITING:
            raise BaseBusy(
                f"{first_up(run_name(active))} of “{locked.name}” waits for your confirmation: confirm or "
                "discard it first (the set-up it planned with must not change under it).",
                active=active,
            )
        if active is not None:
            raise BaseBusy(
                f"“{locked.name}” is being routed right now ({run_name(active)}, "
                f"{active.get_status_display().lower()}). "
                "Wait for it to finish, then try again.",
                active=active,
            )
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


def _owned_playlist(*, user: User, spotify_id: str, just_made: bool) -> Playlist | None:
    """The mirrored row of a child-to-be, which must be the user's own playlist.

    An id the mirror does not hold is refused unless Linernotes has just made that playlist
    (`just_made`): it could name a track, someone else's playlist or nothing, and a route would
    then fail on it every time. Checking it against Spotify here instead would put a Spotify call
    in a request that must answer fast; an import (Sync now) is that check, done in the background.
    """
    row = Playlist.objects.filter(user=user, spotify_id=spotify_id).first()
    if row is None:
        if just_made:
            return None
        raise ChildNotAllowed(
            "No playlist with this id is in your library as last imported: choose one of your own "
            "playlists, or one you made on Spotify since, after the next import (Sync now)."
        )
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


def clean_child_name(name: Any) -> str:
    cleaned = " ".join(name.split()) if isinstance(name, str) else ""
    if not cleaned:
        raise ChildNotAllowed("Give the child playlist a name.")
    if len(cleaned) > NAME_MAX_LENGTH:
        raise ChildNotAllowed(f"The name must be at most {NAME_MAX_LENGTH} characters.")
    return cleaned


def clean_child_mode(mode: Any) -> str:
    if mode not in ChildMode.values:
        raise ChildNotAllowed(f"Choose a mode: {' or '.join(ChildMode.values)}.")
    return str(mode)
