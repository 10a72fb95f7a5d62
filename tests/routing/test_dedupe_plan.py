"""The plan that removes chosen rows from a playlist: checked against Spotify's documented write
semantics (child_writes.simulate), on every shape the sandbox cannot easily make."""

from __future__ import annotations

import random

import pytest

from routing.services.child_writes import simulate
from routing.services.dedupe_plan import PlanError, plan_dedupe, plan_put_back, plan_resume


def _t(n: int) -> str:
    return f"spotify:track:{n:022d}"


def _without(rows: list[str], drop: set[int]) -> list[str]:
    return [uri for index, uri in enumerate(rows) if index not in drop]


def test_a_short_playlist_of_tracks_is_written_with_one_put():
    rows = [_t(1), _t(2), _t(1)]
    change = plan_dedupe(rows=rows, drop={2})
    assert [w.method for w in change.writes] == ["PUT"]
    assert change.final == [_t(1), _t(2)] and change.removals == []


def test_local_files_stay_where_they_are_and_force_delete_and_put_back():
    local = "spotify:local:Artist:Album:Song:200"
    rows = [_t(1), local, _t(2), _t(1), "", _t(1), _t(3)]
    change = plan_dedupe(rows=rows, drop={3, 5})
    assert [w.method for w in change.writes] == ["DELETE", "POST"]
    assert change.writes[1].position == 0
    assert change.final == [_t(1), local, _t(2), "", _t(3)]


def test_a_row_that_is_not_a_track_cannot_be_removed():
    with pytest.raises(PlanError):
        plan_dedupe(rows=[_t(1), "spotify:local:a:b:c:1", _t(1)], drop={1})
    with pytest.raises(PlanError):
        plan_dedupe(rows=[_t(1)], drop={4})


def test_a_recording_on_another_release_goes_entirely_when_it_is_the_later_copy():
    rows = [_t(1), _t(2), _t(9)]  # _t(9): the same recording as _t(1), by ISRC
    change = plan_dedupe(rows=rows, drop={2})
    assert change.removals == [_t(9)] and change.final == [_t(1), _t(2)]


@pytest.mark.parametrize("seed", range(40))
def test_any_long_playlist_ends_as_its_rows_less_the_chosen_ones(seed):
    rng = random.Random(seed)
    pool = [_t(n) for n in range(rng.randrange(5, 260))]
    rows = [rng.choice(pool) if rng.random() > 0.03 else "" for _ in range(rng.randrange(101, 400))]
    seen: dict[str, int] = {}
    later = {i for i, uri in enumerate(rows) if uri and seen.setdefault(uri, i) != i}
    drop = {i for i in later if rng.random() > 0.2}  # the listener may keep some copies
    change = plan_dedupe(rows=rows, drop=drop)
    assert simulate(rows, change.writes) == _without(rows, drop)
    assert all(len(w.uris) <= 100 for w in change.writes)



def test_a_resumed_removal_puts_every_kept_copy_back_around_a_local_file():
    local = "spotify:local:Artist:Album:Song:200"
    backup = [_t(1), _t(2), _t(1), local, _t(1), *[_t(n) for n in range(3, 113)]]
    after_delete = [uri for uri in backup if uri != _t(1)]  # stopped between the DELETE and the POSTs
    change = plan_resume(current=after_delete, backup=backup, drop={4})
    assert simulate(after_delete, change.writes) == _without(backup, {4})
    assert [w.method for w in change.writes] == ["POST", "POST"]
    untouched = plan_resume(current=backup, backup=backup, drop={4})  # stopped before any write
    assert simulate(backup, untouched.writes) == _without(backup, {4})


def test_a_playlist_that_is_not_the_backup_less_some_rows_cannot_be_resumed_or_put_back():
    with pytest.raises(PlanError):  # reordered
        plan_resume(current=[_t(2), _t(1), _t(3)], backup=[_t(1), _t(3), _t(2)], drop={2})
    with pytest.raises(PlanError):  # a track the backup never held
        plan_put_back(current=[_t(9)], target=[_t(1)])
    with pytest.raises(PlanError):  # a local file cannot be added back
        plan_put_back(current=[_t(1)], target=[_t(1), "spotify:local:a:b:c:1"])
