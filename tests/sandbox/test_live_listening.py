"""Live listening: with `live_listening` on, the sandbox's listeners go on listening while it runs,
so their history reaches its clock at every read (the demo's Insights ranges all have plays).
Off by default: tests that drive plays themselves keep a history that only they change.

The clock here is the sandbox's (an anchor of our choosing, or the wall clock for the live
process), never a date written in the test."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from functools import lru_cache

import pytest

from sandbox import cli
from sandbox.catalog import build_catalog
from sandbox.config import StartupOptions
from sandbox.listening import HOUR_MS, SESSION_GAP_MS
from sandbox.state import SandboxState
from tests.fixtures.sandbox import SandboxControlError

ANCHOR = dt.datetime(2031, 3, 14, 9, 26, 53, tzinfo=dt.UTC)
DAY_MS = 24 * HOUR_MS
# The longest a listener goes without a play: the longest gap between sessions and one track.
QUIET_MS = SESSION_GAP_MS[1] + 15 * 60_000


@lru_cache(maxsize=1)
def catalog():
    return build_catalog(seed=1, scale=0.2, now=ANCHOR)


def state(*, live: bool = True) -> SandboxState:
    return SandboxState(catalog=catalog(), options=StartupOptions(live_listening=live))


def ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def played(state: SandboxState, user: str = "demo") -> list[int]:
    return [play.played_at_ms for play in state.plays[user]]


def test_a_sandbox_running_for_ten_days_has_a_listener_who_listened_until_its_clock():
    running, anchor = state(), ms(ANCHOR)
    generated_newest = played(running)[0]
    now = anchor + 10 * DAY_MS

    added = running.live.catch_up(running, "demo", now_ms=now)

    times = played(running)
    assert added > 0 and times[:added] == sorted(times[:added], reverse=True)
    assert times[added] == generated_newest  # on top of the generated history, which stays
    assert now - QUIET_MS < times[0] <= now
    # Every day since the generated history ended has plays: no quiet stretch longer than QUIET_MS.
    live = [now, *times[: added + 1]]
    assert max(a - b for a, b in zip(live, live[1:], strict=False)) <= QUIET_MS
    # Real tracks of the catalog, played in a context or on shuffle like the generated ones.
    assert all(0 <= play.track < len(catalog().tracks) for play in running.plays["demo"][:added])


def test_catching_up_again_only_adds_what_was_played_since_and_the_same_reads_give_the_same_plays():
    first, second, anchor = state(), state(), ms(ANCHOR)

    first.live.catch_up(first, "demo", now_ms=anchor + 3 * DAY_MS)
    first.live.catch_up(first, "demo", now_ms=anchor + 5 * DAY_MS)
    second.live.catch_up(second, "demo", now_ms=anchor + 5 * DAY_MS)

    assert first.plays["demo"] == second.plays["demo"]
    assert len(set(played(first))) == len(played(first))  # nothing played twice at one moment


def test_a_reset_brings_back_the_generated_history_and_live_listening_replays_it_alike():
    running, anchor = state(), ms(ANCHOR)
    running.live.catch_up(running, "demo", now_ms=anchor + 2 * DAY_MS)
    once = list(running.plays["demo"])

    running.reset()
    assert running.plays["demo"] == list(catalog().libraries["demo"].plays)
    running.live.catch_up(running, "demo", now_ms=anchor + 2 * DAY_MS)

    assert running.plays["demo"] == once


def test_live_listening_is_off_unless_asked_for():
    quiet = state(live=False)

    quiet.catch_up("demo")

    assert quiet.plays["demo"] == list(catalog().libraries["demo"].plays)
    assert StartupOptions().live_listening is False


def test_a_listener_with_no_plays_does_not_start_listening():
    running = state()
    running.plays["demo"] = []

    assert running.live.catch_up(running, "demo", now_ms=ms(ANCHOR) + DAY_MS) == 0


# --- the live process ------------------------------------------------------------------------
def recent(sandbox, demo, **params) -> list[dict]:
    answer = demo.get("/me/player/recently-played", limit=50, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def at_ms(item: dict) -> int:
    return ms(dt.datetime.fromisoformat(item["played_at"]))


def test_switched_on_the_recently_played_list_reaches_the_sandboxs_clock(sandbox, demo):
    generated = recent(sandbox, demo)
    # The session sandbox runs on the wall clock (no --now): its clock is now.
    now = ms(dt.datetime.now(dt.UTC))
    assert at_ms(generated[0]) < now - DAY_MS  # the generated history ends a day before the anchor

    assert sandbox.configure(live_listening=True)["live_listening"] is True
    live = recent(sandbox, demo)

    assert now - QUIET_MS < at_ms(live[0]) <= ms(dt.datetime.now(dt.UTC))
    # The live plays lead the newest 50, on top of the generated history.
    new = [item for item in live if at_ms(item) > at_ms(generated[0])]
    assert new and live[len(new) :] == generated[: len(live) - len(new)]
    assert sandbox.violations() == []  # the answers still validate against Spotify's spec


def test_with_live_listening_added_plays_still_go_on_top_and_listening_goes_on_after_them(sandbox, demo):
    sandbox.configure(live_listening=True)
    newest = at_ms(recent(sandbox, demo)[0])
    end = dt.datetime.fromtimestamp(newest / 1000, dt.UTC) + dt.timedelta(minutes=30)

    added = sandbox.add_plays("demo", 3, end=end.isoformat(), spacing_seconds=200)

    assert [item["played_at"] for item in recent(sandbox, demo)[:3]] == [p["played_at"] for p in added["plays"]]
    sandbox.reset()
    assert sandbox.configure()["live_listening"] is False  # a reset returns to the start-up options


def parsed(*argv: str) -> StartupOptions:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.options_from(vars(parser.parse_args(argv)))


def test_the_option_and_the_config_field_switch_it_and_the_field_takes_only_a_boolean(sandbox):
    assert parsed("--live-listening").live_listening is True and parsed().live_listening is False
    with pytest.raises(SandboxControlError):
        sandbox.configure(live_listening="yes")


def test_options_carry_it_into_the_run_time_config():
    options = dataclasses.replace(StartupOptions(), live_listening=True)

    assert SandboxState(catalog=catalog(), options=options).config.live_listening is True
