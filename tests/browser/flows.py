"""Steps that several flows share: signing in through the sandbox's consent page, and waiting for
the dashboard's import card to finish."""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from library.models import ItemsStatus, Playlist
from tests.browser.support import Browser

IMPORT_TIMEOUT = 180.0  # demo's 70 playlists on a cluster sharing two cores with the browser


def sign_in_through_consent_page(
    browser: Browser, *, as_user: str = "Demo Listener", steps: bool = True
) -> User:
    """From the landing page: Sign in with Spotify, pick the sandbox user on its consent page,
    Agree; lands on the dashboard. Returns the listener."""
    browser.open("/")
    browser.wait_for_text("Liner notes for your Spotify library")
    if steps:
        browser.step("landing")
    browser.click(browser.button("Sign in with Spotify"))
    browser.wait_for_text("Connect Linernotes to your Spotify account")
    if steps:
        # The sandbox's page, not ours: screenshots only.
        browser.step("sandbox consent page", axe=False)
    choice = browser.wait_for(
        lambda: next((label for label in browser.find_all("label") if as_user in label.text), None),
        message=f"{as_user!r} on the consent page",
    )
    browser.click(choice.find_element("css selector", "input[type=radio]"))
    browser.click(browser.button("Agree"))
    browser.wait_for(lambda: browser.path == "/dashboard/", message="the dashboard after sign-in")
    browser.wait_for_text(f"Hello, {as_user}")
    return User.objects.get(display_name=as_user)


def wait_for_import_card(
    browser: Browser, *, timeout: float = IMPORT_TIMEOUT, running_step: str | None = None
) -> dict[str, bool]:
    """Stay on the dashboard while its card polls the import; what was seen on the way:
    {"running": the progress bar was shown with a value, "done": the badge said Done}. With
    `running_step`, the first sight of the bar is a step of the flow (its screenshot, at 1366 px
    only: a resize would give the import time to end)."""
    seen = {"running": False, "done": False}

    def finished() -> bool:
        badge = browser.find('#import [data-role="badge"]').text
        bar = browser.find('#import [data-role="bar"]')
        if bar.is_displayed() and bar.get_attribute("value") not in (None, "", "0"):
            if running_step and not seen["running"]:
                browser.step(running_step, axe=False, narrow=False)
            seen["running"] = True
        if badge in ("Failed", "Cancelled"):
            pytest.fail(f"the import ended {badge}: {browser.text('#import')}", pytrace=False)
        seen["done"] = badge == "Done"
        return seen["done"]

    browser.wait_for(finished, timeout=timeout, poll=0.1, message="the import card to say Done")
    return seen


# How a flash would describe work still going on ("Writing your … insight", "Import queued: …
# being mirrored", "already under way"): such a flash, fixed when its page was served, would
# contradict a card that follows the run live and has said Done since.
IN_PROGRESS = re.compile(r"\b(writing|queued|being|under way|in a moment)\b", re.IGNORECASE)


def in_progress_flashes(browser: Browser) -> list[str]:
    """The flashes shown on the page that speak of work in progress (see IN_PROGRESS)."""
    shown = [node.text for node in browser.find_all(".messages .message") if browser.shown(node)]
    return [text for text in shown if IN_PROGRESS.search(text)]


def demo_base_source(listener: User) -> Playlist | None:
    """The demo account's own smallest playlist of 100 to 400 readable tracks: a base big enough
    for filters to split, small enough to route in seconds."""
    return (
        Playlist.objects.filter(
            user=listener,
            owner_spotify_id="demo",
            items_status=ItemsStatus.AVAILABLE,
            track_count__range=(100, 400),
        )
        .order_by("track_count")
        .first()
    )
