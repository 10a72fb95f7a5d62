"""The domain errors of setting up routing; the messages are for people.

Each carries its answer (core.errors.DomainError), the same in the API and on the pages:
PlaylistNotFound 404; BaseAlreadyExists, ChildAlreadyAttached (with `existing`),
PlaylistAlreadyRouted and BaseBusy (with `active_event`) 409; ReplaceNotConfirmed 400 under
"replace_contents"; the others 400 (routing.filters.FilterValidationError: 400 with its errors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.errors import DomainError

if TYPE_CHECKING:
    from routing.models import BasePlaylist, ChildPlaylist
    from routing.models import RouteRun


class RoutingSetupError(DomainError):
    """Base class of the domain errors of setting up routing (400 unless a subclass says)."""


class PlaylistNotFound(RoutingSetupError):
    """No such playlist, or another user's: both look the same to the caller."""

    status = 404


class BaseNotPossible(RoutingSetupError):
    """The playlist exists but cannot feed others (its items are not readable)."""


class BaseAlreadyExists(RoutingSetupError):
    status = 409

    def __init__(self, message: str, *, existing: BasePlaylist) -> None:
        super().__init__(message)
        self.existing = existing

    def extra(self) -> dict[str, Any]:
        return {"existing": self.existing.pk}


class ChildNotAllowed(RoutingSetupError):
    """The Spotify playlist cannot be a child here (not the user's, the base itself, bad input)."""


class ChildAlreadyAttached(RoutingSetupError):
    status = 409

    def __init__(self, message: str, *, existing: ChildPlaylist) -> None:
        super().__init__(message)
        self.existing = existing

    def extra(self) -> dict[str, Any]:
        return {"existing": self.existing.pk}


class BaseBusy(RoutingSetupError):
    """A route of this base is queued or running; it carries that run."""

    status = 409

    def __init__(self, message: str, *, active: RouteRun) -> None:
        super().__init__(message)
        self.active = active

    def extra(self) -> dict[str, Any]:
        return {"active_event": self.active.pk}


class InvalidChildOrder(RoutingSetupError):
    """A reorder must list every child of the base exactly once."""


class PlaylistAlreadyRouted(RoutingSetupError):
    """The playlist already is a base or a child (409); `holder` is that base or child."""

    status = 409

    def __init__(self, message: str, *, holder: BasePlaylist | ChildPlaylist) -> None:
        super().__init__(message)
        self.holder = holder


class ReplaceNotConfirmed(RoutingSetupError):
    """Rebuild chosen for a playlist that holds tracks, without confirming (400, replace_contents)."""

    field = "replace_contents"
