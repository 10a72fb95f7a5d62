"""Lyrics from LRCLIB on the LLM sandbox: found, instrumental, not found, and LRCLIB down; and
from a server on loopback answering what LRCLIB should not (nested, oversized, not JSON)."""

from __future__ import annotations

import hashlib
import json

import pytest

from analysis.models import Lyrics, LyricsStatus
from analysis.services.lyrics import get_lyrics
from tests.analysis.support import INSTRUMENTAL, LYRICS, MISSING, catalog_track
from tests.support.stub_server import stub_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def lrclib(fresh_llm_sandbox, settings):
    settings.LYRICS_API_URL = fresh_llm_sandbox.lrclib_url
    return fresh_llm_sandbox


def lrclib_requests(sandbox) -> int:
    return sandbox.requests_to("lrclib")


def test_found_lyrics_are_stored_with_their_hash_and_source(lrclib):
    track = catalog_track(LYRICS)

    lyrics = get_lyrics(track=track)

    assert lyrics.status == LyricsStatus.FOUND
    assert lyrics.plain.strip() and "\n" in lyrics.plain
    assert lyrics.hash == hashlib.sha256(lyrics.plain.encode()).hexdigest()
    assert lyrics.source.startswith("lrclib:")
    assert Lyrics.objects.get(track=track).status == LyricsStatus.FOUND


def test_an_instrumental_is_stored_as_instrumental_without_text(lrclib):
    lyrics = get_lyrics(track=catalog_track(INSTRUMENTAL))

    assert (lyrics.status, lyrics.plain, lyrics.hash) == (LyricsStatus.INSTRUMENTAL, "", "")


def test_a_song_lrclib_does_not_know_is_stored_as_not_found_after_trying_search(lrclib):
    lyrics = get_lyrics(track=catalog_track(MISSING))

    assert (lyrics.status, lyrics.plain) == (LyricsStatus.NOT_FOUND, "")
    routes = lrclib.counters()["by_route"]
    assert any("/api/get" in route for route in routes) and any("/api/search" in route for route in routes)


def test_a_title_the_exact_look_up_misses_is_found_by_search(lrclib):
    full = catalog_track(LYRICS, nth=3)
    title = full.name
    full.delete()
    partial = catalog_track(LYRICS, nth=3, name=title.split()[0])

    lyrics = get_lyrics(track=partial)

    assert lyrics.status == LyricsStatus.FOUND


def test_stored_answers_are_not_fetched_again(lrclib):
    track = catalog_track(LYRICS)
    get_lyrics(track=track)
    before = lrclib_requests(lrclib)

    again = get_lyrics(track=track)

    assert again.status == LyricsStatus.FOUND
    assert lrclib_requests(lrclib) == before


def test_lrclib_down_is_stored_as_an_error_and_fetched_again_next_time(lrclib):
    track = catalog_track(LYRICS)
    lrclib.fault(provider="lrclib", kind="down")

    failed = get_lyrics(track=track)

    assert failed.status == LyricsStatus.ERROR and failed.error
    lrclib.clear_faults()
    assert get_lyrics(track=track).status == LyricsStatus.FOUND
    assert Lyrics.objects.get(track=track).error == ""


@pytest.mark.parametrize("fault", [{"kind": "status", "status": 503}, {"kind": "malformed"}])
def test_a_bad_answer_from_lrclib_is_an_error_not_an_exception(lrclib, fault):
    lrclib.fault(provider="lrclib", **fault)

    assert get_lyrics(track=catalog_track(LYRICS)).status == LyricsStatus.ERROR


SECRET = "INTERNAL-ANSWER-root:x:0:0"  # a part of the answer; never in the stored error
LIMIT = 64 * 1024


@pytest.mark.parametrize(
    ("body", "send_length", "error"),
    [
        ("[" * 10_000 + json.dumps(SECRET) + "]" * 10_000, True,
         "/api/get: The answer was nested more than 32 levels deep."),
        (json.dumps({"plainLyrics": SECRET + "x" * (2 * LIMIT)}), True,
         "/api/get: The answer was larger than 64 KB (65,536 bytes)."),
        (json.dumps({"plainLyrics": SECRET + "x" * (2 * LIMIT)}), False,
         "/api/get: The answer was larger than 64 KB (65,536 bytes)."),
        (f"<html>{SECRET}</html>", True, "/api/get: The answer was not JSON."),
    ],
    ids=["nested", "oversized", "oversized-unknown-length", "not-json"],
)  # fmt: skip
def test_an_answer_lrclib_should_not_send_is_stored_as_an_error_in_our_words(
    settings, body, send_length, error
):
    settings.OUTBOUND_MAX_ANSWER_BYTES = LIMIT
    track = catalog_track(LYRICS)
    with stub_server(body=body, send_length=send_length) as host:
        settings.LYRICS_API_URL = host.url

        lyrics = get_lyrics(track=track)

    assert (lyrics.status, lyrics.plain, lyrics.error) == (LyricsStatus.ERROR, "", error)
    assert host.requests[0].startswith("GET /api/get?") and len(host.requests) == 1


def test_lyrics_of_an_unexpected_type_are_not_found_rather_than_a_crash(settings):
    with stub_server(body=json.dumps({"id": 7, "plainLyrics": [SECRET]})) as host:
        settings.LYRICS_API_URL = host.url

        lyrics = get_lyrics(track=catalog_track(LYRICS))

    assert (lyrics.status, lyrics.plain, lyrics.source) == (LyricsStatus.NOT_FOUND, "", "lrclib:7")
