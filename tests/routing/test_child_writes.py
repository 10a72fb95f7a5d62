"""The writes that take a child from what it holds to its target: right content, base order,
fewest requests; pure planning checked by simulation, then the reported bug on the sandbox."""

from __future__ import annotations

import math
import random

import pytest

from routing.models import ChildMode
from routing.services.child_writes import plan_change, simulate
from core.runs import RunStatus
from tests.routing.route_support import SpotifyAs, add_child, imported_base, route

REBUILD, ADD_ONLY = ChildMode.REBUILD, ChildMode.ADD_ONLY


def uris(*ids: str) -> list[str]:
    return [f"spotify:track:{track_id}" for track_id in ids]


def ids(count: int, prefix: str = "t") -> list[str]:
    return [f"{prefix}{index:04d}" for index in range(count)]


def test_nothing_to_do_is_no_request():
    assert plan_change(current=uris("a", "b"), target=["a", "b"], mode=REBUILD).writes == []


def test_a_small_child_is_replaced_in_one_atomic_put():
    change = plan_change(current=uris("c", "a", "x"), target=["a", "b", "c"], mode=REBUILD)

    assert [(w.method, w.uris) for w in change.writes] == [("PUT", tuple(uris("a", "b", "c")))]
    assert change.final == uris("a", "b", "c")
    assert (change.additions, change.removals) == (uris("b"), uris("x"))


def test_a_big_child_gets_each_run_inserted_where_the_base_has_it_before_any_removal():
    target = ids(300)
    kept = [t for index, t in enumerate(target) if index % 100 != 50]  # 3 tracks missing inside
    current = uris(*kept) + uris("gone")

    change = plan_change(current=current, target=target, mode=REBUILD)

    assert change.final == uris(*target)
    methods = [w.method for w in change.writes]
    assert methods == ["POST", "POST", "POST", "DELETE"]  # one per run, removals last
    assert all(w.position is not None for w in change.writes[:3])


def test_tracks_new_at_the_end_of_the_base_are_one_append_per_100():
    target = ids(450)
    change = plan_change(current=uris(*target[:200]), target=target, mode=REBUILD)

    assert change.final == uris(*target)
    assert [(w.method, w.position, len(w.uris)) for w in change.writes] == [
        ("POST", None, 100),
        ("POST", None, 100),
        ("POST", None, 50),
    ]


def test_a_big_child_out_of_order_is_put_right_with_the_fewest_single_moves():
    target = ids(200)
    current = target[:]
    current.insert(150, current.pop(10))  # one track moved away
    current.insert(0, current.pop(199))  # and another

    change = plan_change(current=uris(*current), target=target, mode=REBUILD)

    assert change.final == uris(*target)
    assert [w.method for w in change.writes] == ["PUT", "PUT"]
    assert all(w.move is not None for w in change.writes)


@pytest.mark.parametrize("seed", range(25))
def test_any_starting_point_ends_as_the_target_in_order(seed):
    rng = random.Random(seed)
    pool = ids(400)
    target = rng.sample(pool, rng.randint(0, 260))
    current = rng.sample(pool, rng.randint(0, 260))
    if rng.random() < 0.3:
        current = sorted(current, key=lambda t: target.index(t) if t in target else -1)

    change = plan_change(current=uris(*current), target=target, mode=REBUILD)

    assert change.final == uris(*target)
    posts = [w for w in change.writes if w.method == "POST"]
    assert all(len(w.uris) <= 100 for w in change.writes)
    assert sum(len(w.uris) for w in posts) in (0, len(change.additions))


def test_add_only_appends_the_missing_tracks_in_base_order_and_touches_nothing_else():
    change = plan_change(current=uris("mine", "b"), target=["a", "b", "c"], mode=ADD_ONLY)

    assert change.final == uris("mine", "b", "a", "c")
    assert [w.method for w in change.writes] == ["POST"] and change.removals == []


def test_rows_left_alone_keep_their_place_and_positions_stay_spotifys():
    target = ids(150)
    current = uris(*target[:60]) + [""] + uris(*target[61:])  # a local file where 60 was

    change = plan_change(current=current, target=target, mode=REBUILD)

    assert [uri for uri in change.final if uri] == uris(*target)
    local = change.final.index("")
    assert change.final[local + 1] == uris("t0061")[0]  # still just before the track it preceded
    assert simulate(current, change.writes) == change.final


# --- the bug found on the demo: widening a rebuild child's filter appended, out of base order ---
@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["development", "extended"])
def test_widening_a_routed_childs_filters_keeps_it_in_base_order(sandbox, settings, mode):
    user, base = imported_base(sandbox, settings, mode=mode)
    spotify = SpotifyAs(sandbox)
    tracks = spotify.tracks(base.playlist.spotify_id)
    years = sorted({int(t["album"]["release_date"][:4]) for t in tracks})
    middle = years[len(years) // 2]
    narrow = {
        "match": "all",
        "conditions": [{"field": "release_year", "op": "between", "value": {"max": middle}}],
    }
    child = add_child(sandbox, base, name="Older", filters=narrow)
    assert route(base).status == RunStatus.SUCCEEDED
    child.filters = {"match": "all", "conditions": []}  # now every track of the base
    child.save()

    event = route(base)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert spotify.track_ids(child.spotify_id) == list(dict.fromkeys(t["id"] for t in tracks))
    writes = event.details["writes"][child.spotify_id]
    assert writes["write_requests"] <= math.ceil(len(tracks) / 100) + writes["added"]


@pytest.mark.django_db
def test_a_base_reordered_on_spotify_reorders_its_rebuild_children(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child = add_child(sandbox, base, name="All", filters={"match": "all", "conditions": []})
    assert route(base).status == RunStatus.SUCCEEDED
    sandbox.mutate_playlist(base.playlist.spotify_id, op="reorder", range_start=0, insert_before=5)

    assert route(base).status == RunStatus.SUCCEEDED

    expected = list(dict.fromkeys(t["id"] for t in spotify.tracks(base.playlist.spotify_id)))
    assert spotify.track_ids(child.spotify_id) == expected
