"""The rule that makes a route ask before it writes, and the restore planner's exactness (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.models import ChildMode
from routing.services.child_writes import PER_REQUEST, plan_change, plan_restore, simulate
from routing.services.removal_guard import Thresholds, review

HALF_OF_TWENTY = Thresholds(percent=50, min_tracks=20)


def uris(*ids: int) -> list[str]:
    return [f"spotify:track:t{n:03d}" for n in ids]


def ask(current: list[str], target_ids: list[int], *, confirmed=None, mode=ChildMode.REBUILD):
    change = plan_change(current=current, target=[f"t{n:03d}" for n in target_ids], mode=mode)
    return review(
        child_id=1,
        spotify_id="c1",
        name="Child",
        change=change,
        thresholds=HALF_OF_TWENTY,
        confirmed=confirmed,
    )


def test_emptying_a_child_that_holds_tracks_always_asks_even_a_small_one():
    pending = ask(uris(1, 2, 3), [])
    assert pending is not None
    assert (pending.tracks_now, pending.tracks_after, pending.removed_rows) == (3, 0, 3)
    assert pending.reason == "it would be emptied: all 3 of its tracks would be removed"


def test_an_empty_child_staying_empty_or_filling_up_never_asks():
    assert ask([], []) is None
    assert ask([], [1, 2, 3]) is None


def test_more_than_half_of_a_child_of_twenty_asks_and_half_or_less_does_not():
    twenty = uris(*range(20))
    assert ask(twenty, list(range(10))) is None  # 10 of 20 removed: exactly half
    pending = ask(twenty, list(range(9)))
    assert pending is not None and pending.reason == "11 of its 20 tracks (55 %) would be removed"


def test_a_child_under_twenty_tracks_may_lose_most_of_them_without_asking_but_not_all():
    nineteen = uris(*range(19))
    assert ask(nineteen, [0]) is None
    assert ask(nineteen, []) is not None


def test_copies_of_a_removed_track_count_as_removed_rows():
    current = uris(*range(10)) + uris(*range(10)) + uris(20, 21)  # 22 rows, 0..9 twice
    pending = ask(current, [20, 21, 0])
    assert pending is not None and pending.removed_rows == 18


def test_add_only_children_never_ask():
    assert ask(uris(*range(40)), [], mode=ChildMode.ADD_ONLY) is None


def test_confirmed_removals_pass_and_anything_beyond_them_asks_again():
    current = uris(*range(30))
    pending = ask(current, [0])
    assert pending is not None
    assert ask(current, [0], confirmed=pending.removals) is None
    assert ask(current, [0, 1], confirmed=pending.removals) is None  # fewer removals: still agreed
    assert ask(uris(*range(31)), [0], confirmed=pending.removals) is not None  # t030 was not shown


# --- plan_restore: back to a backup, as exactly as the Web API allows ---------------------------
track_lists = st.lists(st.integers(min_value=0, max_value=60), max_size=250).map(lambda ids: uris(*ids))


@settings(max_examples=150, deadline=None)
@given(current=track_lists.map(lambda rows: list(dict.fromkeys(rows))), backup=track_lists)
def test_a_restore_brings_back_any_backup_exactly_duplicates_and_order_included(current, backup):
    change = plan_restore(current=current, backup=backup)
    assert simulate(current, change.writes) == backup
    assert all(len(write.uris) <= PER_REQUEST for write in change.writes)


@settings(max_examples=150, deadline=None)
@given(
    current=track_lists.map(lambda rows: list(dict.fromkeys(rows))),
    backup=track_lists.map(lambda rows: list(dict.fromkeys(rows))),
    locals_at=st.lists(st.integers(min_value=0, max_value=250), max_size=3),
)
def test_local_files_stay_put_while_the_tracks_around_them_are_restored(current, backup, locals_at):
    rows = list(current)
    for at in sorted(locals_at, reverse=True):
        rows.insert(min(at, len(rows)), f"spotify:local:artist:album:song{at}:200")
    change = plan_restore(current=rows, backup=backup)
    after = simulate(change.current, change.writes)
    assert after.count("") == len(locals_at)  # never written, never removed
    assert sorted(uri for uri in after if uri) == sorted(backup)


def test_restoring_a_child_already_as_backed_up_writes_nothing():
    rows = uris(1, 2, 2, 3)
    assert plan_restore(current=rows, backup=rows).writes == []


@pytest.mark.parametrize("size", [5, 100, 101, 250])
def test_a_restore_with_duplicates_replaces_the_list_in_order(size):
    backup = uris(*range(size // 2)) * 2
    change = plan_restore(current=uris(999), backup=backup)
    assert change.writes[0].method == "PUT" and all(w.method == "POST" for w in change.writes[1:])
    assert simulate(change.current, change.writes) == backup


def test_a_childs_first_route_asks_before_removing_anything_even_one_track():
    change = plan_change(current=uris(1, 2, 3), target=["t001", "t002"], mode=ChildMode.REBUILD)
    pending = review(
        child_id=1, spotify_id="c1", name="Child", change=change, thresholds=HALF_OF_TWENTY, confirmed=None,
        first_route=True,
    )  # fmt: skip
    assert pending is not None and pending.reason == (
        "it has never been routed, and 1 of the 3 tracks it holds now would be removed"
    )
    later = review(
        child_id=1, spotify_id="c1", name="Child", change=change, thresholds=HALF_OF_TWENTY, confirmed=None
    )
    assert later is None


def test_a_restore_that_cannot_bring_back_copies_around_local_files_says_it_is_not_exact():
    local = "spotify:local:a:b:c:100"
    change = plan_restore(current=[local, *uris(1)], backup=uris(2, 2, 3))
    assert not change.exact
    after = simulate(change.current, change.writes)
    assert sorted(uri for uri in after if uri) == uris(2, 3) and after.count("") == 1
    assert plan_restore(current=[local, *uris(1)], backup=uris(2, 3)).exact
