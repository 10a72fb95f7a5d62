"""An import for a listener Spotify stops serving (Development-mode user list) fails with the
reason and leaves the mirror as it was: an empty answer is never mirrored as an empty library."""

from __future__ import annotations

import pytest

from accounts.access import NOT_ALLOWLISTED_MESSAGE
from accounts.models import SpotifyAccess, SpotifyCredential
from core.runs import RunStatus
from library.models import Playlist, PlaylistItem
from tests.sync.import_support import LISTING_ROUTE, connect, import_library

pytestmark = pytest.mark.django_db


def _mirror(user) -> tuple[list[tuple[str, str]], int]:
    playlists = sorted(Playlist.objects.filter(user=user).values_list("spotify_id", "snapshot_id"))
    return playlists, PlaylistItem.objects.filter(playlist__user=user).count()


def test_an_import_for_an_unlisted_listener_fails_with_the_reason_and_deletes_nothing(sandbox):
    user = connect(sandbox, spotify_user="other")
    assert import_library(user).status == RunStatus.SUCCEEDED
    before = _mirror(user)
    assert before[0] and before[1]
    sandbox.configure(allowlist=["demo"])
    listed = sandbox.counters()["by_route"].get(LISTING_ROUTE, 0)

    event = import_library(user)

    assert event.status == RunStatus.FAILED
    assert event.error == NOT_ALLOWLISTED_MESSAGE
    assert _mirror(user) == before
    assert SpotifyCredential.objects.get(user=user).access == SpotifyAccess.NOT_ALLOWLISTED
    # The first refusal stops the run: no retry, no further call.
    assert sandbox.counters()["by_route"].get(LISTING_ROUTE, 0) == listed + 1


def test_the_first_import_after_the_operator_lists_the_listener_runs_and_lifts_the_mark(sandbox):
    user = connect(sandbox, spotify_user="other")
    sandbox.configure(allowlist=["demo"])
    assert import_library(user).status == RunStatus.FAILED
    assert not Playlist.objects.filter(user=user).exists()
    sandbox.configure(allowlist=["demo", "other"])

    event = import_library(user)

    assert event.status == RunStatus.SUCCEEDED
    assert Playlist.objects.filter(user=user).exists()
    assert SpotifyCredential.objects.get(user=user).access == SpotifyAccess.SERVED
