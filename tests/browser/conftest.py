"""Chromium for the pages' flows: Debian's chromium and chromium-driver, driven by selenium, with
axe-core (npm, pinned in package.json) injected into each page.

Without Chromium, its driver or axe-core these tests skip, saying what is missing; with
BROWSER_TESTS_REQUIRED=1 (CI sets it) they fail instead, so a broken install cannot pass as
skipped tests. Screenshots go to var/browser/ (BROWSER_ARTIFACTS_DIR to change it), emptied when
a run starts; a failed test adds the page's screenshot and HTML under failures/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.support import WIDE, WINDOW_HEIGHT, Browser
from tests.support.processes import PROJECT_DIR

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS_DIR") or PROJECT_DIR / "var" / "browser").resolve()


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (`-m browser` selects them, `-m 'not browser'`
    leaves them out)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _missing() -> list[str]:
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if not os.access(CHROMEDRIVER, os.X_OK):
        missing.append(f"its driver at {CHROMEDRIVER} (apt-get install chromium-driver)")
    if not AXE.is_file():
        missing.append(f"axe-core at {AXE.relative_to(PROJECT_DIR)} (npm ci)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install -r requirements-dev.txt)")
    return missing


@pytest.fixture(scope="session")
def chrome_driver() -> Iterator:
    missing = _missing()
    if missing:
        message = "The browser tests need " + "; ".join(missing) + "."
        if os.environ.get("BROWSER_TESTS_REQUIRED") == "1":
            pytest.fail(message + " BROWSER_TESTS_REQUIRED=1: failing instead of skipping.", pytrace=False)
        pytest.skip(message)

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # What an earlier run left would mislead whoever reads this one's screenshots.
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        "--hide-scrollbars",  # as on a phone: the page's width is the window's
        "--force-device-scale-factor=1",
        "--lang=en-US",
        f"--window-size={WIDE},{WINDOW_HEIGHT[WIDE]}",
    ):
        options.add_argument(argument)
    service = Service(str(CHROMEDRIVER), log_output=str(ARTIFACTS / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def web_server(django_db_setup) -> Iterator:
    """Django in a thread of this process on 127.0.0.1 (the sandbox, like Spotify, accepts only
    loopback redirect URIs over http), serving the static files too. One for the session: each
    request opens its own database connection, so it sees what the test committed."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def browser(chrome_driver, web_server, request) -> Browser:
    """The session's Chromium, cookies cleared and 1366 px wide, for this test."""
    chrome_driver.get("about:blank")
    chrome_driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    name = request.node.name
    browser = Browser(
        chrome_driver, base_url=web_server.url, artifacts=ARTIFACTS, test_name=name, axe=AXE.read_text()
    )
    browser.resize(WIDE)
    return browser


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """A browser test that failed leaves the page as it was: a screenshot and the HTML."""
    report = yield
    browser = getattr(item, "funcargs", {}).get("browser")
    if report.when == "call" and isinstance(browser, Browser):
        if report.failed:
            saved = browser.save_failure(f"failed-{browser.width}")
            report.sections.append(("browser", "the page at the failure: " + ", ".join(map(str, saved))))
        # Leave the page before the fixtures' teardown: its scripts would go on polling the
        # server while the test's database goes away.
        browser.leave()
    return report
