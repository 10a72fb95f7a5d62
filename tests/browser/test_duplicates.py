"""Duplicates in Chromium, on a real `qcluster` and the sandbox: from the Library to the
Duplicates page, review a playlist's later copies, keep one of them, remove the rest, then undo;
the playlist on Spotify is read back after each write."""

from __future__ import annotations

import pytest

from core.queues import INTERACTIVE
from tests.browser.flows import sign_in_through_consent_page, wait_for_import_card
from tests.fixtures.cluster import sandbox_cluster_env
from tests.routing.route_support import SpotifyAs

pytestmark = pytest.mark.cluster

RUN_TIMEOUT = 90.0


def _demo_tracks(spotify: SpotifyAs) -> list[str]:
    response = spotify.http.get(f"{spotify.api}/me/playlists?limit=50", timeout=10)
    response.raise_for_status()
    for playlist in response.json()["items"]:
        uris = [uri for uri in spotify.uris(playlist["id"]) if uri.startswith("spotify:track:")]
        if len(set(uris)) >= 4:
            return list(dict.fromkeys(uris))[:4]
    raise AssertionError("demo has no playlist of 4 tracks")


def _wait_for_status(browser, section: str, status: str) -> None:
    def shown() -> bool:
        browser.open("/library/duplicates/")
        return f"{status}" in browser.text(f"{section} .run-status")

    browser.wait_for(shown, timeout=RUN_TIMEOUT, poll=1.0, message=f"the run to say {status}")


def test_a_listener_removes_the_duplicates_they_choose_and_undoes_it(browser, sandbox, start_qcluster):
    spotify = SpotifyAs(sandbox, user="demo")
    a, b, c, d = _demo_tracks(spotify)
    rows = [a, b, a, c, b, d, a]
    doubles = spotify.create_playlist("Doubles to tidy")
    spotify.add(doubles, rows)
    start_qcluster(env=sandbox_cluster_env(sandbox), queues=(INTERACTIVE,))
    listener = sign_in_through_consent_page(browser, steps=False)
    wait_for_import_card(browser)
    playlist = listener.playlists.get(spotify_id=doubles)
    section = f"#playlist-{playlist.pk}"

    browser.open("/library/")
    browser.click(browser.link("Find duplicate tracks in your playlists"))
    browser.wait_for_text("Duplicates in your playlists", css="h1")
    assert "rows 3, 7" in browser.text(section) and "rows 5" in browser.text(section)
    browser.step("duplicates by playlist")

    browser.click(browser.link("Remove duplicates", within=section))
    browser.wait_for_text("Remove duplicates from “Doubles to tidy”?", css="h1")
    browser.step("which copies go")
    browser.click("#row-6")  # keep the third copy of the first track
    browser.click(browser.button("Remove 3 copies"))
    browser.wait_for_text("takes 2 copies out of “Doubles to tidy”")
    _wait_for_status(browser, section, "Done")
    assert spotify.uris(doubles) == [a, b, c, d, a]
    # The mirror lost the same rows at once: only the copy the listener kept still repeats.
    assert "The copies removed are gone from this list too" in browser.text(section)
    assert "rows 5" in browser.text(section) and "rows 3" not in browser.text(section)
    browser.step("removed")

    browser.click(browser.button("Undo", within=section))
    browser.wait_for_text("goes back to what it held before it")
    _wait_for_status(browser, section, "Done")
    assert "Undo of" in browser.text(f"{section} .run-status")
    assert spotify.uris(doubles) == rows
