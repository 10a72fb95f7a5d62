"""A newcomer's first minutes, in Chromium: sign in through the sandbox's consent page, watch the
first import on the dashboard (a real `qcluster`), search and sort the library, open a big
playlist and one of its songs."""

from __future__ import annotations

import pytest
import requests

from core.queues import INTERACTIVE
from library.models import Playlist
from library.selectors import browse_playlists, get_library_totals
from tests.browser.flows import in_progress_flashes, sign_in_through_consent_page, wait_for_import_card
from tests.fixtures.cluster import sandbox_cluster_env

pytestmark = pytest.mark.cluster


def spotify_playlist_total(sandbox, listener) -> int:
    answer = requests.get(
        f"{sandbox.api_url}/me/playlists",
        params={"limit": 1},
        headers={"Authorization": f"Bearer {listener.spotify_credential.access_token}"},
        timeout=10,
    )
    return answer.json()["total"]


def unique_word(listener) -> tuple[str, Playlist]:
    """A word of one playlist's name found in no other playlist's name (the search matches any
    part of a name, in any case), with that playlist: what a listener would type to find it."""
    for playlist in Playlist.objects.filter(user=listener).order_by("list_position"):
        for word in sorted(set(playlist.name.split()), key=len, reverse=True):
            if len(word) >= 4 and browse_playlists(user=listener, query=word).count() == 1:
                return word, playlist
    raise AssertionError("every playlist shares each word of its name with another")


def test_a_newcomer_signs_in_watches_the_first_import_and_opens_a_big_playlist(
    browser, sandbox, start_qcluster
):
    # Imports are interactive work; the analyses and insights an import queues wait in the bulk queue.
    start_qcluster(env=sandbox_cluster_env(sandbox), queues=(INTERACTIVE,))

    listener = sign_in_through_consent_page(browser)

    # Sign-in queued the first import; the card follows it without a reload.
    assert "Library import" in browser.text("#import")
    browser.step("dashboard, first import queued")
    # A mark on this very page: a reload would lose it.
    browser.driver.execute_script("window.notReloaded = true")
    # A keyboard user waiting on "Sync now": the swap of the cards must not drop their focus.
    browser.driver.execute_script('document.querySelector("#import [data-role=sync-now] button").focus()')
    seen = wait_for_import_card(browser, running_step="dashboard, first import under way")
    assert seen == {"running": True, "done": True}
    totals = get_library_totals(user=listener)
    # Every playlist Spotify lists, and the liked songs.
    assert totals.playlists == spotify_playlist_total(sandbox, listener) + 1 and totals.items > 10_000
    # Still without a reload: once the import ends, the Spotify card counts it and What next appears.
    counted = f"{totals.playlists:,} playlists · {totals.items:,} items"
    browser.wait_for_text(counted, css="#connection")
    browser.wait_for(lambda: browser.find_all("#next-steps"), message="the What next card")
    assert browser.shown(browser.find("#next-steps")) and "Route your playlists" in browser.text("#next-steps")
    assert browser.find('#import [data-role="badge"]').text == "Done"
    assert in_progress_flashes(browser) == []  # nothing above the cards says it is still going on
    assert browser.driver.execute_script("return window.notReloaded === true")
    assert browser.driver.execute_script(
        "var el = document.activeElement;"
        "return el.isConnected && el === document.querySelector('#import [data-role=sync-now] button')"
    )
    browser.step("dashboard, first import done")
    browser.open("/dashboard/")
    assert counted in browser.text("#connection") and browser.find_all("#next-steps")

    browser.click(browser.link("Library", within=".site-header"))
    browser.wait_for_text("Your library", css="h1")
    assert f"{totals.playlists:,} playlists, {totals.items:,} items mirrored from Spotify" in browser.text("main")
    rows = browser.find_all("main table.list tbody tr")
    assert len(rows) == totals.playlists
    browser.step("library")

    # A search for a word of one playlist's name, and of no other's: only that one is listed.
    query, wanted = unique_word(listener)
    browser.find("#playlist-search").send_keys(query)
    browser.click(browser.button("Show", within="main form.toolbar"))
    browser.wait_for(lambda: browser.find_all("#search-result"), message="the search's result line")
    assert [row.text for row in browser.find_all("main table.list tbody td a[href^='/library/']")] == [wanted.name]
    assert browser.text("#search-result") == f"1 playlist whose name contains “{query}”."
    browser.step("library, searched")

    # Back to every playlist, the biggest first.
    browser.click(browser.link("Clear the search", within="main form.toolbar"))
    browser.wait_for(lambda: not browser.find_all("#search-result"), message="the search cleared")
    browser.choose("#playlist-sort", label="Most items first")
    browser.click(browser.button("Show", within="main form.toolbar"))
    browser.wait_for(lambda: "sort=items" in browser.driver.current_url, message="the library by items")
    rows = browser.find_all("main table.list tbody tr")
    assert len(rows) == totals.playlists
    most = max(Playlist.objects.filter(user=listener).values_list("items_total", flat=True))
    first = browse_playlists(user=listener, sort="items").first()
    assert first.items_total == most
    assert rows[0].find_element("css selector", "td a[href^='/library/']").text == first.name
    assert browser.find('main table.list th[aria-sort="descending"]').text == "Items"
    browser.step("library, most items first")

    big = Playlist.objects.filter(user=listener).order_by("-track_count").first()
    assert big.track_count > 300
    browser.click(browser.link(big.name, within="main table.list"))
    browser.wait_for_text(big.name, css="h1")
    assert f"By Demo Listener · {big.track_count:,} items: " in browser.text("main")  # and what kinds they are
    assert len(browser.find_all("main table.list tbody tr")) == 100
    pages = -(-big.track_count // 100)
    assert f"Page 1 of {pages}" in browser.text("nav.pagination")
    browser.step("a big playlist")

    browser.click(browser.link("Next →", within="nav.pagination"))
    browser.wait_for_text(f"Page 2 of {pages}", css="nav.pagination")
    first_row = browser.find("main table.list tbody tr")
    assert first_row.find_element("css selector", "td.num").text == "101"
    browser.step("a big playlist, page 2")

    song = browser.find("main table.list tbody a[href^='/songs/']")
    title = song.text
    browser.click(song)
    browser.wait_for_text(title, css="h1")
    assert big.name in browser.text("main")  # "In your playlists: …"
    assert "Not analysed yet" in browser.text("main")  # no bulk cluster, no analysis
    browser.step("a song")
