"""Every CSV opens in a spreadsheet as it is: UTF-8 with its byte order mark, one header row, values
quoted where they must be, and no cell a spreadsheet would run as a formula. Streamed a chunk at a
time, in a few queries per chunk however long the library."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine

from exports import selectors
from exports.streams import csv_cell
from tests.accounts.factories import UserFactory
from tests.analysis.factories import SongAnalysisFactory
from tests.exports.support import BOM, body, csv_rows, json_rows
from tests.insights.factories import PlayFactory
from tests.library.factories import ArtistFactory, PlaylistFactory, PlaylistItemFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Plain = fine", "Plain = fine"),
        (["=a", "b"], "'=a; b"),
        (None, ""),
        (True, "true"),
        (0.25, "0.25"),
        (-3, "-3"),  # a number is a number, not text
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_starts_with_an_apostrophe(value, cell):
    assert csv_cell(value) == cell


def test_names_typed_on_spotify_cannot_become_formulas_but_stay_whole_in_json(client, owner):
    playlist = PlaylistFactory(user=owner, name="=cmd|' /C calc'!A0")
    track = TrackFactory(name="@import", artist=ArtistFactory(name="+Plus", genres=["-core"]))
    PlaylistItemFactory(playlist=playlist, track=track)

    (row,) = csv_rows(client.get("/exports/library.csv"))
    (data,) = json_rows(client.get("/exports/library.json"))

    assert row["playlist"] == "'=cmd|' /C calc'!A0" and row["title"] == "'@import"
    assert row["artists"] == "'+Plus" and row["artist_genres"] == "'-core"
    assert data["playlist"] == "=cmd|' /C calc'!A0" and data["title"] == "@import"


def test_commas_quotes_line_breaks_and_accents_survive_the_round_trip(client, owner):
    name = 'Björk, "Jóga"\nlive — 東京'
    playlist = PlaylistFactory(user=owner, name="Ça va")
    PlaylistItemFactory(playlist=playlist, track=TrackFactory(name=name))

    response = client.get(f"/exports/playlists/{playlist.pk}.csv")
    text = body(response)

    assert text.startswith(BOM) and text.count(BOM) == 1
    assert "\r\n" in text  # the line end spreadsheets expect
    (row,) = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    assert row["title"] == name
    (data,) = json_rows(client.get(f"/exports/playlists/{playlist.pk}.json"))
    assert data["title"] == name


def test_the_file_is_an_attachment_named_after_the_playlist_and_the_day(client, owner):
    playlist = PlaylistFactory(user=owner, name="Röad Trip: 2025 / Summer!")
    other = PlaylistFactory(user=owner, name="東京")  # nothing left once slugified: its number

    with time_machine.travel("2025-06-30 22:00:00Z", tick=False):
        named = client.get(f"/exports/playlists/{playlist.pk}.csv")
        numbered = client.get(f"/exports/playlists/{other.pk}.json")
        history = client.get("/exports/history.json")

    assert (
        named["Content-Disposition"]
        == 'attachment; filename="linernotes-playlist-road-trip-2025-summer-2025-06-30.csv"'
    )
    assert (
        numbered["Content-Disposition"]
        == f'attachment; filename="linernotes-playlist-{other.pk}-2025-06-30.json"'
    )
    assert history["Content-Disposition"] == 'attachment; filename="linernotes-history-2025-06-30.json"'
    assert named["Cache-Control"] == "private, no-store"


def fill(playlist, count: int) -> None:
    for position in range(count):
        track = TrackFactory()
        SongAnalysisFactory(track=track)
        PlaylistItemFactory(playlist=playlist, position=position, track=track)


@pytest.mark.parametrize("count", [3, 40])
def test_the_queries_do_not_grow_with_the_rows_within_a_chunk(
    client, owner, count, django_assert_max_num_queries, throttle_rates
):
    # The download limit's count lives in the cache (queries on the database cache, none on
    # Redis): a cost per download, not per row, so it is off where rows' queries are counted.
    throttle_rates(exports=None)
    playlist = PlaylistFactory(user=owner)
    fill(playlist, count)

    with django_assert_max_num_queries(6):  # session, user, playlist; items, credits, analyses
        rows = csv_rows(client.get(f"/exports/playlists/{playlist.pk}.csv"))

    assert len(rows) == count


def test_a_long_library_is_read_a_chunk_at_a_time_in_order(
    client, owner, monkeypatch, django_assert_max_num_queries, throttle_rates
):
    # The download limit's count lives in the cache (queries on the database cache, none on
    # Redis): a cost per download, not per row, so it is off where rows' queries are counted.
    throttle_rates(exports=None)
    """40 items in chunks of 10: one query reads the items as they are streamed, two more per chunk
    (credits, analyses), and every row comes once, in order, across the chunks' edges."""
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 10)
    first, second = PlaylistFactory(user=owner, list_position=1), PlaylistFactory(user=owner, list_position=2)
    fill(first, 25)
    fill(second, 15)

    with django_assert_max_num_queries(2 + 1 + 4 * 2):  # session and user; items; 4 chunks
        rows = json_rows(client.get("/exports/library.json"))

    assert [(row["playlist"], row["position"]) for row in rows] == [
        *((first.name, n) for n in range(1, 26)), *((second.name, n) for n in range(1, 16)),
    ]  # fmt: skip
    assert all(row["mood"] == "calm" for row in rows)


def test_a_long_history_is_read_a_chunk_at_a_time(
    client, owner, monkeypatch, django_assert_max_num_queries, throttle_rates
):
    # The download limit's count lives in the cache (queries on the database cache, none on
    # Redis): a cost per download, not per row, so it is off where rows' queries are counted.
    throttle_rates(exports=None)
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 10)
    for _ in range(35):
        PlayFactory(user=owner)

    with django_assert_max_num_queries(2 + 2 + 4 * 2):  # session and user; plays, unmatched; 4 chunks
        rows = csv_rows(client.get("/exports/history.csv"))

    assert len(rows) == 35
    assert [row["played_at"] for row in rows] == sorted((row["played_at"] for row in rows), reverse=True)
