"""What routing does when other parts of the system announce something (connected in RoutingConfig.ready)."""

from __future__ import annotations

from collections.abc import Sequence

from routing.services import auto_route
from routing.services.links import link_to_mirror


def route_after_import(
    sender,
    *,
    user_id: int,
    changed_playlist_ids: Sequence[int],
    renamed_spotify_ids: Sequence[str],
    **kwargs,
) -> None:
    """sync.signals.import_completed: bases and children on a playlist that came back (or was first
    seen) link up again and renamed bases take the new name; then every base set to route
    automatically whose playlist the import changed is routed (linking first, so a base that
    just came back routes too)."""
    link_to_mirror(user_id=user_id, renamed=renamed_spotify_ids)
    auto_route.route_after_import(user_id=user_id, changed_playlist_ids=changed_playlist_ids)


def route_when_settled(sender, *, user_id: int, **kwargs) -> None:
    """analysis.signals.analyses_settled: the automatic routes that waited for the analyses go."""
    auto_route.route_when_settled(user_id=user_id)

