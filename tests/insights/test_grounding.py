"""The grounding check of written insights (insights.services.grounding): names and numbers an
answer writes against the facts block it was written from. Pure: no database."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insights.services.grounding import Figure, check_grounding, facts_from, matches

FACTS = facts_from(
    {
        "period": "Last 4 weeks",
        "plays": 1234,
        "most played artists (plays recorded in this period)": {"Artist 1": 41, "Big Thief": 27},
        "Spotify's top artists (Spotify's ranking, not plays)": ["Big Thief", "Artist 1", "boygenius"],
        "genres": {"indie folk": "32%", "dream pop": "24%"},
        "moods": {"calm": "34%", "melancholic": "22%"},
        "energy (0-1)": 0.41,
        "busiest hours": ["21:00", "20:00"],
        "plays 00:00-05:00": "12%",
        "Spotify's top songs (Spotify's ranking, not plays)": ["Song 2 by Singer 2", "Not: Ready by Big Thief"],
        "decades": {"1990s": "20%"},
    }
)
VOCABULARY = ["Artist 1", "Big Thief", "boygenius", "Adele", "Home", "Late Night", "Phoebe Bridgers", "shoegaze", "house",
              "pop"]  # fmt: skip


def check(*texts: str):
    return check_grounding(texts=texts, facts=FACTS, vocabulary=VOCABULARY, artists=["Adele", "boygenius"])


def test_an_answer_that_keeps_to_the_facts_is_grounded_and_says_what_it_checked():
    report = check(
        "Artist 1 tops your plays over the last 4 weeks",
        "Over the last 4 weeks, Artist 1 led your listening with 41 plays, followed by Big Thief (27 plays). "
        "Spotify ranks boygenius third. Linernotes counted 1,234 plays. Your top genres: indie folk (32%) "
        "and dream pop (24%). Spotify ranks “Song 2” by Singer 2 first among your songs.",
        "Most played artist",
        "Artist 1 (41 plays)",
        "Spotify's #1 artist",
    )

    assert report.grounded, report
    assert {"Artist 1", "Big Thief", "boygenius", "indie folk", "Song 2 by Singer 2"} <= set(report.names)
    assert {"41", "27", "1,234", "32%", "#1"} <= set(report.numbers)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Your evenings belong to Phoebe Bridgers, and calm wins.", "Phoebe Bridgers"),  # a known name
        ("You had a Late Night with Artist 1.", "Late Night"),  # a song of theirs, written as its title
        ("Calm nights: Taylor Swift kept you company.", "Taylor Swift"),  # an invented one, by its capitals
        ("Then Adele took over.", "Adele"),  # after an opening word
        ("Adele led your listening.", "Adele"),  # one of the listener's artists, opening a sentence
        ("You kept coming back to “Midnight Rain”.", "Midnight Rain"),  # a quoted title
        ("A little shoegaze crept in.", "shoegaze"),  # a genre of theirs the facts leave out
        ("Plenty of house music lately.", "house"),  # an ambiguous genre word, said as a genre
    ],
)
def test_an_artist_song_or_genre_the_facts_do_not_give_is_ungrounded(text, name):
    report = check(text)

    assert name in report.ungrounded_names and not report.grounded
    assert name in report.problem()


@pytest.mark.parametrize(
    "text",
    [
        "Calm evenings, restless weekends.",  # a capital opening a sentence is ordinary English
        "Home is where the calm songs are.",  # the song "Home" is not the word "home"
        "Your late night plays lean calm.",  # nor is the song "Late Night" a late night
        "The house was quiet; your music was not. Some pop songs stayed.",
        "Calm Evenings, Restless Fridays",  # a headline in title case
        "From Monday to Friday, Spotify and Linernotes agree.",
        "Then comes “Not: Ready” by Big Thief, and Big Thief's songs stay.",
    ],
)
def test_ordinary_words_and_capitals_are_no_names(text):
    report = check(text)

    assert report.ungrounded_names == [], report


@pytest.mark.parametrize(
    ("text", "grounded"),
    [
        ("34% of your songs are calm.", True),
        ("36 % of your songs are calm.", False),  # the case: no figure supports it
        ("About 34.4 percent are calm.", True),  # rounds to the figure
        ("Energy sits at 0.4.", True),  # 0.41 written coarser
        ("Energy sits at 0.5.", False),
        ("Your music's energy is 41%.", True),  # a 0-1 figure as a percentage
        ("You played 1.2k songs.", True),  # 1,234
        ("You played 1.5k songs.", False),
        ("Most plays land at 21:00, or 9 pm.", True),
        ("Most plays land at 23:00.", False),
        ("The 1990s keep coming back.", True),
        ("Back in 2019, you discovered them.", False),
        ("Spotify's #2 and your top 3 artists.", True),
        ("Your #12 artist.", False),
        ("Artist 1 played 42 times.", False),
        ("three of your favourites", True),  # number words are not checked
    ],
)
def test_each_number_must_match_a_figure_within_rounding(text, grounded):
    report = check(text)

    assert report.grounded is grounded, report
    assert not report.ungrounded_names


def test_digits_inside_a_name_are_part_of_the_name_not_a_number():
    report = check("Spotify ranks “Song 2” by Singer 2 first; Artist 1 follows.")

    assert report.grounded and report.numbers == [] and "Song 2 by Singer 2" in report.names


def test_the_report_for_staff_and_the_stored_record_say_counts_and_lists():
    report = check("Taylor Swift and 99 plays.")

    assert report.summary() == "ungrounded: 1 name(s) and 1 number(s) not among the facts"
    assert report.as_json()["ungrounded_numbers"] == ["99"] and report.as_json()["facts_version"] == "facts-v1"


# A reviewer's cases: facts that name Phoebe Bridgers and Adele only, and every other name refused
# wherever it stands: opening a sentence, in a title-cased headline, in a short sentence, next to
# a figure of the facts.
TWO_ARTISTS = facts_from({"period": "June", "most played artists (plays)": {"Phoebe Bridgers": 40, "Adele": 12}})


def check_two(*texts: str):
    return check_grounding(texts=texts, facts=TWO_ARTISTS, vocabulary=["Phoebe Bridgers", "Adele"], artists=["Adele"])


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Drake kept you company this month.", "Drake"),  # one capitalised word opening a sentence
        ("Beyoncé carried your evenings.", "Beyoncé"),
        ("Taylor Swift Owns Your Month", "Taylor"),  # a title-cased headline
        ("In June, Drake led.", "Drake"),  # a short sentence looks title-cased
        ("Drake", "Drake"),  # a highlight's value: a lone name
        ("Kendrick: 40 plays", "Kendrick"),  # 40 is a figure; the name is not
        ("Night Owl Energy: Rihanna", "Rihanna"),
    ],
)
def test_a_name_the_facts_do_not_give_is_refused_wherever_it_stands(text, name):
    report = check_two(text)

    assert not report.grounded, report
    assert any(name in mention for mention in report.ungrounded_names), report


@pytest.mark.parametrize(
    "text",
    [
        "Phoebe Bridgers Owns Your June",
        "In June, Adele led.",
        "Adele",
        "Phoebe Bridgers: 40 plays",
        "Your Month In Music",
        "This Sunday, Spotify agreed: calm wins.",
        "Melancholy mornings, restless Fridays.",
        "Quiet Evenings With Phoebe Bridgers",
        "Night Owl Energy",  # a short headline: title-cased too
        "Your Calm Era",
        "Honestly? Calm wins. Introspective and steady, your June leaned calm.",
    ],
)
def test_common_words_months_and_the_facts_names_are_no_strangers_at_a_sentence_start(text):
    report = check_two(text)

    assert report.grounded, report


# --- the number matcher ----------------------------------------------------------------------


@given(value=st.floats(min_value=0, max_value=100_000, allow_nan=False), places=st.integers(0, 3))
def test_a_figure_rounded_to_fewer_places_still_matches(value, places):
    figure = Figure(value=round(value, 3), decimals=3, percent=False)
    said = Figure(value=round(figure.value, places), decimals=places, percent=False)

    assert matches(said, [figure])


@given(
    value=st.integers(min_value=0, max_value=10_000),
    offset=st.integers(min_value=1, max_value=1_000),
)
def test_a_whole_number_off_by_one_or_more_never_matches(value, offset):
    assert not matches(Figure(value + offset, 0, False), [Figure(value, 0, False)])
    assert not matches(Figure(value + offset, 0, True), [Figure(value, 0, True)])


@given(share=st.floats(min_value=0, max_value=1, allow_nan=False))
def test_a_share_written_as_a_percentage_matches_its_fraction(share):
    fraction = Figure(value=round(share, 2), decimals=2, percent=False)
    percent = Figure(value=round(share * 100), decimals=0, percent=True)

    # A share on an exact half (0.005) rounds one way to 2 places and the other to a whole percent.
    on_a_half = math.isclose(share * 100 % 1, 0.5)
    assert matches(percent, [fraction]) or on_a_half or math.isclose(abs(percent.value - fraction.value * 100), 0.5)


def test_a_percentage_never_matches_a_count():
    assert not matches(Figure(36, 0, True), [Figure(36, 0, False)])


def test_a_rank_checked_reads_as_words_on_the_page_never_as_an_id():
    from insights.templatetags.grounding import numbers_text

    assert numbers_text(["#1", "34%", "1.2k"]) == "no. 1, 34%, 1.2k"
