"""Playlist writes: snapshot ids, add/reorder/replace/remove semantics, ownership, creation, outside edits."""

from __future__ import annotations

import threading

import pytest

from tests.sandbox.conftest import Api, playlists_of


def small_playlist(sandbox, demo) -> str:
    owned = playlists_of(sandbox, "demo")["owned_playlists"]
    return next(
        pid for pid in owned if 10 <= demo.get(f"/playlists/{pid}/items", limit=1).json()["total"] <= 40
    )


def uris(demo, playlist_id: str) -> list[str]:
    page = demo.get(f"/playlists/{playlist_id}/items", limit=50, additional_types="track,episode").json()
    return [row["item"]["uri"] if row["item"] else None for row in page["items"]]


def liked_uris(demo, count: int) -> list[str]:
    return [row["track"]["uri"] for row in demo.get("/me/tracks", limit=count).json()["items"]]


def snapshot(demo, playlist_id: str) -> str:
    return demo.get(f"/playlists/{playlist_id}").json()["snapshot_id"]


def test_every_write_changes_the_snapshot_id(sandbox, demo):
    playlist_id = small_playlist(sandbox, demo)
    new = liked_uris(demo, 3)
    seen = [snapshot(demo, playlist_id)]

    seen.append(
        demo.request("POST", f"/playlists/{playlist_id}/items", json={"uris": new[:2]}).json()["snapshot_id"]
    )
    seen.append(
        demo.request(
            "PUT", f"/playlists/{playlist_id}/items", json={"range_start": 0, "insert_before": 3}
        ).json()["snapshot_id"]
    )
    seen.append(
        demo.request("DELETE", f"/playlists/{playlist_id}/items", json={"items": [{"uri": new[0]}]}).json()[
            "snapshot_id"
        ]
    )
    demo.request("PUT", f"/playlists/{playlist_id}", json={"name": "Renamed"})
    seen.append(snapshot(demo, playlist_id))
    seen.append(
        demo.request("PUT", f"/playlists/{playlist_id}/items", json={"uris": new}).json()["snapshot_id"]
    )

    assert len(set(seen)) == len(seen) == 6
    assert seen[-1] == snapshot(demo, playlist_id)


def test_adding_inserts_at_a_position_and_accepts_a_bare_uri_list(sandbox, demo):
    playlist_id = small_playlist(sandbox, demo)
    before = uris(demo, playlist_id)
    new = liked_uris(demo, 3)

    demo.request("POST", f"/playlists/{playlist_id}/items", json={"uris": new[:2], "position": 1})
    demo.request("POST", f"/playlists/{playlist_id}/items", json=[new[2]])

    assert uris(demo, playlist_id) == [before[0], *new[:2], *before[1:], new[2]]


def test_adding_more_than_100_items_or_a_bad_uri_is_400(sandbox, demo):
    playlist_id = small_playlist(sandbox, demo)
    uri = liked_uris(demo, 1)[0]

    too_many = demo.request("POST", f"/playlists/{playlist_id}/items", json={"uris": [uri] * 101})
    bad_uri = demo.request("POST", f"/playlists/{playlist_id}/items", json={"uris": ["spotify:album:nope"]})
    unknown = demo.request(
        "POST", f"/playlists/{playlist_id}/items", json={"uris": ["spotify:track:" + "0" * 22]}
    )
    via_query = demo.request("POST", f"/playlists/{playlist_id}/items", params={"uris": f"{uri},{uri}"})

    assert (too_many.status_code, bad_uri.status_code, unknown.status_code) == (400, 400, 400)
    assert via_query.status_code == 201
    assert uris(demo, playlist_id)[-2:] == [uri, uri]


def test_reordering_moves_a_block_like_spotify(sandbox, demo):
    playlist_id = small_playlist(sandbox, demo)
    before = uris(demo, playlist_id)

    demo.request(
        "PUT",
        f"/playlists/{playlist_id}/items",
        json={"range_start": 0, "range_length": 2, "insert_before": len(before)},
    )
    moved_to_end = uris(demo, playlist_id)
    demo.request(
        "PUT", f"/playlists/{playlist_id}/items", json={"range_start": len(before) - 1, "insert_before": 0}
    )
    out_of_range = demo.request(
        "PUT", f"/playlists/{playlist_id}/items", json={"range_start": 500, "insert_before": 0}
    )

    assert moved_to_end == [*before[2:], *before[:2]]
    assert uris(demo, playlist_id) == [before[1], *before[2:], before[0]]
    assert out_of_range.status_code == 400


def test_removing_takes_items_or_tracks_keys_and_drops_every_occurrence(sandbox, demo):
    playlist_id = small_playlist(sandbox, demo)
    before = uris(demo, playlist_id)
    demo.request("POST", f"/playlists/{playlist_id}/items", json={"uris": [before[0]]})

    demo.request("DELETE", f"/playlists/{playlist_id}/items", json={"items": [{"uri": before[0]}]})
    demo.request("DELETE", f"/playlists/{playlist_id}/items", json={"tracks": [{"uri": before[1]}]})
    too_many = demo.request(
        "DELETE", f"/playlists/{playlist_id}/items", json={"items": [{"uri": before[2]}] * 101}
    )

    assert uris(demo, playlist_id) == before[2:]
    assert too_many.status_code == 400


def test_only_the_owner_or_a_collaborator_may_write(sandbox, demo, other):
    mine = small_playlist(sandbox, demo)
    followed = playlists_of(sandbox, "demo")["followed_playlists"][0]
    uri = liked_uris(demo, 1)[0]

    stranger_add = other.request("POST", f"/playlists/{mine}/items", json={"uris": [uri]})
    follower_add = demo.request("POST", f"/playlists/{followed}/items", json={"uris": [uri]})
    follower_rename = demo.request("PUT", f"/playlists/{followed}", json={"name": "Mine now"})

    assert (stranger_add.status_code, follower_add.status_code, follower_rename.status_code) == (
        403,
        403,
        403,
    )


def test_a_collaborator_may_add_to_a_collaborative_playlist(sandbox, demo, other):
    demo_collab = next(
        pid
        for pid in playlists_of(sandbox, "demo")["owned_playlists"]
        if pid in playlists_of(sandbox, "demo")["collaborative_playlists"]
    )

    added = other.request("POST", f"/playlists/{demo_collab}/items", json={"uris": liked_uris(demo, 1)})
    rename = other.request("PUT", f"/playlists/{demo_collab}", json={"name": "Taken over"})

    assert added.status_code == 201
    assert rename.status_code == 403


def test_changing_details_updates_the_playlist(sandbox, demo):
    playlist_id = small_playlist(sandbox, demo)

    answer = demo.request(
        "PUT",
        f"/playlists/{playlist_id}",
        json={"name": "Late Night", "description": "for the bus", "public": False},
    )
    playlist = demo.get(f"/playlists/{playlist_id}").json()

    assert answer.status_code == 200 and answer.content == b""
    assert (playlist["name"], playlist["description"], playlist["public"]) == (
        "Late Night",
        "for the bus",
        False,
    )


def test_a_new_playlist_is_empty_and_listed_first(demo):
    created = demo.request("POST", "/me/playlists", json={"name": "Fresh", "public": False})
    first = demo.get("/me/playlists", limit=1).json()

    assert created.status_code == 201
    assert created.json()["items"]["total"] == 0 and created.json()["owner"]["id"] == "demo"
    assert first["items"][0]["id"] == created.json()["id"] and first["total"] == 76
    assert demo.request("POST", "/me/playlists", json={"description": "no name"}).status_code == 400


@pytest.mark.parametrize(
    "op, extra",
    [
        ("add", {"uris": None}),
        ("remove", {"positions": [0]}),
        ("reorder", {"range_start": 0, "insert_before": 3}),
        ("rename", {"name": "Edited elsewhere"}),
    ],
)
def test_an_outside_edit_through_the_control_api_bumps_the_snapshot(sandbox, demo, op, extra):
    playlist_id = small_playlist(sandbox, demo)
    before = snapshot(demo, playlist_id)
    if extra.get("uris", 0) is None:
        extra = {"uris": liked_uris(demo, 1)}

    result = sandbox.mutate_playlist(playlist_id, op=op, **extra)

    assert result["snapshot_id"] != before
    assert snapshot(demo, playlist_id) == result["snapshot_id"]


def test_a_playlist_deleted_elsewhere_disappears(sandbox, demo):
    playlist_id = small_playlist(sandbox, demo)

    sandbox.mutate_playlist(playlist_id, op="delete")

    assert demo.get(f"/playlists/{playlist_id}").status_code == 404
    assert demo.get("/me/playlists", limit=1).json()["total"] == 74


def test_concurrent_writes_to_one_playlist_are_all_kept(sandbox, demo):
    playlist_id = playlists_of(sandbox, "demo")["owned_playlists"][0]
    before = demo.get(f"/playlists/{playlist_id}/items", limit=1).json()["total"]
    uris = [row["track"]["uri"] for row in demo.get("/me/tracks", limit=20).json()["items"]]
    snapshots: list[str] = []

    def add(uri: str) -> None:
        answer = Api(api_url=sandbox.api_url, token=demo.token).request(
            "POST", f"/playlists/{playlist_id}/items", json={"uris": [uri]}
        )
        snapshots.append(answer.json()["snapshot_id"])

    threads = [threading.Thread(target=add, args=(uri,)) for uri in uris]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert demo.get(f"/playlists/{playlist_id}/items", limit=1).json()["total"] == before + 20
    assert len(set(snapshots)) == 20
