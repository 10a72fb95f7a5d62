"""The sandbox controls behind the routing fault tests: an owner turning collaboration off, a
listener unfollowing and following again, and an edit landing between two requests."""

from __future__ import annotations

import pytest

from tests.fixtures.sandbox import SandboxControlError
from tests.sandbox.conftest import playlists_of


def shared_playlist(sandbox) -> str:
    """demo's playlist that `other` collaborates on."""
    mine = playlists_of(sandbox, "other")
    return next(pid for pid in mine["collaborative_playlists"] if pid not in mine["owned_playlists"])


def test_turning_collaboration_off_locks_the_collaborator_out_of_the_items_in_development_mode(sandbox, other):
    shared = shared_playlist(sandbox)
    assert other.get(f"/playlists/{shared}/items").status_code == 200

    answer = sandbox.mutate_playlist(shared, op="collaboration", collaborative=False)

    assert answer["snapshot_id"]
    assert other.get(f"/playlists/{shared}/items").status_code == 403
    assert "items" not in other.get(f"/playlists/{shared}").json()  # details only
    sandbox.mutate_playlist(shared, op="collaboration", collaborative=True)
    assert other.get(f"/playlists/{shared}/items").status_code == 200


def test_unfollowing_takes_a_playlist_off_one_list_only_and_following_puts_it_on_top(sandbox, other, demo):
    shared = shared_playlist(sandbox)

    sandbox.mutate_playlist(shared, op="unfollow", user="other")

    assert shared not in [p["id"] for p in other.get("/me/playlists", limit=50).json()["items"]]
    assert demo.get(f"/playlists/{shared}").status_code == 200
    with pytest.raises(SandboxControlError, match="does not follow"):
        sandbox.mutate_playlist(shared, op="unfollow", user="other")

    sandbox.mutate_playlist(shared, op="follow", user="other")

    assert other.get("/me/playlists", limit=1).json()["items"][0]["id"] == shared


def test_an_edit_after_a_listing_page_shifts_the_next_page_under_the_reader(sandbox, other):
    made = [other.request("POST", "/me/playlists", json={"name": f"P{n}"}).json()["id"] for n in range(50)]
    first = other.get("/me/playlists", limit=50, offset=0).json()
    before = [p["id"] for p in other.get("/me/playlists", limit=50, offset=50).json()["items"]]
    sandbox.fail_next(
        method="GET", path="/v1/me/playlists", kind="mutate_after",
        body={"playlist_id": made[-1], "op": "unfollow", "user": "other"},
    )  # fmt: skip

    page_one = other.get("/me/playlists", limit=50, offset=0).json()
    page_two = other.get("/me/playlists", limit=50, offset=50).json()

    assert page_one == first  # answered before the edit
    assert page_one["items"][0]["id"] == made[-1]  # the newest, unfollowed after page one
    # The second page starts one further on: its former first entry is in neither page, and the
    # two pages add up to the new total, so only the moved total tells the reader.
    assert page_two["total"] == page_one["total"] - 1
    assert [p["id"] for p in page_two["items"]] == before[1:]
    seen = [p["id"] for p in page_one["items"] + page_two["items"]]
    assert before[0] not in seen and len(seen) == page_two["total"]


def test_a_mutate_after_fault_needs_a_playlist_and_an_op(sandbox):
    with pytest.raises(SandboxControlError, match="mutate_after fault needs body"):
        sandbox.fail_next(method="GET", path="/v1/me/playlists", kind="mutate_after", body={"op": "delete"})
