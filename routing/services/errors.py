"""The domain errors of setting up routing; the messages are for people.

The API and the pages map them alike: PlaylistNotFound 404; BaseAlreadyExists,
ChildAlreadyAttached, PlaylistAlreadyRouted and BaseBusy 409; ReplaceNotConfirmed 400 under
"replace_contents"; the others 400 (routing.filters.FilterValidationError: 400 with its errors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routing.models import BasePlaylist, ChildPlaylist
    from routing.models import RouteRun


class RoutingSetupError(Exception):
    """Base class of the domain errors of setting up routing."""


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


class BaseBusy(RoutingSetupError):
    """A route of this base is queued or running; it carries that route's event."""

    def __init__(self, message: str, *, active: RouteRun) -> None:
        super().__init__(message)
        self.active = active


class InvalidChildOrder(RoutingSetupError):
    """A reorder must list every child of the base exactly once."""


class PlaylistAlreadyRouted(RoutingSetupError):
    """The playlist already is a base or a child (409); `holder` is that base or child."""

    def __init__(self, message: str, *, holder: BasePlaylist | ChildPlaylist) -> None:
        super().__init__(message)
        self.holder = holder


class ReplaceNotConfirmed(RoutingSetupError):
    """Rebuild chosen for a playlist that holds tracks, without confirming (400, replace_contents)."""
