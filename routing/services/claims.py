"""The rules that keep children safe by construction, shared by the set-up services.

- A Spotify playlist plays one part in a listener's routing: one base, or the child of one
  base. The database holds the last word (routing.models.RoutedPlaylist, unique per user and
  playlist); `claim` inserts the row in the caller's transaction and turns a refusal into a
  sentence naming what holds the playlist already. So no playlist is rebuilt by two bases,
  and no two bases feed each other.
- Rebuilding replaces a child's contents. A playlist that holds tracks (or whose contents
  Linernotes has not seen) is attached add-only unless the listener chose rebuild and
  confirmed "replace its contents"; `resolve_mode` says which, or why not.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from library.models import Playlist
from routing.models import BasePlaylist, ChildMode, ChildPlaylist, RoutedPlaylist
from routing.services.errors import (
    BaseAlreadyExists,
    ChildAlreadyAttached,
    PlaylistAlreadyRouted,
    ReplaceNotConfirmed,
    RoutingSetupError,
)

__all__ = ["claim", "current_holder", "ensure_free", "replace_warning", "resolve_mode"]


def current_holder(*, user_id: int, spotify_id: str) -> BasePlaylist | ChildPlaylist | None:
    """The base or child that holds this playlist of the user's, if any."""
    row = (
        RoutedPlaylist.objects.filter(user_id=user_id, spotify_id=spotify_id)
        .select_related("base", "child__base")
        .first()
    )
    if row is None:
        return None
    return row.base or row.child


def ensure_free(*, wanted: BasePlaylist | ChildPlaylist, name: str) -> None:
    """Refuse, naming what holds it, a playlist that already plays a part (saved or not).

    BaseAlreadyExists (a second base on it), ChildAlreadyAttached (already a child of this
    base) or PlaylistAlreadyRouted (a part elsewhere).
    """
    existing = current_holder(user_id=wanted.user_id, spotify_id=wanted.spotify_id)
    if existing is None:
        return
    if type(existing) is type(wanted) and existing.pk == wanted.pk:
        return  # its own claim
    raise _taken(existing, name=name, wanted=wanted)


def claim(*, holder: BasePlaylist | ChildPlaylist, name: str) -> None:
    """Record `holder` (just saved, in the caller's transaction) as its playlist's one part.

    Checked first for the message (ensure_free); the unique index decides races.
    """
    ensure_free(wanted=holder, name=name)
    try:
        with transaction.atomic():
            RoutedPlaylist.objects.create(
                user_id=holder.user_id,
                spotify_id=holder.spotify_id,
                base=holder if isinstance(holder, BasePlaylist) else None,
                child=holder if isinstance(holder, ChildPlaylist) else None,
            )
    except IntegrityError:
        ensure_free(wanted=holder, name=name)  # raises now that the winner is visible
        raise


def _taken(
    existing: BasePlaylist | ChildPlaylist, *, name: str, wanted: BasePlaylist | ChildPlaylist
) -> RoutingSetupError:
    if isinstance(existing, BasePlaylist) and isinstance(wanted, BasePlaylist):
        return BaseAlreadyExists(f"“{name}” is already a base playlist.", existing=existing)
    if isinstance(existing, ChildPlaylist) and isinstance(wanted, ChildPlaylist):
        if existing.base_id == wanted.base_id:
            return ChildAlreadyAttached(
                f"“{existing.name}” is already a child of this base.", existing=existing
            )
    return PlaylistAlreadyRouted(_taken_message(existing, name=name, wanted=wanted), holder=existing)


def _taken_message(
    existing: BasePlaylist | ChildPlaylist, *, name: str, wanted: BasePlaylist | ChildPlaylist
) -> str:
    if isinstance(existing, BasePlaylist):
        return (
            f"“{name}” is a base playlist: it cannot also be a child, or routes would feed "
            "playlists that feed them back and lose tracks."
        )
    owner = existing.base.name
    if isinstance(wanted, BasePlaylist):
        return (
            f"“{name}” is a child of “{owner}”: it cannot also be a base, or routes would feed "
            "playlists that feed them back. Detach it there first."
        )
    return (
        f"“{name}” is already a child of “{owner}”: a playlist takes tracks from one base only, "
        "or each route would undo the other's. Detach it there first."
    )


def resolve_mode(
    *, mode: str | None, name: str, mirrored: Playlist | None, known_empty: bool, replace_contents: bool
) -> str:
    """The mode a child gets: rebuild only for an empty playlist, or when confirmed.

    `mirrored` is the playlist's row in the mirror (None: no import has seen it, so what it
    holds is unknown); `known_empty` is for a playlist Linernotes has just made.
    """
    holds = 0 if known_empty else (mirrored.items_total if mirrored is not None else None)
    if mode is None:
        return ChildMode.REBUILD if holds == 0 else ChildMode.ADD_ONLY
    if mode == ChildMode.REBUILD and holds != 0 and not replace_contents:
        raise ReplaceNotConfirmed(replace_warning(name=name, holds=holds))
    return mode


def replace_warning(*, name: str, holds: int | None) -> str:
    """Why rebuild needs a confirmation, with what the playlist holds as far as we know."""
    if holds is None:
        what = f"Linernotes has not imported “{name}” yet, so it cannot tell what it holds"
    else:
        what = f"“{name}” holds {holds} item{'s' if holds != 1 else ''} (as last imported)"
    return (
        f"{what}. Rebuild replaces its contents with the base's matching tracks: confirm "
        "“replace its contents”, or choose add only to keep what it has."
    )
