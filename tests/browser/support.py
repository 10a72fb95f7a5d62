"""Driving Chromium through the pages: one `Browser` per test, over the session's WebDriver.

`Browser.step(name)` is what a flow calls after each thing a listener does: a screenshot at
1366 px and at 360 px (`var/browser/<test>-<nn>-<step>-<width>.png`, or BROWSER_ARTIFACTS_DIR)
and axe-core on the page, failing on any serious or critical violation. `page_report()` measures
what a person would see wrong at the current width (the page checks of test_pages.py), as the page
loads and again after `open_everything()`.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selenium.common.exceptions import (
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

WIDE, NARROW = 1366, 360
WINDOW_HEIGHT = {WIDE: 900, NARROW: 800}
WIDTHS = (WIDE, NARROW)
AXE_FAILING_IMPACTS = ("serious", "critical")
DEFAULT_WAIT = 20.0
MAX_SHOT_HEIGHT = 12000  # px: a page of 100 playlist rows fits


def safe_name(text: str) -> str:
    """A file-name part from a test or step name: letters, digits, dashes."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:80] or "page"


class Browser:
    """One test's view of the shared Chromium: opens our pages, acts, waits, records steps."""

    def __init__(
        self, driver: WebDriver, *, base_url: str, artifacts: Path, test_name: str, axe: str
    ) -> None:
        self.driver = driver
        self.base_url = base_url
        self.artifacts = artifacts
        self.test_name = safe_name(test_name)
        self._axe_source = axe
        self._steps = 0
        self.width = WIDE

    # --- the window --------------------------------------------------------------------------
    def resize(self, width: int) -> None:
        self.driver.set_window_size(width, WINDOW_HEIGHT[width])
        self.width = width
        # The window manager of headless Chromium may round; what the page sees is what counts.
        deadline = time.monotonic() + 5
        while self.driver.execute_script("return window.innerWidth") != width:
            assert time.monotonic() < deadline, f"the window did not become {width} px wide"
            time.sleep(0.05)
        # Then until the page is still: the header changes between the Menu and the one-line
        # navigation, and the browser moves the scroll position after it (scroll anchoring); a
        # click aimed before that lands beside its target.
        last = None
        while True:
            now = self.driver.execute_script(
                "return [window.scrollY, document.documentElement.scrollHeight]"
            )
            if now == last:
                return
            assert time.monotonic() < deadline + 5, "the page did not settle after the resize"
            last = now
            time.sleep(0.15)

    # --- navigation and reading --------------------------------------------------------------
    def open(self, path: str) -> None:
        self.driver.get(path if path.startswith("http") else f"{self.base_url}{path}")

    def leave(self) -> None:
        """An empty page: nothing of ours keeps running in the browser."""
        try:
            self.driver.get("about:blank")
        except WebDriverException:
            pass  # a browser that went away has nothing running either

    @property
    def path(self) -> str:
        url = self.driver.current_url
        return url.removeprefix(self.base_url)

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str = "body") -> str:
        return self.find(css).text

    def button(self, label: str, *, within: str = "body") -> WebElement:
        """The visible button (or submit input) whose text is `label`, inside `within`."""
        for node in self.find(within).find_elements(By.CSS_SELECTOR, "button, input[type=submit]"):
            shown = (node.text or node.get_attribute("value") or "").strip()
            if shown == label and node.is_displayed():
                return node
        raise AssertionError(f"no button {label!r} on {self.path}:\n{self.text()[:2000]}")

    def link(self, label: str, *, within: str = "body") -> WebElement:
        for node in self.find(within).find_elements(By.TAG_NAME, "a"):
            if node.get_attribute("textContent").strip() == label and self.shown(node):
                return node
        raise AssertionError(f"no link {label!r} on {self.path}:\n{self.text()[:2000]}")

    def shown(self, node: WebElement) -> bool:
        """Whether a person sees `node`. Selenium's own test calls everything inside a closed
        <details> hidden, but the wide navigation is a <details> whose content CSS shows open
        (::details-content); the browser's checkVisibility() knows."""
        return node.is_displayed() or bool(self.driver.execute_script("return arguments[0].checkVisibility()", node))

    def click(self, target: WebElement | str) -> None:
        node = self.find(target) if isinstance(target, str) else target
        # Out of view at 360 px a click may land on another element; bring it into view first.
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", node)
        try:
            node.click()
        except ElementNotInteractableException:
            # chromedriver calls a link inside a closed <details> not interactable, though the wide
            # navigation shows it (see shown()); a person clicks it, so the page's own click does.
            if not self.shown(node):
                raise
            self.driver.execute_script("arguments[0].click()", node)

    def fill(self, css: str, text: str) -> None:
        node = self.find(css)
        node.clear()
        node.send_keys(text)

    def choose(self, css: str, *, label: str | None = None, value: str | None = None) -> None:
        menu = Select(self.find(css))
        if label is not None:
            menu.select_by_visible_text(label)
        else:
            menu.select_by_value(value)

    def wait_for(
        self,
        condition: Callable[[], Any],
        *,
        timeout: float = DEFAULT_WAIT,
        message: str = "",
        poll: float = 0.2,
    ) -> Any:
        """Poll `condition` until it returns something truthy; fail with the page's text if never."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = condition()
            except (StaleElementReferenceException, NoSuchElementException):
                value = None  # the page is changing under us (loading, or a poll re-rendered it)
            except WebDriverException as error:
                # An element found just before the page reloaded: chromedriver reports it as an
                # "unknown error" (the node no longer belongs to the document), not as stale.
                if "does not belong to the document" not in str(error):
                    raise
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waited {timeout:.0f}s on {self.path} for {message or condition}; the page says:\n"
                    f"{self.text()[:3000]}"
                )
            time.sleep(poll)

    def wait_for_text(self, text: str, *, css: str = "body", timeout: float = DEFAULT_WAIT) -> None:
        self.wait_for(lambda: text in self.text(css), timeout=timeout, message=f"{text!r} in {css}")

    # --- what the test leaves behind -----------------------------------------------------------
    def screenshot(self, step: str) -> Path:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{self.test_name}-{self._steps:02d}-{safe_name(step)}-{self.width}.png"
        path.write_bytes(self.full_page_png())
        return path

    def full_page_png(self) -> bytes:
        """The whole page, not only the window: what a reviewer of the screenshots needs."""
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {
            "x": 0,
            "y": 0,
            "width": size["width"],
            "height": min(size["height"], MAX_SHOT_HEIGHT),
            "scale": 1,
        }
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
        )
        # captureBeyondViewport lays the page out at its full height for the capture and back. With
        # a field focused, Chromium then scrolled the page at the next mouse press (by 61 px on the
        # child editor, between chromedriver's press and release: the release missed "Preview
        # changes"); no script of ours ran and no height changed. A scroll of our own, there and
        # back, puts the page right again; a person's browser never captures like this.
        self.driver.execute_script(
            "const x = window.scrollX, y = window.scrollY;"
            "window.scrollTo(x, y > 0 ? y - 1 : y + 1); window.scrollTo(x, y);"
        )
        return base64.b64decode(shot["data"])

    def save_failure(self, label: str) -> list[Path]:
        """The page as it was when the test failed: a screenshot and its HTML."""
        folder = self.artifacts / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"{self.test_name}-{safe_name(label)}"
        saved = []
        try:
            Path(f"{stem}.png").write_bytes(self.full_page_png())
            saved.append(Path(f"{stem}.png"))
            Path(f"{stem}.html").write_text(self.driver.page_source, encoding="utf-8")
            saved.append(Path(f"{stem}.html"))
        except WebDriverException as failure:  # the browser itself went away: say so, keep going
            Path(f"{stem}.txt").write_text(f"no screenshot: {failure}", encoding="utf-8")
        return saved

    def step(self, name: str, *, axe: bool = True, narrow: bool = True) -> None:
        """A step of a flow: screenshots at both widths (the narrow one unless `narrow=False`, for a
        page that a resize would change, such as one that is still loading) and axe at 1366 px."""
        self._steps += 1
        self.resize(WIDE)
        self.screenshot(name)
        if axe:
            assert_accessible(self, name)
        if narrow:
            self.resize(NARROW)
            self.screenshot(name)
            self.resize(WIDE)

    # --- measurements --------------------------------------------------------------------------
    def axe_violations(self) -> list[dict[str, Any]]:
        if not self.driver.execute_script("return typeof window.axe === 'object'"):
            self.driver.execute_script(self._axe_source)
        self.driver.set_script_timeout(60)
        result = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ["violations"]})
              .then(r => done(r.violations))
              .catch(e => done({error: String(e)}));
            """
        )
        if isinstance(result, dict) and "error" in result:
            raise AssertionError(f"axe-core could not run on {self.path}: {result['error']}")
        return result

    def page_report(
        self, *, private: tuple[str | re.Pattern[str], ...] = (), no_clipped_cells: bool = False
    ) -> dict[str, Any]:
        """What a person would see wrong here (page_report.js); `private`: strings not to be shown,
        and patterns (written so JavaScript reads them the same) whose matches are not to be;
        `no_clipped_cells`: a table cell cut off by its scroll box counts too (a listener's page)."""
        shown = [item if isinstance(item, str) else {"pattern": item.pattern} for item in private]
        return self.driver.execute_script(PAGE_REPORT_JS, shown, no_clipped_cells)

    def open_everything(self) -> None:
        """Every <details> opened, as a curious person leaves them: the run history's "Details",
        and below the wide layout the navigation's Menu; then two frames, for it to be drawn."""
        self.driver.execute_script("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        # Two frames: the opened content laid out and painted before it is measured.
        self.driver.execute_script(
            "return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"
        )


def serious_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in AXE_FAILING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {target}: {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def assert_accessible(browser: Browser, step: str) -> None:
    found = serious_violations(browser.axe_violations())
    assert not found, (
        f"axe-core: {len(found)} serious or critical violation(s) on {browser.path} "
        f"({step}, {browser.width} px):\n{describe_violations(found)}"
    )


# What a person would see wrong on the page at the current width: page_report.js says what it measures.
PAGE_REPORT_JS = (Path(__file__).parent / "page_report.js").read_text(encoding="utf-8")
