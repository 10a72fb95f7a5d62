"""Imports from the live sandbox while it sends the other shapes Spotify really sends (its
`shapes` switches): rows keyed `item`, `track` or both, nulls inside lists, relinked tracks,
followed playlists listed without items. Nothing is lost, and what was skipped is counted."""

from __future__ import annotations

import pytest

from core.runs import RunStatus
from library.models import ItemsStatus, Playlist, PlaylistKind
from library.views import PLAYLISTS_PER_PAGE
from sync.display import describe_event
from tests.sync.import_support import (
    ITEMS_ROUTE,
    assert_mirror_matches,
    connect,
    import_library,
    requests_since,
    route_counts,
    spotify_library,
)

pytestmark = pytest.mark.django_db


def switch(sandbox, **shapes) -> None:
    sandbox.configure(shapes=shapes)


def nulls_in(obj: dict | None) -> int:
    """Null entries a track object holds in the lists the probe fills."""
    if not obj or obj.get("type") != "track" or obj.get("is_local"):
        return 0
    album = obj.get("album") or {}
    return sum(values.count(None) for values in (obj["artists"], album["artists"], album["images"]))


@pytest.mark.parametrize(
    "shapes",
    [
        {"playlist_rows": "item"},
        {"playlist_rows": "track"},
        {"playlist_rows": "both"},
        {"playlist_rows": "item_null"},
        {"playlist_rows": "mixed"},
        {"relink_tracks": True},
    ],
    ids=lambda shapes: "-".join(f"{k}={v}" for k, v in shapes.items()),
)
def test_an_import_keeps_every_row_whichever_keys_they_carry(sandbox, settings, shapes):
    user = connect(sandbox)
    expected = spotify_library(sandbox)  # the plain shape: what the mirror must hold
    switch(sandbox, **shapes)

    event = import_library(user)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert_mirror_matches(user, expected)
    assert "skipped_nulls" not in event.details
    assert "empty" not in describe_event(event)


def test_nulls_inside_artist_and_image_lists_are_skipped_counted_and_shown(sandbox, settings):
    user = connect(sandbox)
    expected = spotify_library(sandbox)
    switch(sandbox, probe_null_entries=True)
    probed = spotify_library(sandbox)
    served_nulls = sum(
        nulls_in(row.get("item") or row.get("track"))
        for rows in [*probed.items.values(), probed.liked]
        for row in rows or ()
    )
    assert served_nulls > 0

    event = import_library(user)

    assert event.status == RunStatus.SUCCEEDED, event.error
    # Credits, albums and items equal the unprobed library's: nothing but the nulls went.
    assert_mirror_matches(user, expected)
    assert event.details["skipped_nulls"] == served_nulls
    assert f"Spotify sent {served_nulls} empty entries" in describe_event(event)


def test_a_followed_playlist_listed_without_items_is_stored_as_not_available(sandbox, settings, client):
    user = connect(sandbox, spotify_user="demo")
    users = sandbox.control("GET", "users")["users"]
    followed = set(next(u for u in users if u["id"] == "demo")["followed_playlists"])
    switch(sandbox, followed_without_items=True)

    before = route_counts(sandbox)
    event = import_library(user)
    sent = requests_since(before, sandbox)

    assert event.status == RunStatus.SUCCEEDED, event.error
    stored = Playlist.objects.filter(user=user, kind=PlaylistKind.PLAYLIST)
    not_available = stored.filter(items_status=ItemsStatus.NOT_AVAILABLE)
    assert set(not_available.values_list("spotify_id", flat=True)) == followed
    assert all(p.track_count == 0 and not p.items.exists() for p in not_available)
    # The listing gave no total, so each was asked once, and Spotify's 403 settled it.
    readable = stored.exclude(spotify_id__in=followed)
    assert sent[ITEMS_ROUTE] == sum(-(-p.items_total // 50) for p in readable) + len(followed)
    assert all(p.items_status == ItemsStatus.AVAILABLE and p.track_count == p.items_total for p in readable)

    # Said so on its page, and not listed as "0 — …": Spotify gave no count to show.
    client.force_login(user)
    for playlist in not_available:
        assert "Items not available from Spotify" in client.get(f"/library/playlists/{playlist.pk}/").content.decode()
    pages = -(-Playlist.objects.filter(user=user).count() // PLAYLISTS_PER_PAGE)
    listing = "".join(client.get("/library/", {"page": n}).content.decode() for n in range(1, pages + 1))
    assert listing.count("Items not available from Spotify") == len(followed)
    assert "0 — items not available" not in listing
