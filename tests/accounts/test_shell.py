"""The pages' shell (templates/base.html, static/css/app.css): one navigation for signed-in
listeners, the current page marked, the API docs linked; visitors get none; the stylesheet breaks
words only where a page asks for it. How it lays out in Chromium: test_shell_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "app.css"
LINKS = [
    ("Dashboard", "/dashboard/"),
    ("Library", "/library/"),
    ("Smart playlists", "/routing/"),
    ("Insights", "/insights/"),
    ("History", "/history/"),
    ("Devices", "/library/devices/"),
    ("API docs", "/api/docs/"),
]


def navigation(html: str) -> str:
    start = html.index('<nav class="nav" aria-label="Main">')
    return html[start : html.index("</nav>", start)]


def links(nav: str) -> list[tuple[str, str]]:
    return [(text, href) for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)]


def current(nav: str) -> list[str]:
    return re.findall(r'aria-current="page">([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("path", "marked"),
    [("/dashboard/", "Dashboard"), ("/library/", "Library"), ("/routing/", "Smart playlists"),
     ("/insights/", "Insights"), ("/history/", "History"), ("/library/devices/", "Devices")],
)  # fmt: skip
def test_a_listeners_pages_share_one_navigation_with_the_current_page_marked(client, path, marked):
    client.force_login(UserFactory(display_name="Ada Listener"))

    html = client.get(path).content.decode()

    assert html.count('<nav class="nav"') == 1
    nav = navigation(html)
    assert links(nav) == LINKS
    assert current(nav) == [marked]
    assert "Ada Listener" in nav and "Sign out" in nav


def test_the_navigation_is_a_disclosure_that_works_without_a_script(client):
    client.force_login(UserFactory())

    html = client.get("/dashboard/").content.decode()

    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert re.search(r'<details class="menu">\s*<summary>.*Menu</summary>\s*<nav class="nav"', header, re.S)
    assert "<script" not in header
    # The brand stands apart from the links, outside the disclosure.
    assert header.index('class="brand"') < header.index("<details")


def test_staff_get_one_staff_link_and_listeners_none(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_jobrecord", "view_provider"])
    )
    only_llm = UserFactory(is_staff=True)
    only_llm.user_permissions.add(Permission.objects.get(codename="view_provider"))

    client.force_login(staff)
    assert links(navigation(client.get("/dashboard/").content.decode()))[-1] == ("Staff", "/staff/")
    client.force_login(only_llm)
    assert links(navigation(client.get("/dashboard/").content.decode()))[-1] == ("LLM status", "/staff/llm/")
    client.force_login(UserFactory())
    assert links(navigation(client.get("/dashboard/").content.decode())) == LINKS


@pytest.mark.parametrize("public", [True, False])
def test_visitors_get_no_navigation_and_the_docs_only_where_they_may_read_them(client, settings, public):
    settings.API_DOCS_PUBLIC = public

    html = client.get("/").content.decode()

    assert '<nav class="nav"' not in html and "Sign out" not in html
    assert ('href="/api/docs/"' in html) is public


# --- the stylesheet -----------------------------------------------------------------------------
def rules(css: str) -> list[tuple[str, str]]:
    """(selector, declarations) of every rule, media queries opened (comments dropped)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [(sel.strip(), body) for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)]


def test_the_stylesheet_breaks_words_only_in_designated_places():
    found = rules(STYLESHEET.read_text())

    assert "break-all" not in STYLESHEET.read_text()
    anywhere = {sel for sel, body in found if re.search(r"overflow-wrap:\s*anywhere", body)}
    # Long ids, URLs and secrets (.long, .token), error messages quoting URLs (.error), and
    # chips of what someone typed (.chip: a device's search).
    assert anywhere == {".token, .long", ".error", ".chip"}
    # A cell never inherits a mid-word break: table cells say so themselves.
    assert any(
        sel == "table.list th, table.list td" and "overflow-wrap: normal" in body for sel, body in found
    )


def test_navigation_links_and_the_brand_never_wrap_inside():
    found: dict[str, str] = {}
    for selector, body in rules(STYLESHEET.read_text()):
        found[selector] = found.get(selector, "") + body

    assert "white-space: nowrap" in found[".nav a"]
    assert "white-space: nowrap" in found[".brand"]
    assert "white-space: nowrap" in found[".nav .link-button"]
