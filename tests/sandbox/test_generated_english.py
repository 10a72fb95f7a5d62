"""The sandbox's generated names and English lyrics read as English: no noun gets a second
plural "s" ("loverss", "Daughterssaints") and a plural noun never takes "is"."""

from __future__ import annotations

import re

import pytest

from sandbox.catalog import build_catalog
from sandbox.catalog import taxonomy as tx
from sandbox.catalog.grammar import plural, singular
from sandbox.llm.lyric_languages import ENGLISH, PACKS
from sandbox.llm.lyrics import LYRICS, Entry, bucket, lyrics_for

PLURALS = [word.lower() for word in tx.NOUNS if singular(word) != word]
DOUBLED = re.compile("|".join(f"{word}s" for word in PLURALS))
PLURAL_IS = re.compile(r"\b(?:" + "|".join(PLURALS) + r") (?:is|was)\b")


@pytest.mark.parametrize(
    ("noun", "one", "many"),
    [
        ("Lovers", "Lover", "Lovers"),
        ("wolves", "wolf", "wolves"),
        ("City", "City", "Cities"),
        ("highway", "highway", "highways"),
        ("Compass", "Compass", "Compasses"),
        ("echo", "echo", "echoes"),
    ],
)
def test_a_noun_has_one_singular_and_one_plural(noun, one, many):
    assert (singular(noun), plural(noun)) == (one, many)


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(seed=1, scale=0.2)


def test_no_artist_or_track_name_doubles_a_plural(catalog):
    names = [artist.name for artist in catalog.artists] + [track.name for track in catalog.tracks]
    assert PLURALS and names
    assert [name for name in names if DOUBLED.search(name.lower())] == []


def test_english_lyrics_neither_double_a_plural_nor_pair_one_with_is(catalog):
    plural_lines = {"{nouns}" in line for line in PACKS[ENGLISH].verses}
    assert plural_lines == {True, False}  # the templates ask for both numbers
    sung = [
        lyrics_for(Entry(index=n, track=track, artist_name="", album_name="", language=ENGLISH))[0]
        for n, track in enumerate(catalog.tracks[:400])
        if bucket(track) == LYRICS
    ]
    assert sung
    assert [line for text in sung for line in text.splitlines() if DOUBLED.search(line.lower())] == []
    assert [line for text in sung for line in text.splitlines() if PLURAL_IS.search(line.lower())] == []


def test_the_same_seed_gives_the_same_names_and_lyrics():
    first, again = build_catalog(seed=3, scale=0.05), build_catalog(seed=3, scale=0.05)
    assert [a.name for a in first.artists] == [a.name for a in again.artists]
    track = next(track for track in first.tracks if bucket(track) == LYRICS)
    entry = Entry(index=0, track=track, artist_name="", album_name="", language=ENGLISH)
    assert lyrics_for(entry) == lyrics_for(entry)
