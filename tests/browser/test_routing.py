"""Smart playlists in Chromium, on a real `qcluster` and the sandbox: make a base, add a new child,
build its filters in the editor while the live counts follow, preview the changes, save, route
and watch the progress, then undo the run; the child on Spotify is read back after each write."""

from __future__ import annotations

import re

import pytest

from core.queues import INTERACTIVE
from library.models import Playlist, PlaylistItem
from routing.models import ChildPlaylist
from tests.browser.flows import (
    demo_base_source,
    in_progress_flashes,
    sign_in_through_consent_page,
    wait_for_import_card,
)
from tests.fixtures.cluster import sandbox_cluster_env
from tests.routing.route_support import SpotifyAs

pytestmark = pytest.mark.cluster

ROUTE_TIMEOUT = 90.0
CHILD_NAME = "Clean and long"
ADD_CHILD = "#children form[action$='/children/new/']"


def _expected(base: Playlist) -> tuple[int, int, int, int]:
    """(tracks of the base, those not explicit, a length in seconds, those not explicit and at
    least that long),
    as the filters see them; the length is the median of the clean ones', so it takes some away."""
    tracks = {
        item.track_id: item.track
        for item in PlaylistItem.objects.filter(playlist=base, track__isnull=False).select_related("track")
    }
    clean = sorted(t.duration_ms // 1000 for t in tracks.values() if not t.explicit)
    seconds = clean[len(clean) // 2]
    return len(tracks), len(clean), seconds, sum(1 for length in clean if length >= seconds)


def _draft_count(browser) -> tuple[int, int] | None:
    found = re.search(r"This draft matches (\d+) of (\d+) tracks", browser.text('[data-role="draft-count"]'))
    return (int(found.group(1)), int(found.group(2))) if found else None


def _wait_for_route_end(browser) -> None:
    """On a base page: the status card, polling, says the route has finished (or the route had
    finished already when the page was served: the card shows it as the last run)."""

    def ended() -> bool:
        if browser.find('#route [data-role="finished"]').is_displayed():
            return True
        served_after = browser.find("#route [data-route-status]").get_attribute("data-active") == "false"
        return served_after and not browser.find('#route [data-role="active"]').is_displayed()

    browser.wait_for(ended, timeout=ROUTE_TIMEOUT, message="the route to finish")


def test_a_listener_makes_a_base_adds_a_child_edits_its_filters_routes_and_undoes_the_run(
    browser, sandbox, start_qcluster
):
    start_qcluster(env=sandbox_cluster_env(sandbox), queues=(INTERACTIVE,))
    listener = sign_in_through_consent_page(browser, steps=False)
    wait_for_import_card(browser)
    source = demo_base_source(listener)
    assert source is not None

    # --- a base ------------------------------------------------------------------------------
    browser.click(browser.link("Smart playlists", within=".site-header"))
    browser.wait_for_text("You have no base playlists yet")
    browser.step("smart playlists, none yet")
    browser.choose("#new-base select[name=playlist]", value=str(source.pk))
    browser.click(browser.button("Make it a base"))
    browser.wait_for_text(f"“{source.name}” is now a base playlist")
    assert browser.text("h1") == source.name
    browser.step("a new base")

    # --- a child on a new Spotify playlist -----------------------------------------------------
    browser.choose(f"{ADD_CHILD} select[name=playlist]", label="Create a new Spotify playlist…")
    browser.fill(f"{ADD_CHILD} input[name=new_name]", CHILD_NAME)
    browser.click(browser.button("Add child"))
    browser.wait_for(lambda: browser.text("h1") == CHILD_NAME, message="the child's editor")
    child = ChildPlaylist.objects.get(base__playlist=source, name=CHILD_NAME)
    spotify = SpotifyAs(sandbox, user="demo")
    assert spotify.uris(child.spotify_id) == []  # created, empty and private, on the listener's Spotify
    browser.step("the new child's editor")

    # --- filters, with the live counts ---------------------------------------------------------
    base_tracks, clean, seconds, expected = _expected(source)
    browser.click(browser.button("Add a condition", within="#child-form"))
    browser.choose('#child-form [data-path="conditions.0"] select[aria-label=Field]', label="Explicit")
    # "Explicit is no", as the row starts, is counted as soon as it is chosen.
    browser.wait_for(lambda: _draft_count(browser) == (clean, base_tracks), message=f"the count of {clean}")
    browser.click(browser.button("Add a condition", within="#child-form"))
    browser.choose('#child-form [data-path="conditions.1"] select[aria-label=Field]', label="Duration")
    low = browser.find('#child-form [data-path="conditions.1"] input[type=number]')
    low.send_keys(str(seconds))
    browser.wait_for(
        lambda: _draft_count(browser) == (expected, base_tracks), message=f"the count of {expected}"
    )
    assert 0 < expected < clean < base_tracks
    browser.step("filters with live counts")

    # Straight from the duration field, focused still, as a person clicks (see full_page_png for
    # why the screenshot just taken once made this click miss).
    assert browser.driver.switch_to.active_element == low
    browser.click(browser.button("Preview changes", within="#child-form"))
    browser.wait_for_text(f"Would add ({expected})", css='[data-role="changes"]', timeout=30)
    assert f"holds 0 now, would hold the {expected} matching" in browser.text('[data-role="changes"]')
    browser.step("preview of the changes")

    browser.click(browser.button("Save", within="#child-form .actions"))
    browser.wait_for_text(f"Saved “{CHILD_NAME}”")
    child.refresh_from_db()
    assert [c["field"] for c in child.filters["conditions"]] == ["explicit", "duration"]

    # --- route, watching the progress ----------------------------------------------------------
    browser.click(browser.link(f"← {source.name}"))
    browser.wait_for_text("Not routed yet", css="#route")
    browser.click(browser.button("Route now", within="#route"))
    # The route status says it; no flash above it that would still say so once it is done.
    browser.wait_for(
        lambda: browser.find('#route [data-role="active-badge"]').text in ("Queued", "Running")
        or "Done" in browser.text("#route"),
        message="the route under way",
    )
    browser.step("route queued", narrow=False)
    _wait_for_route_end(browser)
    assert "Done" in browser.text("#route")
    assert in_progress_flashes(browser) == []  # nothing above the finished route says it goes on
    browser.open(f"/routing/{child.base_id}/")
    history = browser.text("#history")
    assert "Done" in history and f"{CHILD_NAME}: +{expected} −0" in history
    assert len(spotify.uris(child.spotify_id)) == expected
    browser.step("routed")

    # --- undo ------------------------------------------------------------------------------------
    browser.click(browser.link("Restore the children to before this run…", within="#history"))
    browser.wait_for_text("Restore the children to before", css="h1")
    assert f"{CHILD_NAME}: 0 tracks" in browser.text("#restore")
    browser.step("undo, what it restores")
    browser.click(browser.button("Restore", within="#restore"))
    browser.wait_for(lambda: browser.path == f"/routing/{child.base_id}/", message="back on the base")
    _wait_for_route_end(browser)
    assert in_progress_flashes(browser) == []
    browser.open(f"/routing/{child.base_id}/")
    assert "An undo · undoes the route of " in browser.text("#history")  # by its date, not a number
    assert spotify.uris(child.spotify_id) == []
    browser.step("undone")
