"""The LLM sandbox analyses a song from what the product's prompt gives it: the song block, the
lyrics block (or the note that there is none) and the catalog's genres of the artists. The
prompts here are the product's own (analysis.services.analysis.build_messages), so a change there
that the sandbox no longer reads shows up here."""

from __future__ import annotations

import json
import re
from functools import lru_cache

import jsonschema
import pytest

from analysis.models import Lyrics, LyricsStatus
from analysis.services.analysis import ANALYSIS_SCHEMA, build_messages
from analysis.vocabulary import GENRES
from sandbox.catalog import build_catalog
from sandbox.llm.answers import Want, answer
from sandbox.llm.lyric_languages import LEXICONS, PACKS
from sandbox.llm.lyrics import INSTRUMENTAL, LYRICS, MISSING, LyricsBook, bucket, lyrics_for, themes_for
from sandbox.llm.song_analysis import detect_language, raised_flags
from tests.analysis.support import catalog_track

pytestmark = pytest.mark.django_db
SCHEMA = Want("schema", ANALYSIS_SCHEMA)


@lru_cache(maxsize=1)
def book() -> LyricsBook:
    # The catalog both sandboxes serve by default (seed 1, scale 1), as tests.analysis.support's.
    return LyricsBook(build_catalog(seed=1, scale=1.0))


def nth_where(kind: str, wanted) -> tuple[int, int]:
    """(nth track of bucket `kind` as catalog_track counts them, its catalog index) of the first
    track `wanted(entry)` accepts."""
    catalog, nth = book().catalog, 0
    for index, track in enumerate(catalog.tracks):
        if bucket(track) != kind:
            continue
        if wanted(book().entry(index)):
            return nth, index
        nth += 1
    raise LookupError("no such track")


def analysed(kind: str, wanted=lambda entry: True, *, model: str = "llama-3.1-70b-instruct") -> dict:
    """The sandbox's answer to the product's prompt about the first catalog track of bucket
    `kind` that `wanted` accepts, with the lyrics LRCLIB's stand-in serves for it."""
    nth, index = nth_where(kind, wanted)
    track = catalog_track(kind, nth=nth)
    if kind == LYRICS:
        lyrics = Lyrics(track=track, status=LyricsStatus.FOUND, plain=lyrics_for(book().entry(index))[0])
    else:
        lyrics = Lyrics(
            track=track, status=LyricsStatus.INSTRUMENTAL if kind == INSTRUMENTAL else LyricsStatus.NOT_FOUND
        )
    reply = answer(
        seed=1, model=model, messages=build_messages(track=track, lyrics=lyrics), want=SCHEMA,
        malformed=None, knowledge=book(),
    )  # fmt: skip
    document = json.loads(reply.content)
    jsonschema.validate(document, ANALYSIS_SCHEMA)
    return document


def raised(document: dict) -> set[str]:
    return {flag for flag, on in document["flags"].items() if on}


def test_an_explicit_catalog_track_with_swearing_lyrics_gets_the_profanity_flag_and_is_rated_explicit():
    document = analysed(LYRICS, lambda e: e.track.explicit and themes_for(e.track) == ["profanity"])

    assert raised(document) == {"profanity"}
    assert document["content_rating"] == "explicit"
    assert document["confidence"] >= 0.8


def test_a_clean_track_with_clean_lyrics_gets_no_flag_and_is_rated_clean():
    document = analysed(LYRICS, lambda e: not e.track.explicit and not themes_for(e.track))

    assert raised(document) == set()
    assert document["content_rating"] == "clean"
    assert document["themes"] and not {"violence", "drink", "pills", "smoking"} & set(" and ".join(document["themes"]).split())
    assert 0.8 <= document["confidence"] <= 0.95


def test_lyrics_of_violence_raise_the_violence_flag_only_and_make_the_song_mild():
    document = analysed(LYRICS, lambda e: not e.track.explicit and themes_for(e.track) == ["violence"])

    assert raised(document) == {"violence"}
    assert document["content_rating"] == "mild" and "violence" in document["themes"]


def test_a_substance_theme_names_what_the_lines_name_and_no_more():
    # A song that smokes but drinks nothing is not "about drink and drugs".
    def smokes_only(entry) -> bool:
        words = set(re.findall(r"\w+", lyrics_for(entry)[0].lower()))
        return themes_for(entry.track) == ["substances"] and "smoking" in words and "whiskey" not in words

    document = analysed(LYRICS, smokes_only)
    index = nth_where(LYRICS, smokes_only)[1]
    pills = "pills" in re.findall(r"\w+", lyrics_for(book().entry(index))[0].lower())

    assert "drugs" in raised(document)
    assert document["themes"][0] == ("pills and smoking" if pills else "smoking"), document["themes"]


@pytest.mark.parametrize("explicit", [False, True])
def test_without_lyrics_the_answer_is_a_low_confidence_guess_claiming_no_themes_and_no_flags(explicit):
    document = analysed(MISSING, lambda e: e.track.explicit == explicit)

    assert document["confidence"] <= 0.4
    assert document["themes"] == [] and raised(document) == set()
    assert document["language"] == "und"  # ISO 639-2: undetermined
    assert "No lyrics" in document["summary"] and "guess" in document["summary"]
    # The rating follows the one thing known: Spotify's mark.
    assert document["content_rating"] == ("explicit" if explicit else "clean")


def test_an_instrumental_is_a_low_confidence_guess_without_words():
    document = analysed(INSTRUMENTAL)

    assert document["language"] == "zxx" and document["themes"] == [] and raised(document) == set()
    assert document["confidence"] <= 0.4 and "instrumental" in document["summary"]


@pytest.mark.parametrize("language", ["en", "es", "pt", "fr", "de"])
def test_the_language_is_the_iso_639_1_code_of_the_lyrics_as_written(language):
    document = analysed(LYRICS, lambda e: e.language == language)

    assert re.fullmatch(r"[a-z]{2}", document["language"])
    assert document["language"] == language


def test_genres_energy_and_mood_follow_the_artists_genres_in_the_catalog():
    catalog = book().catalog
    document = analysed(LYRICS, lambda e: catalog.artists[e.track.artists[0]].family == "metal"
                        and len(e.track.artists) == 1 and not themes_for(e.track))  # fmt: skip

    assert document["genres"][0] in GENRES and "metal" in document["genres"]
    assert document["energy"] >= 0.8
    assert document["mood"] in {"angry", "dark", "tense"}


def test_the_same_prompt_gets_the_same_analysis_and_another_model_may_word_it_otherwise():
    first = analysed(LYRICS)

    assert analysed(LYRICS) == first
    other = analysed(LYRICS, model="llama3.1:8b")
    # The facts stay (they come from the prompt); only the choice among fitting words may change.
    assert (other["flags"], other["language"], other["genres"]) == (first["flags"], first["language"], first["genres"])


def test_a_song_analysis_still_breaks_as_a_malformed_fault_asks():
    track = catalog_track(MISSING)
    messages = build_messages(track=track, lyrics=Lyrics(track=track, status=LyricsStatus.NOT_FOUND))

    cut = answer(seed=1, model="m", messages=messages, want=SCHEMA, malformed="content", knowledge=book())
    wrong = answer(seed=1, model="m", messages=messages, want=SCHEMA, malformed="schema", knowledge=book())

    with pytest.raises(ValueError):
        json.loads(cut.content)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(wrong.content), ANALYSIS_SCHEMA)


def test_a_schema_the_sandbox_does_not_recognise_is_still_filled_and_validates():
    schema = {"type": "object", "required": ["mood", "tags"], "additionalProperties": False,
              "properties": {"mood": {"enum": ["up", "down"]}, "tags": {"type": "array", "items": {"type": "string"}}}}  # fmt: skip
    track = catalog_track(LYRICS)
    messages = build_messages(track=track, lyrics=Lyrics(track=track, status=LyricsStatus.NOT_FOUND))

    reply = answer(seed=1, model="m", messages=messages, want=Want("schema", schema), malformed=None, knowledge=book())

    jsonschema.validate(json.loads(reply.content), schema)


# --- the lyrics and what the reader finds in them, over the whole demo library ---------------------
def demo_entries():
    catalog = book().catalog
    refs = sorted({e.ref for pid in catalog.libraries["demo"].playlists for e in catalog.playlists[pid].entries
                   if e.kind == "track"})  # fmt: skip
    return [book().entry(ref) for ref in refs if bucket(catalog.tracks[ref]) == LYRICS]


def test_the_reader_finds_exactly_the_flags_the_lyrics_were_written_with_and_their_language():
    entries = demo_entries()
    languages = set()
    for entry in entries:
        text = lyrics_for(entry)[0]
        language = detect_language(text)
        languages.add(language)

        assert language == entry.language, entry.track.id
        assert raised_flags(text, LEXICONS[language]) == set(themes_for(entry.track)), entry.track.id
    assert languages == {"en", "es", "pt", "fr", "de"}  # not vacuous: every language was read


@pytest.mark.parametrize("language", sorted(PACKS))
def test_every_themed_line_carries_its_flags_word_and_no_plain_line_carries_any(language):
    pack, lexicon = PACKS[language], LEXICONS[language]
    words = {"adj": pack.adjectives, "noun": pack.nouns, "verb": pack.verbs}

    def every_filling(template: str) -> list[str]:
        return [
            pack.fill(template, adjective=adj, noun=noun, verb=verb, title="Blue Night")
            for adj in words["adj"] for noun in words["noun"][:5] for verb in words["verb"][:2]
        ]  # fmt: skip

    for theme, lines in pack.themed.items():
        for template in lines:
            assert all(raised_flags(line, lexicon) == {theme} for line in every_filling(template)), template
    for template in pack.verses + pack.choruses:
        assert all(raised_flags(line, lexicon) == set() for line in every_filling(template)), template
