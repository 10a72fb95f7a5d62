"""The shell as Chromium lays it out, at a laptop's 1366 px and a phone's 360 px: the navigation
in one line beside the brand, or a menu; no link broken inside; nothing widens the page, long
playlist names included (a wide table scrolls in its own box); a cover that fails to load looks
like the placeholder."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from selenium.webdriver.support.wait import WebDriverWait

from tests.accounts.factories import UserFactory
from tests.library.factories import PlaylistFactory, PlaylistItemFactory

# Chromium and its driver come from tests/browser's conftest (chrome_driver), which skips, or
# fails under BROWSER_TESTS_REQUIRED=1, when they are missing.
pytestmark = pytest.mark.django_db(transaction=True)

# Each element's box, and whether its text runs on more than one line (one client rect per line).
BOXES = """
return Array.from(document.querySelectorAll(arguments[0])).map(e => {
  const r = e.getBoundingClientRect();
  return {text: e.textContent.trim(), left: r.left, right: r.right, top: r.top, height: r.height,
          lines: e.getClientRects().length, shown: e.checkVisibility()};
});
"""
# The share of pixels two same-sized PNGs (base64) differ in clearly (any channel by more than 48).
UNLIKE_PIXELS = """
const [first, second, done] = arguments;
const load = data => new Promise(ready => {
  const image = new Image(); image.onload = () => ready(image); image.src = "data:image/png;base64," + data;
});
Promise.all([load(first), load(second)]).then(([a, b]) => {
  const canvas = document.createElement("canvas"); canvas.width = a.width; canvas.height = a.height;
  const context = canvas.getContext("2d");
  const pixels = image => {
    context.clearRect(0, 0, a.width, a.height); context.drawImage(image, 0, 0);
    return context.getImageData(0, 0, a.width, a.height).data;
  };
  const p = pixels(a), q = pixels(b);
  let unlike = 0;
  for (let i = 0; i < p.length; i += 4) {
    const channels = [0, 1, 2].map(c => Math.abs(p[i + c] - q[i + c]));
    if (Math.max(...channels) > 48) unlike++;
  }
  done(unlike / (a.width * a.height));
});
"""
# How wide the page's content is, and how wide the viewport is without its scroll bar.
# For the link whose text is arguments[0]: on how many lines each of its words lies.
LINES_PER_WORD = """
const link = [...document.querySelectorAll('table.playlists td a')].find(a => a.textContent === arguments[0]);
const text = link.firstChild, range = document.createRange(), out = [];
let start = 0;
for (const word of text.data.split(' ')) {
  range.setStart(text, start); range.setEnd(text, start + word.length);
  out.push(range.getClientRects().length); start += word.length + 1;
}
return out;
"""
PAGE_WIDTH = "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture
def chromium(chrome_driver):
    """The suite's Chromium; the viewport each test sets is undone after it."""
    yield chrome_driver
    chrome_driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.fixture
def visit(chromium, live_server):
    """Open a path as `user`, with the viewport exactly `width` px wide."""

    def visit(path: str, *, user, width: int) -> None:
        client = Client()
        client.force_login(user)
        chromium.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )
        chromium.get(live_server.url + "/health")
        chromium.delete_all_cookies()
        chromium.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
        chromium.get(live_server.url + path)

    return visit


def boxes(chromium, selector: str) -> list[dict]:
    return chromium.execute_script(BOXES, selector)


def widens_the_page(chromium) -> bool:
    content, viewport = chromium.execute_script(PAGE_WIDTH)
    return content > viewport


def staff_with_a_long_name():
    user = UserFactory(is_staff=True, display_name="Maximiliana Konstantinopoulou-Featherstonehaugh")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_jobrecord", "view_provider"]))
    return user


def test_at_1366_px_the_navigation_is_one_line_apart_from_the_brand(chromium, visit):
    visit("/dashboard/", user=staff_with_a_long_name(), width=1366)

    (brand,) = boxes(chromium, ".brand")
    (summary,) = boxes(chromium, ".menu > summary")
    parts = boxes(chromium, ".nav-links a, .nav-account .who, .nav-account button")
    assert [p["text"] for p in parts][:7] == [
        "Dashboard", "Library", "Smart playlists", "Insights", "History", "Devices", "API docs"
    ]  # fmt: skip
    assert not summary["shown"] and all(p["shown"] for p in parts)
    assert all(p["lines"] == 1 for p in parts), parts  # "Smart playlists", "Sign out" stay whole
    assert max(p["top"] for p in parts) - min(p["top"] for p in parts) < 6, parts  # one line
    assert brand["right"] + 16 <= parts[0]["left"]  # the brand stands apart
    assert max(p["right"] for p in parts) <= 1366
    assert widens_the_page(chromium) is False


def test_at_360_px_the_navigation_is_a_menu_that_opens_without_breaking_a_link(chromium, visit):
    visit("/dashboard/", user=staff_with_a_long_name(), width=360)

    (summary,) = boxes(chromium, ".menu > summary")
    assert summary["shown"] and summary["text"] == "Menu" and summary["right"] <= 360
    assert not any(p["shown"] for p in boxes(chromium, ".nav-links a"))

    chromium.find_element("css selector", ".menu > summary").click()

    links = boxes(chromium, ".nav-links a, .nav .link-button")
    assert all(p["shown"] and p["lines"] == 1 and p["right"] <= 360 for p in links), links
    assert widens_the_page(chromium) is False


def test_at_360_px_long_names_never_widen_the_library_or_a_playlist(chromium, visit):
    user = UserFactory()
    long_name = "Supercalifragilistic" * 12  # one word of 240 letters
    playlist = PlaylistFactory(user=user, name=long_name, owner_name="An owner " * 20, track_count=1)
    PlaylistItemFactory(playlist=playlist, track__name="Unbroken" * 30)

    for path in ("/library/", f"/library/playlists/{playlist.pk}/"):
        visit(path, user=user, width=360)
        assert widens_the_page(chromium) is False, path
        # The table scrolls in its own box instead.
        (scroller,) = boxes(chromium, ".table-scroll")
        assert scroller["right"] <= 360, path


def test_at_360_px_names_wrap_between_words_never_inside_one(chromium, visit):
    user = UserFactory()
    wordy = "Smart playlists of a rather long and wordy name, long enough to wrap on a phone"
    PlaylistFactory(user=user, name=wordy, owner_name="Someone with a long name too", items_total=1234)

    visit("/library/", user=user, width=360)

    (link,) = [b for b in boxes(chromium, "table.playlists td a") if b["text"] == wordy]
    assert link["lines"] > 1  # it does wrap here
    # Names wrap between words, never inside one ("Smart / playlists" may split, "playl / ists" not).
    words = chromium.execute_script(LINES_PER_WORD, wordy)
    assert len(words) == len(wordy.split()) and all(lines == 1 for lines in words), words


def test_a_cover_that_fails_to_load_looks_like_a_playlist_without_one(chromium, visit, live_server):
    user = UserFactory()
    PlaylistFactory(user=user, name="Broken", image_url=f"{live_server.url}/static/no-such-cover.jpg")
    PlaylistFactory(user=user, name="None", image_url="")

    visit("/library/", user=user, width=1366)

    # Until the browser has given up on it (a lazy image loads after the page).
    WebDriverWait(chromium, 10).until(
        lambda driver: driver.execute_script("return document.querySelector('.cover img').complete")
    )
    assert chromium.execute_script("return document.querySelector('.cover img').naturalWidth") == 0
    broken, empty = chromium.find_elements("css selector", ".cover")
    unlike = chromium.execute_async_script(
        UNLIKE_PIXELS, broken.screenshot_as_base64, empty.screenshot_as_base64
    )
    # The placeholder to within antialiasing (under 1 % here): no broken-image icon (about 7 %
    # of a 40 px cover without the stand-in), no alt text, no frame.
    assert unlike < 0.03


@pytest.mark.parametrize(
    "path", ["/dashboard/", "/library/", "/routing/", "/insights/", "/history/", "/library/devices/"]
)
def test_at_360_px_no_page_of_a_new_listener_widens_the_screen(chromium, visit, path):
    visit(path, user=UserFactory(), width=360)

    assert widens_the_page(chromium) is False


@pytest.mark.parametrize("width", [1366, 360])
def test_a_long_device_search_never_widens_the_devices_page(chromium, visit, width):
    from django.utils import timezone

    from devices.models import RecentSearch

    user = UserFactory()
    query = "x" * 200  # as long as a search may be, and no space in it
    RecentSearch.objects.create(user=user, query=query, query_key=query, searched_at=timezone.now())

    visit("/library/devices/", user=user, width=width)

    (chip,) = boxes(chromium, ".chip")
    assert chip["right"] <= width and widens_the_page(chromium) is False
