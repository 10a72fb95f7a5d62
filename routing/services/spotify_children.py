"""Child playlists on Spotify: make a new one for a base, or list the user's own that can be one.

Creating calls Spotify (POST /me/playlists), so it happens outside any transaction: the
set-up is checked first (valid input, base not routing) so that a refusal costs no
playlist on Spotify, then attached with setup.add_child_playlist, which checks
everything again under the base's lock.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.selectors import get_credential
from library.models import ItemsStatus, Playlist, PlaylistKind
from routing.models import BasePlaylist, ChildPlaylist, RoutedPlaylist
from routing.services import setup
from routing.services.setup import RoutingSetupError
from spotify import api
from spotify.client import get_spotify_client
from spotify.errors import (
    NotAllowlisted,
    ReconnectNeeded,
    SpotifyMisconfigured,
    SpotifyRateLimited,
    SpotifyRefused,
    SpotifyUnavailable,
    describe,
)

__all__ = ["SpotifyChildCreateFailed", "create_child_on_spotify", "owned_playlist_choices"]

DESCRIPTION = "Routed by Linernotes from “{base}”."


class SpotifyChildCreateFailed(RoutingSetupError):
    """Spotify did not create the playlist; the message says why (502: Spotify's failure, not the
    listener's, so trying again later may work)."""

    status = 502


def create_child_on_spotify(
    *, base: BasePlaylist, name: Any, mode: Any, filters: Any, public: bool = False
) -> ChildPlaylist:
    """Create a playlist on the user's Spotify account and attach it as the base's last child."""
    # Everything that can be refused without Spotify is refused before the playlist exists.
    clean_name = setup.clean_child_name(name)
    if mode is not None:
        setup.clean_child_mode(mode)
    setup.validate_child_filters(filters)
    setup.ensure_base_idle(base=base)
    try:
        with get_spotify_client(user=base.user) as client:
            created = api.create_playlist(
                client=client, name=clean_name, public=public, description=DESCRIPTION.format(base=base.name)
            )
    except ReconnectNeeded as exc:
        raise SpotifyChildCreateFailed(describe(exc)) from exc
    except SpotifyRateLimited as exc:
        raise SpotifyChildCreateFailed(f"{describe(exc)} Try again then.") from exc
    except (SpotifyUnavailable, SpotifyMisconfigured, SpotifyRefused, NotAllowlisted) as exc:
        raise SpotifyChildCreateFailed(f"Spotify did not create the playlist: {describe(exc)}") from exc
    spotify_id = (created or {}).get("id")
    if not spotify_id:
        raise SpotifyChildCreateFailed("Spotify's answer named no playlist; nothing was attached.")
    # Made just now and empty: rebuild needs no "replace its contents" confirmation.
    return setup.add_child_playlist(
        base=base, spotify_id=spotify_id, name=clean_name, mode=mode, filters=filters, known_empty=True
    )


def owned_playlist_choices(*, base: BasePlaylist) -> QuerySet[Playlist]:
    """The user's mirrored playlists they own that could become this base's child."""
    credential = get_credential(user=base.user)
    if credential is None:
        return Playlist.objects.none()
    # A playlist plays one part in routing: this base's children, other bases' children and
    # every base are taken.
    taken = RoutedPlaylist.objects.filter(user=base.user).values("spotify_id")
    return (
        Playlist.objects.filter(
            user=base.user,
            owner_spotify_id=credential.spotify_user_id,
            kind=PlaylistKind.PLAYLIST,
            items_status=ItemsStatus.AVAILABLE,
        )
        .exclude(pk=base.playlist_id)
        .exclude(spotify_id__in=taken)
        .order_by("list_position", "name")
    )
