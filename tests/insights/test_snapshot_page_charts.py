"""The Insights page's charts: one measure each, ordered by what they draw, with axes and a
legend; a single figure is a number, not a line; many small genres do not outweigh the bars."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.accounts.factories import UserFactory
from tests.insights.factories import ListeningSnapshotFactory
from tests.library.factories import ArtistFactory

pytestmark = pytest.mark.django_db

PAGE = "/insights/"


@pytest.fixture
def owner():
    return UserFactory()


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_top_artists_are_ordered_and_drawn_by_plays_with_spotifys_rank_beside_and_no_empty_bars(
    client, owner
):
    for n, name in enumerate(("Ash Rank One", "Birch Rank Two", "Cedar Rank Three", "Dune Rank Four"), 1):
        ArtistFactory(spotify_id=f"artist-{n}", name=name)
    ListeningSnapshotFactory(
        user=owner,
        play_count=9,
        top_artists=[
            {"id": "artist-1", "rank": 1, "plays": 0},
            {"id": "artist-2", "rank": 2, "plays": 4},
            {"id": "artist-3", "rank": 3, "plays": 8},
            {"id": "artist-4", "rank": 4, "plays": 4},
        ],
    )
    client.force_login(owner)

    artists = section(client.get(PAGE).content.decode(), "artists-heading")

    names = re.findall(r'<span class="bar-label">([^<]+)<small>Spotify\'s #(\d+)</small>', artists)
    assert names == [("Cedar Rank Three", "3"), ("Birch Rank Two", "2"), ("Dune Rank Four", "4")]
    assert re.findall(r"(\d+) plays?</span>", artists) == ["8", "4", "4"]
    assert "Ash Rank One" not in artists and "0 plays" not in artists
    assert "1 of Spotify's 4 top artists has no recorded play in this range." in artists
    assert re.findall(r"--w: ([\d.]+)%", artists) == ["100.0", "50.0", "50.0"]


def test_with_no_plays_top_artists_are_spotifys_ranking_as_a_list_without_bars(client, owner):
    for n, name in enumerate(("Ash Rank One", "Birch Rank Two"), 1):
        ArtistFactory(spotify_id=f"artist-{n}", name=name)
    ListeningSnapshotFactory(
        user=owner,
        play_count=0,
        top_artists=[{"id": "artist-1", "rank": 1, "plays": 0}, {"id": "artist-2", "rank": 2, "plays": 0}],
    )
    client.force_login(owner)

    artists = section(client.get(PAGE).content.decode(), "artists-heading")

    assert re.findall(r"<li>([^<]+)</li>", artists) == ["Ash Rank One", "Birch Rank Two"]
    assert 'class="bar"' not in artists and "plays" not in artists.split("</p>", 1)[1]
    assert "Spotify's ranking, first to last" in artists


def test_the_genre_mix_draws_the_eight_largest_and_sums_the_rest_in_words_never_as_a_bar(client, owner):
    # Twelve genres: eight at 10% and four at 5% (20% together, more than any single bar).
    genres = {f"genre {n:02d}": 0.1 for n in range(8)} | {f"small genre {n}": 0.05 for n in range(4)}
    ArtistFactory(spotify_id="artist-tagged", name="Tagged", genres=["genre 00"])
    ArtistFactory(spotify_id="artist-untagged", name="Untagged", genres=[])
    ListeningSnapshotFactory(
        user=owner,
        genre_distribution=genres,
        top_artists=[
            {"id": "artist-tagged", "rank": 1, "plays": 1},
            {"id": "artist-untagged", "rank": 2, "plays": 0},
            {"id": "artist-not-in-catalog", "rank": 3, "plays": 0},
        ],
    )
    client.force_login(owner)

    mix = section(client.get(PAGE).content.decode(), "genres-heading")

    assert re.findall(r'<span class="bar-label">([^<]+)</span>', mix) == [f"genre {n:02d}" for n in range(8)]
    assert "small genre" not in mix and ">Other<" not in mix
    assert "Other: 4 more genres, 20% together" in mix
    assert "Spotify gives no genre for 2 of your 3 top artists, so they are not in this mix" in mix
    assert "deprecated artist genres in February 2026" in mix


def test_a_mix_without_any_genre_says_spotify_gave_none(client, owner):
    ArtistFactory(spotify_id="artist-untagged", name="Untagged", genres=[])
    ListeningSnapshotFactory(
        user=owner, genre_distribution={}, genre_diversity=None,
        top_artists=[{"id": "artist-untagged", "rank": 1, "plays": 0}],
    )  # fmt: skip
    client.force_login(owner)

    mix = section(client.get(PAGE).content.decode(), "genres-heading")

    assert "Spotify gives no genre for any of your top artists." in mix
    assert "Spotify gives no genre for 1 of your 1 top artists" in mix and "Other:" not in mix


def test_one_snapshot_shows_each_trend_figure_as_a_number_not_a_line(client, owner):
    ListeningSnapshotFactory(
        user=owner, snapshot_date=date(2026, 3, 2), energy_mean=0.7, genre_diversity=0.4, mood_diversity=None
    )
    client.force_login(owner)

    trend = section(client.get(PAGE).content.decode(), "trend-heading")

    assert "<svg" not in trend and "<polyline" not in trend
    energy = trend[trend.index('id="trend-energy"') : trend.index('id="trend-genre"')]
    assert '<span class="big">0.70</span> on 2 March 2026' in energy
    assert "A line appears once a second snapshot has this figure." in energy
    mood = trend[trend.index('id="trend-mood"') :]
    assert "Not known yet for any snapshot." in mood


def test_two_snapshots_draw_one_chart_per_measure_with_axes_dates_and_a_data_table(client, owner):
    ListeningSnapshotFactory(user=owner, snapshot_date=date(2026, 3, 1), energy_mean=0.2, genre_diversity=0.4)
    ListeningSnapshotFactory(user=owner, snapshot_date=date(2026, 3, 2), energy_mean=0.7, genre_diversity=0.5)
    client.force_login(owner)

    trend = section(client.get(PAGE).content.decode(), "trend-heading")

    charts = re.findall(r'<svg class="trend (\w+)"', trend)
    assert charts == ["energy", "genre", "mood"]
    energy = trend[trend.index('id="trend-energy"') : trend.index('id="trend-genre"')]
    assert energy.count("<polyline") == 1 and energy.count('class="axis"') == 2
    ticks = re.findall(r'class="tick"[^>]*>([^<]+)</text>', energy)
    assert ticks == ["0", "0.5", "1", "1 Mar 2026", "2 Mar 2026"]
    assert "<title id=\"trend-energy-title\">Energy per snapshot day</title>" in energy
    table = energy[energy.index('<table class="visually-hidden">') :]
    assert re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td></tr>", table) == [
        ("1 March 2026", "0.20"),
        ("2 March 2026", "0.70"),
    ]


def test_the_heat_map_has_a_legend_from_none_to_the_busiest_hour(client, owner):
    grid = [[0] * 24 for _ in range(7)]
    grid[4][20] = 5
    ListeningSnapshotFactory(user=owner, weekday_hours=grid, play_count=5)
    client.force_login(owner)

    heat = section(client.get(PAGE).content.decode(), "heat-heading")

    assert re.search(r'class="legend heat-legend">0 plays .*5 plays \(the busiest hour\)', heat)
    assert "hour of the day (columns, 0 to 23)" in heat


def test_the_page_loads_its_own_stylesheet(client, owner):
    ListeningSnapshotFactory(user=owner)
    client.force_login(owner)

    assert 'href="/static/css/insights.css"' in client.get(PAGE).content.decode()
