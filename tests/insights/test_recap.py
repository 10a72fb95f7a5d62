"""A year in music, as the recap selector counts it from a small hand-made history: listens
without skips, minutes (a polled play as its track's length), favourites by plays and by minutes
with their first play ever, genres and moods by month, the longest streak across a month's end."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from analysis.services.analysis import PROMPT_VERSION
from insights.models import PlaySource
from insights.selectors.recap import longest_streak, year_recap, years_with_plays
from tests.accounts.factories import UserFactory
from tests.analysis.factories import SongAnalysisFactory
from tests.insights.factories import PlayFactory
from tests.library.factories import ArtistFactory, TrackFactory
from library.models import TrackArtist

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def history():
    """Three tracks in 2024 (and one play of A in 2023); C is credited to X and Z."""
    owner = UserFactory()
    x, y, z = ArtistFactory(name="Xenia"), ArtistFactory(name="Yves"), ArtistFactory(name="Zora")
    a = TrackFactory(name="Anchor", artist=x)
    b = TrackFactory(name="Bellwether", artist=y, duration_ms=200_000)
    c = TrackFactory(name="Coda", artist=x)
    TrackArtist.objects.create(track=c, artist=z, position=1)

    def play(track, when, ms, **kwargs):
        return PlayFactory(
            user=owner, track=track, played_at=when, ms_played=ms, source=PlaySource.EXPORT, **kwargs
        )

    play(a, at(2023, 6, 1, 9), 200_000)
    play(a, at(2024, 1, 31, 23), 180_000)
    play(a, at(2024, 2, 1, 10), 120_000)
    play(a, at(2024, 2, 2, 10), 60_000)
    play(b, at(2024, 3, 10, 8), 240_000)
    play(b, at(2024, 3, 11, 8), 20_000, skipped=True)
    PlayFactory(user=owner, track=b, played_at=at(2024, 3, 12, 8), ms_played=None, source=PlaySource.API)
    play(c, at(2024, 12, 31, 20), 300_000)
    # A stranger who played A all year: never counted for the owner.
    stranger = UserFactory()
    for day in range(1, 29):
        PlayFactory(user=stranger, track=a, played_at=at(2024, 5, day, 12), ms_played=100_000)
    return {"owner": owner, "a": a, "b": b, "c": c, "x": x, "y": y, "z": z}


def names(favourites):
    return [(f.item.name, f.listens, f.minutes, f.new_this_year) for f in favourites]


def test_the_months_count_plays_without_skips_and_minutes_with_them(history):
    recap = year_recap(user=history["owner"], year=2024)

    months = {m.month.month: (m.listens, m.skips, m.minutes, m.estimated) for m in recap.months}
    assert len(recap.months) == 12
    # March: two plays through (one polled, counted as the track's 200 s), one 20 s skip.
    assert months == {1: (1, 0, 3, 0), 2: (2, 0, 3, 0), 3: (2, 1, 8, 1), 4: (0, 0, 0, 0), 5: (0, 0, 0, 0),
                      6: (0, 0, 0, 0), 7: (0, 0, 0, 0), 8: (0, 0, 0, 0), 9: (0, 0, 0, 0), 10: (0, 0, 0, 0),
                      11: (0, 0, 0, 0), 12: (1, 0, 5, 0)}  # fmt: skip
    assert (recap.listens, recap.skips, recap.minutes, recap.estimated) == (6, 1, 19, 1)
    assert (recap.distinct_tracks, recap.distinct_artists, recap.days_listened) == (3, 3, 6)
    assert recap.busiest_month.month == date(2024, 3, 1)


def test_favourites_by_plays_and_by_minutes_mark_what_was_first_played_this_year(history):
    recap = year_recap(user=history["owner"], year=2024)

    assert names(recap.top_tracks) == [
        ("Anchor", 3, 6, False), ("Bellwether", 2, 8, True), ("Coda", 1, 5, True),
    ]  # fmt: skip
    assert names(recap.top_tracks_by_minutes)[0] == ("Bellwether", 2, 8, True)
    # A play counts for each artist credited on its track: Coda for Xenia and Zora.
    assert names(recap.top_artists) == [("Xenia", 4, 11, False), ("Yves", 2, 8, True), ("Zora", 1, 5, True)]
    assert names(recap.top_artists_by_minutes) == names(recap.top_artists)
    anchor = recap.top_tracks[0]
    assert anchor.first_played_at == at(2023, 6, 1, 9)  # its first play ever, in the year before


def test_the_longest_streak_runs_across_a_months_end_and_a_skip_breaks_it(history):
    recap = year_recap(user=history["owner"], year=2024)

    streak = recap.longest_streak
    assert (streak.days, streak.first, streak.last) == (3, date(2024, 1, 31), date(2024, 2, 2))


def test_a_streak_is_the_earliest_longest_run_of_consecutive_days():
    days = [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 5), date(2024, 1, 6), date(2024, 1, 8)]

    assert longest_streak(days).first == date(2024, 1, 1) and longest_streak(days).days == 2
    assert longest_streak([]).days == 0


def test_genres_and_moods_by_month_come_from_the_current_analyses(history):
    SongAnalysisFactory(track=history["a"], mood="calm", genres=["folk"])
    SongAnalysisFactory(track=history["a"], prompt_version="song-analysis-v1", mood="sad", genres=["metal"])
    SongAnalysisFactory(track=history["b"], mood="happy", genres=["pop", "rock"])
    assert PROMPT_VERSION != "song-analysis-v1"

    recap = year_recap(user=history["owner"], year=2024)

    genres = {row.label: row.counts for row in recap.genres.rows}
    assert recap.genres.source == "analyses"
    assert genres == {"folk": [1, 2] + [0] * 10, "pop": [0, 0, 2] + [0] * 9, "rock": [0, 0, 2] + [0] * 9}
    assert (recap.genres.covered, recap.genres.listens) == (5, 6)
    # Moods in the vocabulary's order (happy before calm), so each keeps its colour.
    assert [(row.label, row.total) for row in recap.moods.rows] == [("happy", 2), ("calm", 3)]


def test_without_analysed_genres_the_artists_spotify_genres_are_used(history):
    history["x"].genres = ["indie folk", "chamber pop"]
    history["x"].save()

    recap = year_recap(user=history["owner"], year=2024)

    assert recap.genres.source == "spotify"
    assert {row.label: row.total for row in recap.genres.rows} == {"chamber pop": 4, "indie folk": 4}
    assert recap.genres.covered == 4 and recap.moods.rows == []


def test_a_year_without_plays_has_no_recap_and_the_years_are_those_with_plays(history):
    assert year_recap(user=history["owner"], year=2022) is None
    assert years_with_plays(user=history["owner"]) == [2024, 2023]
    assert years_with_plays(user=UserFactory()) == []


def test_a_year_of_only_skips_has_a_recap_with_no_favourites():
    owner = UserFactory()
    PlayFactory(user=owner, played_at=at(2021, 4, 1, 12), ms_played=5_000, skipped=True)

    recap = year_recap(user=owner, year=2021)

    assert (recap.listens, recap.skips, recap.top_tracks, recap.longest_streak.days) == (0, 1, [], 0)


def test_days_and_years_are_the_sites_time_zone(history, settings):
    settings.TIME_ZONE = "Europe/Berlin"  # Coda's 20:00 UTC on 31 December is still 2024 there

    owner = history["owner"]
    PlayFactory(user=owner, played_at=at(2024, 12, 31, 23, 30), ms_played=60_000)

    assert years_with_plays(user=owner) == [2025, 2024, 2023]
    assert year_recap(user=owner, year=2025).listens == 1
    assert year_recap(user=owner, year=2024).timezone_name == "Europe/Berlin"


def test_a_streak_counts_the_sites_days_across_a_daylight_saving_change(settings):
    settings.TIME_ZONE = "Europe/Berlin"  # summer time from 2:00 on 31 March 2024
    owner = UserFactory()
    # One UTC day, two Berlin days (30 and 31 March), then 1 April just after midnight there.
    for when in (at(2024, 3, 30, 12), at(2024, 3, 30, 23, 30), at(2024, 3, 31, 22, 30)):
        PlayFactory(user=owner, played_at=when, ms_played=60_000)

    recap = year_recap(user=owner, year=2024)

    assert recap.days_listened == 3
    assert (recap.longest_streak.first, recap.longest_streak.last) == (date(2024, 3, 30), date(2024, 4, 1))
    assert [m.listens for m in recap.months][2:4] == [2, 1]
