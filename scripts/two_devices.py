"""Two devices of one listener edit their library offline, sync, and end with the same library.

    .venv/bin/python scripts/two_devices.py http://127.0.0.1:8000 PHONE_TOKEN LAPTOP_TOKEN

Each device has its own token: create two on the dashboard ("API tokens"), named "phone" and
"laptop", for the same account (each secret is shown once, when created). Prints each step and
exits 1 when the two devices' final libraries differ. Track ids and playlist ids are new on
every run.
"""

from __future__ import annotations

import argparse
import secrets
import string
import sys
from datetime import UTC, datetime

import requests


def now() -> str:
    return datetime.now(UTC).isoformat()


def new_track() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(22))


class Device:
    def __init__(self, base_url: str, token: str, name: str) -> None:
        self.base_url, self.name, self.library = base_url.rstrip("/"), name, {}
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, body: dict) -> dict:
        response = self.http.request(method, self.base_url + path, json=body, timeout=30)
        if response.status_code != 200:
            sys.exit(f"{self.name}: {method} {path} → {response.status_code} {response.text}")
        return response.json()

    def sync(self) -> None:
        answer = self.call("POST", "/api/me/library/sync", self.library)
        self.library = answer["library"]
        mapped = f", new playlists {answer['playlist_ids']}" if answer["playlist_ids"] else ""
        print(f"  {self.name} synced: {len(self.library['favorites'])} favorites, "
              f"{len(self.library['history'])} plays, {len(self.library['playlists'])} playlists{mapped}")  # fmt: skip

    def playlist(self, local_id: str) -> dict:
        return next(p for p in self.library["playlists"] if p["local_id"] == local_id)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base_url")
    parser.add_argument("phone_token")
    parser.add_argument("laptop_token")
    args = parser.parse_args()
    if args.phone_token == args.laptop_token:
        parser.error("give each device its own token (create a second one on the dashboard)")
    phone = Device(args.base_url, args.phone_token, "phone")
    laptop = Device(args.base_url, args.laptop_token, "laptop")
    t1, t2, t3, t4, t5 = (new_track() for _ in range(5))
    mix = f"mix-{secrets.token_hex(4)}"

    print("1. Online: the phone favorites two songs and makes a playlist; the laptop syncs.")
    phone.sync()
    phone.library["favorites"] += [
        {"track": t, "title": f"Song {t[:4]}", "added_at": now()} for t in (t1, t2)
    ]
    phone.library["playlists"].append({
        "local_id": mix, "name": "Mix", "description": "", "is_public": False, "created_at": now(),
        "updated_at": now(), "items": [{"track": t1, "added_at": now()}],
    })  # fmt: skip
    phone.sync()
    laptop.sync()

    print("2. Offline: the phone unfavorites song 1, plays song 3 and renames the playlist;")
    next(f for f in phone.library["favorites"] if f["track"] == t1)["removed_at"] = now()
    phone.library["history"].append({"track": t3, "played_at": now(), "completion": 1.0})
    phone.playlist(mix).update(name="Road mix", name_updated_at=now())
    print("   the laptop favorites song 4, plays song 5 and describes the playlist.")
    laptop.library["favorites"].append({"track": t4, "added_at": now()})
    laptop.library["history"].append({"track": t5, "played_at": now(), "completion": 0.5})
    laptop.playlist(mix).update(description="For the car", description_updated_at=now())

    print("3. Back online: the laptop syncs first, then the phone, then the laptop again.")
    laptop.sync()
    phone.sync()
    laptop.sync()

    same = phone.library == laptop.library
    removed = next(f for f in phone.library["favorites"] if f["track"] == t1)["removed_at"] is not None
    playlist = phone.playlist(mix)
    print(f"4. Same library on both devices: {same}. Song 1 still removed: {removed}. "
          f"Playlist: {playlist['name']!r} / {playlist['description']!r} (server id {playlist['id']}).")  # fmt: skip
    for device in (phone, laptop):
        ping = device.call(
            "POST", "/api/me/session/ping", {"session_id": f"demo-{device.name}", "device": device.name}
        )
    print(f"5. Sessions now active: {[s['device'] for s in ping['active_sessions']]}, "
          f"multiple_sessions={ping['multiple_sessions']}.")  # fmt: skip
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
