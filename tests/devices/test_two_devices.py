"""Issue 7's "done when": two devices (two API clients, each with its own token) edit favorites,
history and a playlist offline, sync in either order, and end with the same library. Each device
has its own API token, made by the listener's signed-in session: revoking one leaves the other."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from devices.serializers import DeviceLibraryOutSerializer
from devices.services import load_device_library
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

SYNC = "/api/me/library/sync"
TOKENS = "/api/me/tokens/"


def track(n: int) -> str:
    return f"track{n:017d}"


class Device:
    """A client app: it keeps the library it last heard from the server and edits it offline."""

    def __init__(self, secret: str, name: str) -> None:
        self.name = name
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        self.library: dict = {"favorites": [], "history": [], "playlists": []}
        self.playlist_ids: dict[str, int] = {}

    def sync(self) -> dict:
        response = self.api.post(SYNC, self.library, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        self.library = copy.deepcopy(body["library"])
        self.playlist_ids.update(body["playlist_ids"])
        return body

    def playlist(self, local_id: str) -> dict:
        return next(p for p in self.library["playlists"] if p["local_id"] == local_id)


def new_token(user, name: str) -> str:
    """A token of `user` for device `name`, as the listener makes it (signed in): its secret."""
    session = APIClient()
    session.force_login(user)
    created = session.post(TOKENS, {"name": name}, format="json")
    assert created.status_code == 201, created.content
    return created.json()["token"]


BASE = datetime(2025, 3, 1, 12, tzinfo=UTC)  # fixed, so the runs of both orders can be compared


def at(minutes: int) -> str:
    return (BASE + timedelta(minutes=minutes)).isoformat()


def two_devices_edit_offline_and_sync(order: tuple[int, int]) -> tuple[dict, dict, dict]:
    """Both devices start from one synced library, edit offline, sync in `order`, then each syncs
    once more to hear the other's edits. Returns both devices' libraries and their server id map."""
    user = UserFactory()
    one, two = (Device(new_token(user, name), name) for name in ("phone", "laptop"))

    # Online: the phone favorites two songs and makes a playlist; the laptop syncs and gets them.
    one.library["favorites"] = [{"track": track(n), "title": f"Song {n}", "added_at": at(0)} for n in (1, 2)]
    mix_items = [{"track": track(1), "title": "Song 1", "added_at": at(0)}]
    one.library["playlists"] = [
        {"id": None, "local_id": "phone-mix", "name": "Mix", "description": "", "is_public": False,
         "items": mix_items, "created_at": at(0), "updated_at": at(0)}
    ]  # fmt: skip
    one.sync()
    two.sync()
    assert two.library == one.library

    # Offline on the phone: unfavorite song 1, play song 3, rename the playlist, make a new one.
    next(f for f in one.library["favorites"] if f["track"] == track(1))["removed_at"] = at(10)
    one.library["history"].append(
        {"track": track(3), "played_at": at(11), "completion": 1.0, "source": "album"}
    )
    one.playlist("phone-mix").update(name="Road mix", name_updated_at=at(12), updated_at=at(12))
    one.library["playlists"].append(
        {"id": None, "local_id": "phone-late", "name": "Late night", "description": "", "is_public": False,
         "items": [], "created_at": at(13), "updated_at": at(13)}
    )  # fmt: skip

    # Offline on the laptop: favorite song 4, play song 5, describe the playlist and add a track.
    two.library["favorites"].append({"track": track(4), "title": "Song 4", "added_at": at(20)})
    two.library["history"].append(
        {"track": track(5), "played_at": at(21), "completion": 0.4, "source": "search"}
    )
    mix = two.playlist("phone-mix")
    mix.update(description="For the car", description_updated_at=at(22), updated_at=at(23))
    mix["items"].append({"track": track(5), "title": "Song 5", "added_at": at(23)})
    mix["items_updated_at"] = at(23)

    devices = {1: one, 2: two}
    for n in order:
        devices[n].sync()
    for n in order:  # each hears what the other sent
        devices[n].sync()

    stored = DeviceLibraryOutSerializer(load_device_library(user=user)).data
    assert one.library == stored
    return one.library, two.library, one.playlist_ids


@pytest.mark.parametrize("order", [(1, 2), (2, 1)], ids=["phone-first", "laptop-first"])
def test_two_devices_editing_offline_end_with_the_same_library_in_either_order(order):
    phone, laptop, ids = two_devices_edit_offline_and_sync(order)

    assert phone == laptop
    favorites = {f["track"]: f for f in phone["favorites"]}
    assert favorites[track(1)]["removed_at"] is not None  # the phone's removal stayed removed
    assert favorites[track(2)]["removed_at"] is None and favorites[track(4)]["removed_at"] is None
    assert {h["track"] for h in phone["history"]} == {track(3), track(5)}  # both devices' plays kept
    mix, late = phone["playlists"]
    assert (mix["name"], mix["description"]) == ("Road mix", "For the car")  # per-field edits of both
    assert [i["track"] for i in mix["items"]] == [track(1), track(5)]
    assert ids == {"phone-mix": mix["id"], "phone-late": late["id"]}  # local ids mapped to server ids
    assert late["name"] == "Late night" and isinstance(late["id"], int)


def test_both_orders_give_the_same_library_apart_from_server_ids():
    def without_ids(library: dict) -> dict:
        return {**library, "playlists": [{**p, "id": None} for p in library["playlists"]]}

    phone_first, _, _ = two_devices_edit_offline_and_sync((1, 2))
    laptop_first, _, _ = two_devices_edit_offline_and_sync((2, 1))

    assert without_ids(phone_first) == without_ids(laptop_first)


def test_two_tokens_of_one_listener_sync_one_library_and_revoking_one_leaves_the_other():
    user = UserFactory()
    phone, laptop = Device(new_token(user, "phone"), "phone"), Device(new_token(user, "laptop"), "laptop")
    phone.library["favorites"] = [{"track": track(1), "title": "Song 1", "added_at": at(0)}]
    phone.sync()
    laptop.library["favorites"] = [{"track": track(2), "title": "Song 2", "added_at": at(1)}]
    assert {f["track"] for f in laptop.sync()["library"]["favorites"]} == {track(1), track(2)}
    session = APIClient()
    session.force_login(user)
    tokens = {token["name"]: token for token in session.get(TOKENS).json()}
    assert tokens["phone"]["last_used_at"] and tokens["laptop"]["last_used_at"]

    assert session.delete(f"{TOKENS}{tokens['phone']['id']}").status_code == 204  # the phone is lost

    refused = phone.api.post(SYNC, phone.library, format="json")
    assert refused.status_code == 401
    laptop.library["favorites"].append({"track": track(3), "title": "Song 3", "added_at": at(2)})
    assert {f["track"] for f in laptop.sync()["library"]["favorites"]} == {track(1), track(2), track(3)}
