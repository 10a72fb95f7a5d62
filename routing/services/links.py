"""Routing set-up follows the mirror by Spotify id, and never goes with it.

A base or child names its Spotify playlist by id; the link to the mirrored row is a
convenience. When an import removes a playlist from the mirror (absent from two complete
listings) the links are cleared by the database (SET_NULL) and the set-up stays: a base
without its playlist is disabled and says why. When an import brings the playlist back,
`link_to_mirror` links it again and the base routes as before. Nothing here calls Spotify.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import OuterRef, Q, Subquery

from library.models import Playlist
from routing.models import BasePlaylist, ChildPlaylist, RoutedPlaylist

__all__ = ["link_to_mirror"]


def link_to_mirror(*, user_id: int, renamed: Collection[str]) -> int:
    """Link every base and child of the user that has no mirrored row to its playlist when the
    mirror has it (again), whenever that happened (a failed import, a route re-storing its base);
    bases on `renamed` playlists take Spotify's new name. Returns how many links were made.
    One query when nothing is unlinked and nothing renamed: the common import."""
    unlinked = list(
        RoutedPlaylist.objects.filter(user_id=user_id)
        .filter(
            Q(base__isnull=False, base__playlist__isnull=True)
            | Q(child__isnull=False, child__playlist__isnull=True)
        )
        .values_list("spotify_id", "base_id", "child_id")
    )
    linked = 0
    if unlinked:
        listed = Playlist.objects.filter(user_id=user_id, spotify_id__in=[sid for sid, _, _ in unlinked])
        rows = dict(listed.values_list("spotify_id", "pk"))
        for spotify_id, base_id, child_id in unlinked:
            if spotify_id not in rows:
                continue  # still gone: the base stays disabled
            model, pk = (BasePlaylist, base_id) if base_id else (ChildPlaylist, child_id)
            linked += model.objects.filter(pk=pk, playlist__isnull=True).update(playlist_id=rows[spotify_id])
    if renamed or linked:
        current_name = Playlist.objects.filter(pk=OuterRef("playlist_id")).values("name")[:1]
        BasePlaylist.objects.filter(
            user_id=user_id, spotify_id__in={*renamed, *(sid for sid, _, _ in unlinked)}
        ).filter(playlist__isnull=False).update(name=Subquery(current_name))
    return linked
