"""The LRCLIB stand-in: /api/get, /api/get/{id} and /api/search over the Spotify sandbox's demo library."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import requests

from sandbox.catalog import build_catalog
from sandbox.catalog.models import TRACK
from sandbox.llm.lyrics import INSTRUMENTAL, LYRICS, MISSING, bucket, themes_for

if TYPE_CHECKING:
    from tests.fixtures.llm_sandbox import LlmSandbox

# Idempotent once tests/conftest.py lists the plugin too (pytest loads a plugin module once).

LRCLIB_FIELDS = {
    "id",
    "name",
    "trackName",
    "artistName",
    "albumName",
    "duration",
    "instrumental",
    "plainLyrics",
    "syncedLyrics",
}
NOT_FOUND = {"code": 404, "name": "TrackNotFound", "message": "Failed to find specified track"}
SYNCED_LINE = re.compile(r"^\[\d{2}:\d{2}\.\d{2}\] .+$")


@pytest.fixture(scope="module")
def demo_tracks():
    """The demo user's playlist tracks (seed 1, scale 1, as both sandboxes start), grouped by lyrics bucket."""
    catalog = build_catalog(seed=1)
    indexes = {
        entry.ref
        for playlist_id in catalog.libraries["demo"].playlists
        for entry in catalog.playlists[playlist_id].entries
        if entry.kind == TRACK
    }
    groups: dict[str, list] = {INSTRUMENTAL: [], MISSING: [], LYRICS: []}
    for index in sorted(indexes):
        track = catalog.tracks[index]
        groups[bucket(track)].append((track, catalog.artists[track.artists[0]].name))
    return groups


def lrclib_get(sandbox: LlmSandbox, track, artist: str, **extra) -> requests.Response:
    params = {"track_name": track.name, "artist_name": artist, **extra}
    return requests.get(f"{sandbox.lrclib_url}/api/get", params=params, timeout=10)


def test_about_a_tenth_of_the_demo_library_is_instrumental_and_a_tenth_missing(demo_tracks):
    total = sum(len(group) for group in demo_tracks.values())

    assert 0.06 < len(demo_tracks[INSTRUMENTAL]) / total < 0.14
    assert 0.06 < len(demo_tracks[MISSING]) / total < 0.14


def test_get_finds_a_demo_track_with_plain_and_synced_lyrics(fresh_llm_sandbox: LlmSandbox, demo_tracks):
    track, artist = next(
        (t, a) for t, a in demo_tracks[LYRICS] if lrclib_get(fresh_llm_sandbox, t, a).json()["syncedLyrics"]
    )

    response = lrclib_get(fresh_llm_sandbox, track, artist, duration=round(track.duration_ms / 1000))

    body = response.json()
    assert response.status_code == 200
    assert set(body) == LRCLIB_FIELDS
    assert body["trackName"] == track.name and body["artistName"].startswith(artist)
    assert body["instrumental"] is False
    assert body["duration"] == float(round(track.duration_ms / 1000))
    assert len(body["plainLyrics"].split("\n\n")) == 5
    assert all(SYNCED_LINE.match(line) for line in body["syncedLyrics"].splitlines())


def test_get_is_case_insensitive_and_duration_must_be_within_two_seconds(
    fresh_llm_sandbox: LlmSandbox, demo_tracks
):
    track, artist = demo_tracks[LYRICS][0]
    seconds = track.duration_ms / 1000

    shouting = requests.get(
        f"{fresh_llm_sandbox.lrclib_url}/api/get",
        params={"track_name": track.name.upper(), "artist_name": artist.lower()},
        timeout=10,
    )
    close = lrclib_get(fresh_llm_sandbox, track, artist, duration=seconds + 1.5)
    far = lrclib_get(fresh_llm_sandbox, track, artist, duration=seconds + 30)

    assert shouting.status_code == 200
    assert close.status_code == 200
    assert far.status_code == 404


def test_get_answers_instrumental_tracks_with_no_lyrics(fresh_llm_sandbox: LlmSandbox, demo_tracks):
    track, artist = demo_tracks[INSTRUMENTAL][0]

    body = lrclib_get(fresh_llm_sandbox, track, artist).json()

    assert body["instrumental"] is True
    assert body["plainLyrics"] is None and body["syncedLyrics"] is None


def test_get_answers_404_for_tracks_lrclib_does_not_know(fresh_llm_sandbox: LlmSandbox, demo_tracks):
    track, artist = demo_tracks[MISSING][0]

    missing = lrclib_get(fresh_llm_sandbox, track, artist)
    invented = requests.get(
        f"{fresh_llm_sandbox.lrclib_url}/api/get",
        params={"track_name": "No Such Song", "artist_name": "Nobody"},
        timeout=10,
    )

    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    assert (invented.status_code, invented.json()) == (404, NOT_FOUND)


def test_get_without_artist_name_is_a_400(fresh_llm_sandbox: LlmSandbox):
    response = requests.get(f"{fresh_llm_sandbox.lrclib_url}/api/get", params={"track_name": "x"}, timeout=10)

    assert response.status_code == 400
    assert response.json()["code"] == 400


def test_get_by_id_returns_the_same_record(fresh_llm_sandbox: LlmSandbox, demo_tracks):
    track, artist = demo_tracks[LYRICS][0]
    record = lrclib_get(fresh_llm_sandbox, track, artist).json()

    by_id = requests.get(f"{fresh_llm_sandbox.lrclib_url}/api/get/{record['id']}", timeout=10)

    assert by_id.json() == record


def test_search_by_q_and_by_fields_finds_the_track_and_skips_missing_ones(
    fresh_llm_sandbox: LlmSandbox, demo_tracks
):
    track, artist = demo_tracks[LYRICS][1]
    missing, missing_artist = demo_tracks[MISSING][0]
    url = f"{fresh_llm_sandbox.lrclib_url}/api/search"

    by_q = requests.get(url, params={"q": f"{track.name} {artist}"}, timeout=10).json()
    by_fields = requests.get(url, params={"track_name": track.name, "artist_name": artist}, timeout=10).json()
    for_missing = requests.get(
        url, params={"track_name": missing.name, "artist_name": missing_artist}, timeout=10
    )

    assert track.name in [r["trackName"] for r in by_q]
    assert all(set(r) == LRCLIB_FIELDS for r in by_q)
    assert [r["trackName"] for r in by_fields][:1] == [track.name]
    assert missing.name not in [
        r["trackName"] for r in for_missing.json() if r["artistName"].startswith(missing_artist)
    ]


def test_search_without_q_or_track_name_is_a_400_and_nothing_found_is_an_empty_list(
    fresh_llm_sandbox: LlmSandbox,
):
    url = f"{fresh_llm_sandbox.lrclib_url}/api/search"

    assert requests.get(url, params={"artist_name": "x"}, timeout=10).status_code == 400
    assert requests.get(url, params={"q": "zzzz qqqq"}, timeout=10).json() == []


def test_some_lyrics_carry_profanity_or_violence_for_content_flags(
    fresh_llm_sandbox: LlmSandbox, demo_tracks
):
    flagged = [(t, a) for t, a in demo_tracks[LYRICS] if themes_for(t)][:40]
    texts = [lrclib_get(fresh_llm_sandbox, t, a).json()["plainLyrics"].lower() for t, a in flagged]

    assert any(word in text for text in texts for word in ("damn", "hell", "shit"))
    assert any(word in text for text in texts for word in ("knife", "gun", "blood"))


def test_explicit_tracks_always_get_profanity(demo_tracks):
    explicit = [t for t, _ in demo_tracks[LYRICS] if t.explicit]

    assert explicit and all("profanity" in themes_for(t) for t in explicit)


def test_lyrics_are_the_same_on_every_call(fresh_llm_sandbox: LlmSandbox, demo_tracks):
    track, artist = demo_tracks[LYRICS][2]

    assert (
        lrclib_get(fresh_llm_sandbox, track, artist).json()
        == lrclib_get(fresh_llm_sandbox, track, artist).json()
    )
