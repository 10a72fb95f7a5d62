"""The filter editor of a child in Chromium, on a base made with factories (no Spotify: the live
counts read only the mirror): a new condition stays quiet until the listener has been in its
value, the live preview and a refused Save word a problem alike, and a draft that cannot be
counted never leaves the last count on show."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from selenium.webdriver.common.keys import Keys

from routing.models import ChildPlaylist
from tests.accounts.factories import SpotifyCredentialFactory
from tests.browser.support import Browser
from tests.library.factories import PlaylistItemFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "#child-form"
COUNT = '[data-role="draft-count"]'
ROW_ERRORS = "#child-form .row-errors"
# Five tracks of the base: lengths 1:40, 2:30, 3:20, 4:10, 5:00.
LENGTHS = (100, 150, 200, 250, 300)


@pytest.fixture
def editor(browser: Browser) -> ChildPlaylist:
    """A signed-in listener on the editor of a child that takes every track of a five-track base."""
    listener = SpotifyCredentialFactory(spotify_user_id="editor-listener").user
    base = BasePlaylistFactory(user=listener, playlist__owner_spotify_id="editor-listener")
    for position, seconds in enumerate(LENGTHS):
        PlaylistItemFactory(playlist=base.playlist, position=position, track__duration_ms=seconds * 1000)
    child = ChildPlaylistFactory(base=base, name="Long ones")
    client = Client()
    client.force_login(listener)
    browser.open("/health")
    browser.driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
    browser.open(f"/routing/children/{child.pk}/")
    browser.wait_for(lambda: _count(browser) == (5, 5), message="the first count, 5 of 5")
    return child


def _count(browser: Browser) -> tuple[int, int] | None:
    found = re.search(r"This draft matches (\d+) of (\d+) tracks", browser.text(COUNT))
    return (int(found.group(1)), int(found.group(2))) if found else None


def _shown_errors(browser: Browser) -> list[str]:
    return [node.text for node in browser.find_all(ROW_ERRORS) if node.is_displayed() and node.text]


def _add_duration(browser: Browser, index: int) -> None:
    browser.click(browser.button("Add a condition", within=FORM))
    browser.choose(f'{FORM} [data-path="conditions.{index}"] select[aria-label=Field]', label="Duration")


def _bound(browser: Browser, index: int, side: str):
    return browser.find(f'{FORM} [data-path="conditions.{index}"] input[aria-label="Duration {side}"]')


def test_a_new_condition_says_nothing_until_the_listener_has_been_in_its_value(browser, editor):
    _add_duration(browser, 0)
    # The empty range cannot be counted: the preview says so at once...
    browser.wait_for_text("Count unavailable until every condition is complete and valid.", css=COUNT)
    # ...but the row itself stays quiet while nobody has been in its value (the answer is in).
    assert _shown_errors(browser) == []
    browser.step("a new condition, quiet")

    low = _bound(browser, 0, "min")
    low.click()
    assert _shown_errors(browser) == []  # still in it: nothing to say yet
    low.send_keys(Keys.TAB)  # leaves it empty
    browser.wait_for(lambda: _shown_errors(browser), message="the row's problem once its value was left")
    assert _shown_errors(browser) == [
        "Condition 1 (Duration): duration range needs a minimum, a maximum or both."
    ]
    browser.step("the new condition's problem, once left")


def test_a_problem_reads_the_same_in_the_live_preview_and_after_save(browser, editor):
    _add_duration(browser, 0)
    _bound(browser, 0, "min").send_keys("240")
    _bound(browser, 0, "max").send_keys("120")
    high = _bound(browser, 0, "max")
    high.send_keys(Keys.TAB)
    browser.wait_for(lambda: _shown_errors(browser), message="the live preview's problem beside the row")
    live = _shown_errors(browser)
    assert live == ["Condition 1 (Duration): in the duration range, the minimum must not be above the maximum."]

    browser.click(browser.button("Save", within=f"{FORM} .actions"))
    browser.wait_for_text("The filters were not saved", css="#filter-errors")
    saved = [node.text for node in browser.find_all("#filter-errors li")]
    assert saved == live
    # The editor, reloaded with the refused draft, puts the same sentence beside the row.
    assert _shown_errors(browser) == live
    editor.refresh_from_db()
    assert editor.filters["conditions"] == []
    browser.step("the refused save, worded as the preview")


def test_a_draft_that_cannot_be_counted_never_keeps_the_last_count(browser, editor):
    _add_duration(browser, 0)
    _bound(browser, 0, "min").send_keys("200")
    browser.wait_for(lambda: _count(browser) == (3, 5), message="the count of 3 (3:20 and longer)")

    # A maximum below the minimum: the draft cannot be counted any more.
    _bound(browser, 0, "max").send_keys("150")
    browser.wait_for(
        lambda: "Count unavailable" in browser.text(COUNT), message="the count to give way", timeout=10
    )
    assert _count(browser) is None
    assert not re.search(r"\d+ of \d+ tracks", browser.text(f"{FORM} [data-role=preview]"))
    browser.step("an invalid draft, no count")

    # Fixed again, it is counted again.
    high = _bound(browser, 0, "max")
    high.send_keys(Keys.BACKSPACE * 3, "250")
    browser.wait_for(lambda: _count(browser) == (2, 5), message="the count of 2 (3:20 to 4:10)")


def test_a_broken_json_draft_never_keeps_the_last_count(browser, editor):
    _add_duration(browser, 0)
    _bound(browser, 0, "min").send_keys("200")
    browser.wait_for(lambda: _count(browser) == (3, 5), message="the count of 3 (3:20 and longer)")

    browser.click(browser.button("Edit as JSON", within=FORM))
    textarea = browser.find(f"{FORM} textarea[name=filters]")
    assert textarea.is_displayed()
    valid = textarea.get_attribute("value")
    assert '"min": 200' in valid  # the rows' draft, as the form will post it

    # Mid-typing: a trailing comma makes the document unreadable, so nothing can be counted.
    textarea.send_keys(Keys.CONTROL, Keys.END)
    textarea.send_keys(",")
    browser.wait_for(
        lambda: "Count unavailable" in browser.text(COUNT), message="the count to give way", timeout=10
    )
    assert _count(browser) is None
    assert not re.search(r"\d+ of \d+ tracks", browser.text(f"{FORM} [data-role=preview]"))
    browser.step("a broken JSON draft, no count")

    # The comma gone, the same document is counted again.
    textarea.send_keys(Keys.BACKSPACE)
    browser.wait_for(lambda: _count(browser) == (3, 5), message="the count of 3 again")

    # A change typed as JSON is counted too, and the rows follow it.
    textarea.send_keys(Keys.CONTROL, "a")
    textarea.send_keys(valid.replace('"min": 200', '"min": 250'))
    browser.wait_for(lambda: _count(browser) == (2, 5), message="the count of 2 (4:10 and longer)")
    assert _bound(browser, 0, "min").get_attribute("value") == "250"
    browser.step("a JSON draft fixed and changed, counted again")
