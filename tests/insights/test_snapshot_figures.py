"""The snapshot arithmetic against values worked out by hand (no database)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from analysis.vocabulary import MOODS
from insights.services import snapshot_figures as figures


def test_each_artists_genres_count_once_and_the_shares_sum_to_one():
    # Tags: pop ×3 (a, b, c), rock ×2 (a, c), jazz ×1 (d); "pop" twice on b counts once;
    # the artist with no genres is left out. 6 tags in all.
    shares = figures.genre_distribution([["pop", "rock"], ["pop", "pop"], ["rock", "pop"], ["jazz"], []])

    assert shares == {"pop": 3 / 6, "rock": 2 / 6, "jazz": 1 / 6}
    assert list(shares) == ["pop", "rock", "jazz"]  # largest first
    assert math.isclose(sum(shares.values()), 1.0)


def test_no_genres_at_all_is_an_empty_distribution():
    assert figures.genre_distribution([[], []]) == {}


def test_decades_are_shares_of_the_tracks_with_a_known_year():
    years = [
        figures.release_year(d) for d in ("1994-03-01", "1999", "2001-05", "0000", "", None, "1989-12-31")
    ]

    assert years == [1994, 1999, 2001, None, None, None, 1989]
    assert figures.decade_distribution(years) == {"1990s": 2 / 4, "1980s": 1 / 4, "2000s": 1 / 4}


def test_explicit_share_counts_every_top_track_and_is_none_without_tracks():
    assert figures.explicit_share([True, False, False, True, False]) == 2 / 5
    assert figures.explicit_share([]) is None


def test_plays_are_counted_by_local_hour_and_weekday_monday_first():
    tz = ZoneInfo("Europe/Berlin")  # UTC+1 in January
    plays = [
        datetime(2026, 1, 5, 23, 30, tzinfo=UTC),  # Tuesday 00:30 in Berlin
        datetime(2026, 1, 5, 8, 0, tzinfo=UTC),  # Monday 09:00
        datetime(2026, 1, 5, 8, 59, tzinfo=UTC),  # Monday 09:59
        datetime(2026, 1, 11, 22, 0, tzinfo=UTC),  # Sunday 23:00
    ]

    hours = figures.hour_of_day(plays, tz=tz)
    grid = figures.weekday_hours(plays, tz=tz)

    assert len(hours) == 24 and hours[0] == 1 and hours[9] == 2 and hours[23] == 1 and sum(hours) == 4
    assert len(grid) == 7 and all(len(row) == 24 for row in grid)
    assert grid[0][9] == 2 and grid[1][0] == 1 and grid[6][23] == 1 and sum(map(sum, grid)) == 4


def test_moods_and_energy_of_the_analysed_tracks():
    assert figures.mood_distribution(["calm", "calm", "happy", "dark"]) == {
        "calm": 0.5,
        "dark": 0.25,
        "happy": 0.25,
    }
    assert figures.mean([0.2, 0.4, None, 0.9]) == pytest.approx(0.5)
    assert figures.mean([None]) is None


def test_normalised_entropy_is_one_for_an_even_spread_zero_for_one_category_and_none_for_nothing():
    assert figures.normalised_entropy({"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}) == pytest.approx(1.0)
    assert figures.normalised_entropy({"a": 1.0}) == 0.0
    assert figures.normalised_entropy({}) is None
    assert figures.normalised_entropy({"a": 0.0}) is None  # absent categories do not count


def test_normalised_entropy_of_an_uneven_mix_by_hand():
    # p = (1/2, 1/4, 1/4): H = 1/2 ln 2 + 2 · 1/4 ln 4 = 1.5 ln 2; k = 3 → 1.5 ln 2 / ln 3.
    expected = 1.5 * math.log(2) / math.log(3)

    assert figures.normalised_entropy({"x": 0.5, "y": 0.25, "z": 0.25}) == pytest.approx(expected, abs=1e-12)
    # Counts give the same answer as their shares.
    assert figures.normalised_entropy([2, 1, 1]) == pytest.approx(expected, abs=1e-12)


def test_audio_feature_means_skip_tracks_spotify_did_not_describe():
    rows = [
        {"energy": 0.2, "valence": 0.9, "tempo": 100.0, "key": 5},
        None,
        {"energy": 0.6, "valence": 0.1, "tempo": 140.0, "key": 7},
    ]

    means = figures.audio_feature_means(rows)

    assert means["energy"] == pytest.approx(0.4) and means["valence"] == pytest.approx(0.5)
    assert means["tempo"] == pytest.approx(120.0)
    assert "key" not in means and "danceability" not in means
    assert figures.audio_feature_means([None, None]) is None


@pytest.mark.parametrize(
    ("valence", "energy", "mood"),
    [(0.8, 0.8, "happy"), (0.8, 0.2, "calm"), (0.2, 0.8, "tense"), (0.2, 0.2, "sad"), (0.5, 0.5, "happy")],
)
def test_a_feature_mood_is_a_quadrant_of_valence_and_energy(valence, energy, mood):
    assert figures.feature_mood(valence=valence, energy=energy) == mood
    assert mood in MOODS


def test_a_play_counts_once_for_each_distinct_credited_artist():
    credits = {"t1": ["a", "b"], "t2": ["a"], "t3": ["b", "b"]}

    counts = figures.artist_play_counts(["t1", "t1", "t2", "t3", "unknown"], credits=credits)

    assert counts == {"a": 3, "b": 3}
