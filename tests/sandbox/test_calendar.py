"""The sandboxes' dates follow a clock we choose: the Spotify sandbox's listener activity leads up
to its anchor `now` (`--now`, SANDBOX_NOW, else its start), and the LLM sandbox writes today's dates."""

from __future__ import annotations

import argparse
import dataclasses
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from sandbox import cli
from sandbox.catalog import build_catalog
from sandbox.catalog.models import Catalog
from sandbox.llm.schema_fill import fill_schema

ANCHOR = datetime(2031, 3, 14, 9, 26, 53, tzinfo=UTC)
A_YEAR = timedelta(days=365)


def at_iso(value: str, by: timedelta) -> str:
    return (datetime.fromisoformat(value) + by).strftime("%Y-%m-%dT%H:%M:%SZ")


def shifted(catalog: Catalog, by: timedelta) -> Catalog:
    """`catalog` with every dated activity field moved `by` later, and nothing else changed."""
    playlists = {
        playlist_id: dataclasses.replace(
            playlist,
            entries=tuple(dataclasses.replace(e, added_at=at_iso(e.added_at, by)) for e in playlist.entries),
        )
        for playlist_id, playlist in catalog.playlists.items()
    }
    libraries = {
        user: dataclasses.replace(
            library,
            liked=tuple((ref, at_iso(added_at, by)) for ref, added_at in library.liked),
            plays=tuple(
                dataclasses.replace(play, played_at_ms=play.played_at_ms + by // timedelta(milliseconds=1))
                for play in library.plays
            ),
        )
        for user, library in catalog.libraries.items()
    }
    episodes = tuple(
        dataclasses.replace(episode, release_date=(date.fromisoformat(episode.release_date) + by).isoformat())
        for episode in catalog.episodes
    )
    return dataclasses.replace(
        catalog, now=catalog.now + by, playlists=playlists, libraries=libraries, episodes=episodes
    )


def without_timing(catalog: Catalog) -> Catalog:
    return dataclasses.replace(catalog, generation_ms=0.0)


def test_two_anchors_a_year_apart_give_the_same_catalog_with_its_dates_a_year_later():
    earlier = build_catalog(seed=3, scale=0.2, now=ANCHOR)
    later = build_catalog(seed=3, scale=0.2, now=ANCHOR + A_YEAR)

    assert without_timing(later) == without_timing(shifted(earlier, A_YEAR))
    # Not vacuous: the dates did move, and the albums' release dates (music facts) did not.
    assert later.libraries["demo"].plays[0] != earlier.libraries["demo"].plays[0]
    assert later.episodes[0].release_date != earlier.episodes[0].release_date
    assert later.albums == earlier.albums


def test_the_same_seed_and_anchor_give_the_same_catalog():
    assert without_timing(build_catalog(seed=3, scale=0.2, now=ANCHOR)) == without_timing(
        build_catalog(seed=3, scale=0.2, now=ANCHOR)
    )


def test_the_listeners_activity_leads_up_to_the_anchor():
    catalog = build_catalog(seed=1, scale=0.2, now=ANCHOR)
    demo = catalog.libraries["demo"]
    anchor_ms = ANCHOR.timestamp() * 1000
    added = [entry.added_at for playlist in catalog.playlists.values() for entry in playlist.entries]

    # The generated plays stop a day before now, leaving room for the plays a test adds.
    assert timedelta(days=1) < timedelta(milliseconds=anchor_ms - demo.plays[0].played_at_ms) < timedelta(
        days=1, hours=1
    )
    for newest in (max(added), demo.liked[0][1]):
        assert ANCHOR - A_YEAR < datetime.fromisoformat(newest) < ANCHOR
    assert max(episode.release_date for episode in catalog.episodes) < ANCHOR.date().isoformat()


def parsed(*argv: str) -> cli.StartupOptions:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.options_from(vars(parser.parse_args(argv)))


def test_the_anchor_comes_from_now_then_sandbox_now_then_the_start(monkeypatch):
    monkeypatch.delenv("SANDBOX_NOW", raising=False)
    started = parsed()
    given = parsed("--now", "2031-03-14T10:26:53.75+01:00")
    monkeypatch.setenv("SANDBOX_NOW", "2031-03-14T09:26:53Z")
    from_environment = parsed()

    assert started.now is None  # resolved when the catalog is built, to the second
    assert given.now == ANCHOR and from_environment.now == ANCHOR


def test_an_anchor_without_a_time_zone_is_refused(capsys):
    with pytest.raises(SystemExit):
        parsed("--now", "2031-03-14T09:26:53")

    assert "now needs a time zone" in capsys.readouterr().err


def test_a_sandbox_started_without_an_anchor_reports_its_start_time(sandbox):
    anchor = sandbox.now()

    assert anchor <= datetime.now(UTC) < anchor + timedelta(days=1)
    assert anchor.microsecond == 0


def test_the_llm_sandbox_fills_dates_with_the_current_day(time_machine):
    schema = {
        "type": "object",
        "properties": {"day": {"type": "string", "format": "date"}, "at": {"format": "date-time"}},
        "required": ["day", "at"],
    }
    time_machine.move_to(ANCHOR, tick=False)

    filled = fill_schema(schema, random.Random(1))
    given = fill_schema(schema, random.Random(1), now=ANCHOR + A_YEAR)

    assert filled == {"day": "2031-03-14", "at": "2031-03-14T09:26:53Z"}
    assert given == {"day": "2032-03-13", "at": "2032-03-13T09:26:53Z"}
