"""Two devices merging at the same moment lose nothing: the merges of one user queue on a lock of
the user's row, so the second merges into the first's result instead of overwriting it.

PostgreSQL only: SQLite serialises every writer anyway, so it could not show the lock working.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from devices.models import AppPlaylist as AppPlaylistRow
from devices.services import load_device_library, merge_device_library
from devices.types import (
    AppPlaylistRecord,
    DeviceLibrary,
    FavoriteRecord,
    HistoryEntryRecord,
    PlaylistItemRecord,
    QueueState,
    RecentSearchRecord,
    TrackRef,
)
from tests.accounts.factories import UserFactory
from tests.support.concurrency import race

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

BASE = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
ROUNDS = 5  # each round a fresh race: one lucky interleaving must not make the test pass


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def device_library(device: str, round_: int, shared: AppPlaylistRecord) -> DeviceLibrary:
    """What one device changes in one round: its own favorite, play, search and new playlist;
    one field of the playlist both hold (the phone renames it, the laptop fills it), knowing
    nothing of the other's edits; and the queue (the phone's is a second newer)."""
    moment = at(round_)
    if device == "phone":
        edited = replace(shared, name=f"phone {round_}", name_updated_at=moment)
        queue = QueueState(items=(TrackRef(f"phone-{round_}"),), updated_at=moment + timedelta(seconds=1))
    else:
        edited = replace(
            shared, items=(PlaylistItemRecord(TrackRef(f"laptop-{round_}"), moment),), items_updated_at=moment
        )
        queue = QueueState(items=(TrackRef(f"laptop-{round_}"),), updated_at=moment)
    return DeviceLibrary(
        favorites=(FavoriteRecord(TrackRef(f"{device}-fav-{round_}"), added_at=moment),),
        history=(HistoryEntryRecord(TrackRef(f"{device}-song"), played_at=moment),),
        queue=queue,
        playlists=(edited, new_playlist(f"{device}-{round_}", moment)),
        recent_searches=(RecentSearchRecord(f"{device} {round_}", moment),),
    )


def new_playlist(local_id: str, moment: datetime) -> AppPlaylistRecord:
    return AppPlaylistRecord(
        id=None,
        local_id=local_id,
        name=local_id,
        name_updated_at=moment,
        description="",
        description_updated_at=moment,
        is_public=False,
        is_public_updated_at=moment,
        items=(),
        items_updated_at=moment,
        created_at=moment,
    )


def test_two_devices_merging_different_changes_at_the_same_moment_both_keep_theirs():
    user = UserFactory()
    made = merge_device_library(
        user=user, incoming=DeviceLibrary(playlists=(new_playlist("shared", at(-1)),))
    )
    shared = made.library.playlists[0]

    for round_ in range(ROUNDS):
        devices = iter(["phone", "laptop"])
        race(
            2, lambda: merge_device_library(user=user, incoming=device_library(next(devices), round_, shared))
        )

    stored = load_device_library(user=user)
    last = ROUNDS - 1
    (both_edited,) = [p for p in stored.playlists if p.id == shared.id]
    assert (both_edited.name, both_edited.items[0].ref.track) == (f"phone {last}", f"laptop-{last}")
    assert stored.queue.items == (TrackRef(f"phone-{last}"),)
    sent = [(device, round_) for device in ("phone", "laptop") for round_ in range(ROUNDS)]
    assert {f.ref.track for f in stored.favorites} == {f"{device}-fav-{round_}" for device, round_ in sent}
    assert {(e.ref.track, e.played_at) for e in stored.history} == {(f"{d}-song", at(r)) for d, r in sent}
    assert {p.local_id for p in stored.playlists} == {"shared"} | {
        f"{device}-{round_}" for device, round_ in sent
    }
    assert {s.query for s in stored.recent_searches} == {f"{device} {round_}" for device, round_ in sent}


def test_one_new_playlist_sent_twice_at_once_is_stored_once_with_one_id():
    user = UserFactory()
    made_offline = DeviceLibrary(playlists=(new_playlist("phone-1", at(0)),))

    outcomes = race(2, lambda: merge_device_library(user=user, incoming=made_offline))

    assert AppPlaylistRow.objects.filter(user=user).count() == 1
    assert (
        outcomes[0].playlist_ids == outcomes[1].playlist_ids == {"phone-1": AppPlaylistRow.objects.get().pk}
    )
