"""The response-shape switches (`PATCH /_sandbox/config {"shapes": ...}`): each serves a shape
Spotify really sends, every answer still passing the spec validator the session runs with."""

from __future__ import annotations

import pytest

from tests.fixtures.sandbox import SandboxControlError
from tests.sandbox.conftest import playlists_of

OFF = {"playlist_rows": None, "relink_tracks": False, "followed_without_items": False, "probe_null_entries": False}


def shapes(sandbox, **switches) -> dict:
    return sandbox.configure(shapes=switches)["shapes"]


def own_rows(sandbox, demo) -> list[dict]:
    playlist_id = playlists_of(sandbox, "demo")["owned_playlists"][0]
    return demo.get(f"/playlists/{playlist_id}/items", limit=50).json()["items"]


def test_every_shape_is_off_until_switched_and_a_reset_turns_them_off(sandbox):
    assert sandbox.control("GET", "config")["shapes"] == OFF
    assert shapes(sandbox, relink_tracks=True, playlist_rows="mixed")["relink_tracks"] is True
    sandbox.reset()
    assert sandbox.control("GET", "config")["shapes"] == OFF


@pytest.mark.parametrize(
    "patch",
    [{"playlist_rows": "items"}, {"relink_tracks": "yes"}, {"unknown": True}],
)
def test_a_bad_shape_is_refused_and_changes_nothing(sandbox, patch):
    with pytest.raises(SandboxControlError) as refused:
        sandbox.configure(shapes={"followed_without_items": True, **patch})
    assert refused.value.status == 400
    assert sandbox.control("GET", "config")["shapes"] == OFF


@pytest.mark.parametrize(
    "shape, keys",
    [
        ("item", [{"item"}]),
        ("track", [{"track"}]),
        ("both", [{"item", "track"}]),
        ("item_null", [{"item", "track"}]),
        ("mixed", [{"item"}, {"track"}, {"item", "track"}]),
    ],
)
def test_playlist_rows_carry_the_keys_asked_for(sandbox, demo, shape, keys):
    shapes(sandbox, playlist_rows=shape)
    rows = own_rows(sandbox, demo)
    seen = [set(row) & {"item", "track"} for row in rows]
    assert all(found in keys for found in seen)
    assert {frozenset(k) for k in keys} == {frozenset(found) for found in seen}
    present = [row.get("item") or row.get("track") for row in rows]
    assert any(obj is not None for obj in present)
    if shape in {"item_null", "mixed"}:
        assert any(row.get("item", "absent") is None and row.get("track") for row in rows)


def test_relinked_top_tracks_substitute_ids_without_a_market_and_name_the_original_with_one(sandbox, demo):
    plain = demo.get("/me/top/tracks", time_range="long_term", limit=50).json()["items"]
    shapes(sandbox, relink_tracks=True)
    substituted = demo.get("/me/top/tracks", time_range="long_term", limit=50).json()["items"]
    linked = demo.get("/me/top/tracks", time_range="long_term", limit=50, market="from_token").json()["items"]

    changed = [n for n, (a, b) in enumerate(zip(plain, substituted, strict=True)) if a["id"] != b["id"]]
    assert changed, "some top tracks are relinked"
    assert all("linked_from" not in obj for obj in substituted)
    for n in changed:
        assert linked[n]["id"] == substituted[n]["id"]
        assert linked[n]["linked_from"]["id"] == plain[n]["id"]
        assert linked[n]["linked_from"]["uri"] == f"spotify:track:{plain[n]['id']}"
    assert all("linked_from" not in linked[n] for n in range(len(linked)) if n not in changed)


def test_relinking_maps_two_different_songs_to_one_substitute(sandbox, demo):
    shapes(sandbox, relink_tracks=True)
    originals_by_substitute: dict[str, set[str]] = {}
    for time_range in ("short_term", "medium_term", "long_term"):
        page = demo.get("/me/top/tracks", time_range=time_range, limit=50, market="from_token").json()
        for obj in page["items"]:
            if "linked_from" in obj:
                originals_by_substitute.setdefault(obj["id"], set()).add(obj["linked_from"]["id"])
    plays = demo.get("/me/player/recently-played", limit=50, market="from_token").json()["items"]
    for play in plays:
        if "linked_from" in play["track"]:
            originals_by_substitute.setdefault(play["track"]["id"], set()).add(play["track"]["linked_from"]["id"])
    assert originals_by_substitute
    # The substitute id depends only on the original, so it is the same in every answer.
    assert all(len(originals) <= 2 for originals in originals_by_substitute.values())


def test_followed_playlists_are_listed_without_items_only_when_switched_on(sandbox, demo):
    followed = set(playlists_of(sandbox, "demo")["followed_playlists"])
    owned = set(playlists_of(sandbox, "demo")["owned_playlists"])

    def listing() -> dict[str, dict]:
        return {obj["id"]: obj for obj in demo.get("/me/playlists", limit=50).json()["items"]}

    assert all("items" in obj for obj in listing().values())
    shapes(sandbox, followed_without_items=True)
    listed = listing()
    assert followed & set(listed)
    assert all("items" not in listed[pid] for pid in followed & set(listed))
    assert all("items" in listed[pid] for pid in owned & set(listed))


def test_the_null_probe_puts_nulls_in_some_artist_and_image_lists(sandbox, demo):
    shapes(sandbox, probe_null_entries=True)
    tracks = [row["item"] for row in own_rows(sandbox, demo) if row.get("item") and not row["is_local"]]
    probed = [obj for obj in tracks if None in obj["artists"]]
    assert probed and len(probed) < len(tracks)
    assert all(None in obj["album"]["artists"] and obj["album"]["images"][0] is None for obj in probed)
