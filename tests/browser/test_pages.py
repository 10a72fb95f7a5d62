"""A newcomer's walk through every page, at 1366 px and at 360 px: what a person would see wrong.

One listener's world is built once for the module, through the services and the sandboxes (the
flows in the other files do the same through the pages): demo's library imported, a base with a
routed child, a history, snapshots of every range with a written insight, a phone's library, songs
analysed (one from its lyrics, one guessed), what failed (the latest import; the one route of a
second base, since deleted: tests/browser/page_world.py), and an operator with the LLM providers,
one of them forced. Then each page is opened at each width, screenshotted
(var/browser/pages-<page>-<width>.png) and measured as it loads, then again with every <details>
opened, the Menu of the narrow navigation among them (pages-<page>-<width>-open.png), and each
check is a test of its own, holding in both states but where it says:

- overflow: the page is no wider than the window (no sideways scrolling), and on a listener's pages no
  table cell is cut off at the edge of the box that scrolls it (operators' wide tables scroll);
- nav: the navigation is on one line (no item on a second row, no item's text wrapped), as loaded;
- words: no word is broken across two lines, nor a date, time, name or id at its hyphen;
- ids: no Spotify id or URI in the visible text, and on a listener's pages neither their username
  (their display name is what they know) nor a device's session id; json: no JSON path
  (conditions.0.value);
- axe: axe-core finds no serious or critical violation, as loaded.

A check a page fails today is an xfail(strict=True) naming the problem: when the page is fixed
the test passes, strict turns that into a failure, and the mark is to be removed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client, override_settings
from rest_framework.test import APIClient

from core import queues
from accounts.models import SpotifyCredential
from devices.models import DeviceSession
from insights.models import InsightKind, InsightTone, ListeningSnapshot, TimeRange
from insights.selectors.recap import years_with_plays
from insights.services.history import poll_history
from insights.services.ingests import request_ingest, run_ingest
from insights.services.insight_writer import request_insight, write_insight
from library.models import Playlist, PlaylistItem
from llm.models import ProviderKind
from llm.services.circuit import force_provider
from routing.services.route import run_route
from routing.services.setup import add_child_playlist, create_base_playlist
from routing.services.triggers import request_route
from tests.accounts.factories import UserFactory
from tests.browser.flows import demo_base_source
from tests.browser.page_world import analyse_songs, fail_an_import, fail_and_delete_a_base
from tests.browser.support import NARROW, WIDE, WIDTHS, Browser, describe_violations, serious_violations
from tests.fixtures.llm_sandbox import FALLBACK, FALLBACK_MODEL, PRIMARY, PRIMARY_MODEL
from tests.fixtures.sandbox import point_django_at
from tests.llm.factories import ProviderFactory
from tests.routing.route_support import SpotifyAs
from tests.support.queue import FakeQueue
from tests.sync.cluster_support import reconnect
from tests.sync.import_support import import_library

CLEAN = {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": False}]}
AT = "2025-03-01T12:00:00Z"


@dataclasses.dataclass
class World:
    listener: Any
    operator: Any
    paths: dict[str, str]
    sessions: dict[str, str | None]  # page name → the session cookie it is opened with (None: signed out)
    failed: dict[str, Any] = dataclasses.field(default_factory=dict)  # "import", "route": the failed runs


# page name → who opens it, and its URL's name; the order of the walk.
LISTENER, OPERATOR, NOBODY = "listener", "operator", "nobody"
# "#12", a run's number: not a listener's word. A chart's "Spotify's #1" is a rank, not an id.
RUN_NUMBER = re.compile(r"(?<!Spotify's )(?<!Spotify’s )#\d+\b")
PAGES = [
    ("landing", NOBODY, "accounts:landing"),
    ("dashboard", LISTENER, "accounts:dashboard"),
    ("library", LISTENER, "library:playlists"),
    ("playlist", LISTENER, "library:playlist"),
    ("song", LISTENER, "analysis:song"),
    ("song-analysed", LISTENER, "analysis:song"),
    ("song-guess", LISTENER, "analysis:song"),
    ("smart-playlists", LISTENER, "routing:index"),
    ("base", LISTENER, "routing:base"),
    ("child-editor", LISTENER, "routing:child"),
    ("why-track", LISTENER, "routing:why"),
    ("restore", LISTENER, "routing:restore"),
    ("duplicates", LISTENER, "routing:duplicates"),
    ("remove-duplicates", LISTENER, "routing:duplicates-remove"),
    ("stop-routing", LISTENER, "routing:base-delete"),
    ("insights-short", LISTENER, "insights:insights"),
    ("insights-medium", LISTENER, "insights:insights"),
    ("insights-long", LISTENER, "insights:insights"),
    ("history", LISTENER, "insights:history"),
    ("exports", LISTENER, "exports:index"),
    ("recap", LISTENER, "insights:recap"),
    ("devices", LISTENER, "devices:devices"),
    ("staff-overview", OPERATOR, "insights:staff-dashboard"),
    ("llm-status", OPERATOR, "llm:status"),
]
# Our URLs that are no page to walk to: actions (POST, then back to a page).
ACTIONS = {
    "accounts:create-api-token",  # its answer, the secret shown once, is in test_devices' flow
    "accounts:revoke-api-token",
    "sync:import-now", "sync:retry", "sync:cancel",
    "routing:create-base", "routing:base-options", "routing:base-route", "routing:child-add",
    "routing:child-move", "routing:child-delete", "routing:retry", "routing:cancel", "routing:confirm",
    "routing:discard", "routing:duplicates-undo",
    "insights:ingest", "insights:insight-generate",
    "insights:history-import",  # an upload; its card is on the history page, its flow in test_history_import
    # Downloads (CSV or JSON files, not pages), linked from the library, playlist, history and
    # exports pages; their contents in tests/exports.
    "exports:library", "exports:playlist", "exports:history", "exports:analyses",
    "insights:recap-latest",  # a redirect to the recap of the latest year with plays (walked as "recap")
}  # fmt: skip
OUR_APPS = ("accounts", "analysis", "devices", "exports", "insights", "library", "llm", "routing", "sync")
CHECKS = ("overflow", "nav", "words", "ids", "json", "axe")

# What the pages get wrong today, as these checks find it: (page, width, check) -> the reason, each
# an xfail(strict=True) so that a fix shows. Issue 17 item 2 fixed every one it listed.
SIGNED_IN = [page for page, who, _ in PAGES if who != NOBODY]
KNOWN_PROBLEMS: dict[tuple[str, int, str], str] = {}


def _build_world(sandbox_server, llm_sandbox) -> World:
    listener = UserFactory(username="demo_listener", display_name="Demo Listener")
    reconnect(sandbox_server, listener, "demo")
    import_library(listener)

    # Routing: a base of demo's own, a new child on Spotify holding its clean tracks, routed once.
    source = demo_base_source(listener)
    base = create_base_playlist(user=listener, playlist=source)
    spotify_id = SpotifyAs(sandbox_server, user="demo").create_playlist("Clean ones")
    child = add_child_playlist(
        base=base, spotify_id=spotify_id, name="Clean ones", mode="rebuild", filters=CLEAN, known_empty=True
    )
    run, _ = request_route(base=base, trigger="button")
    assert run_route(run_id=run.pk).status == "succeeded"
    import_library(listener)  # the child as routed: its page lists its tracks and why each is there

    # Listening: the history Spotify keeps, snapshots of every range, an insight written by the LLM.
    poll_history(user=listener)
    ingest, _ = request_ingest(user=listener)
    assert run_ingest(ingest_id=ingest.pk).status == "succeeded"
    ProviderFactory(
        name=PRIMARY, kind=ProviderKind.OPENAI, base_url=llm_sandbox.openai_url(PRIMARY), model=PRIMARY_MODEL,
        priority=10,
    )  # fmt: skip
    ProviderFactory(
        name=FALLBACK, kind=ProviderKind.OLLAMA, base_url=llm_sandbox.ollama_url(FALLBACK),
        model=FALLBACK_MODEL, priority=20,
    )  # fmt: skip
    snapshot = ListeningSnapshot.objects.get(user=listener, time_range=TimeRange.SHORT)
    insight, _ = request_insight(
        user=listener, snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.SUPPORTIVE
    )
    assert write_insight(insight_id=insight.pk).status == "succeeded"

    # A phone: its session and library, through the device API.
    phone = APIClient()
    phone.force_authenticate(listener)
    song = {"track": "4uLU6hMCjMI75M1A2tKUQC", "title": "Night Drive", "artist": "The Winter Light"}
    library = {
        "favorites": [{**song, "added_at": AT}],
        "history": [{**song, "played_at": AT, "completion": 0.8, "source": "album"}],
        "playlists": [
            {"id": None, "local_id": "phone-road", "name": "Road mix", "description": "For the car",
             "is_public": False, "items": [{**song, "added_at": AT}], "created_at": AT, "updated_at": AT}
        ],
    }  # fmt: skip
    assert phone.post("/api/me/library/sync", library, format="json").status_code == 200
    assert (
        phone.post(
            "/api/me/session/ping", {"session_id": "phone-1", "device": "Phone"}, format="json"
        ).status_code
        == 200
    )

    # The operator, and the fallback forced.
    operator = UserFactory(
        username="operator", display_name="Olivia Operator", is_staff=True, is_superuser=True
    )
    big = Playlist.objects.filter(user=listener).order_by("-track_count").first()
    track = (
        PlaylistItem.objects.filter(playlist=big, track__isnull=False).select_related("track").first().track
    )
    # Songs analysed by the first provider (one read from its lyrics, one guessed without); the
    # song above stays unanalysed. Then the fallback is forced.
    analysed = analyse_songs(listener=listener, llm_sandbox=llm_sandbox, skip={track.pk})
    force_provider(name=FALLBACK)

    # What went wrong, for the staff: a second base whose route failed, then deleted (its run
    # stays, under its name), and the listener's latest import, failed.
    taken = {source.spotify_id, spotify_id}
    failed = {"route": fail_and_delete_a_base(sandbox_server=sandbox_server, listener=listener, taken=taken)}
    failed["import"] = fail_an_import(sandbox_server=sandbox_server, listener=listener)
    paths = {
        "landing": "/",
        "dashboard": "/dashboard/",
        "library": "/library/",
        "playlist": f"/library/playlists/{big.pk}/",
        "song": f"/songs/{track.spotify_id}/",
        **{page: f"/songs/{analysis.track_id}/" for page, analysis in analysed.items()},
        "smart-playlists": "/routing/",
        "base": f"/routing/{base.pk}/",
        "child-editor": f"/routing/children/{child.pk}/",
        # The route preview for one track: the base's first song, each child's verdict and reason.
        "why-track": f"/routing/{base.pk}/why/?track={first_song(source)}",
        "restore": f"/routing/runs/{run.pk}/restore/",
        "stop-routing": f"/routing/{base.pk}/delete/",
        "duplicates": "/library/duplicates/",
        "remove-duplicates": f"/library/duplicates/{source.pk}/remove/",
        "insights-short": "/insights/?range=short_term",
        "insights-medium": "/insights/?range=medium_term",
        "insights-long": "/insights/?range=long_term",
        "history": "/history/",
        "exports": "/exports/",
        "recap": f"/insights/recap/{years_with_plays(user=listener)[0]}/",
        "devices": "/library/devices/",
        "staff-overview": "/staff/",
        "llm-status": "/staff/llm/",
    }
    sessions = {LISTENER: _session(listener), OPERATOR: _session(operator), NOBODY: None}
    return World(
        listener=listener,
        operator=operator,
        paths=paths,
        sessions={page: sessions[who] for page, who, _ in PAGES},
        failed=failed,
    )


def first_song(playlist) -> str:
    item = PlaylistItem.objects.filter(playlist=playlist, track__isnull=False).order_by("position").first()
    return item.track_id


def _session(user) -> str:
    """A signed-in session of `user`, stored now: the tests themselves write nothing."""
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


class _Settings:
    """Collects what point_django_at sets, for override_settings (the `settings` fixture is per test)."""

    def __init__(self) -> None:
        object.__setattr__(self, "values", {})

    def __getattr__(self, name: str) -> Any:
        return self.values[name] if name in self.values else getattr(django_settings, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self.values[name] = value


@pytest.fixture(scope="module")
def world(
    request, chrome_driver, django_db_setup, django_db_blocker, sandbox_server, llm_sandbox, web_server
) -> Iterator[World]:
    """Built once; the pages read it through the live server, whose threads need the database
    open for the whole module. Emptied afterwards, as a transactional test leaves it."""
    # pytest-django makes the test database only for a run with some test that asks for one;
    # without it the world would be built in (and flushed from) the configured database.
    if not any(
        {"db", "transactional_db"} & set(item.fixturenames) or item.get_closest_marker("django_db")
        for item in request.session.items
    ):
        pytest.fail("No test database in this run: select this module's first test too.", pytrace=False)
    wanted = _Settings()
    point_django_at(sandbox_server, wanted)
    wanted.SPOTIFY_APP_MODE = "development"
    overridden = override_settings(**wanted.values)
    overridden.enable()
    sandbox_server.reset()
    llm_sandbox.reset()
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        # What the services queue (the import's analyses, warm-ups) is not run: no cluster here.
        patch.setattr(queues, "async_task", FakeQueue())
        try:
            yield _build_world(sandbox_server, llm_sandbox)
        finally:
            call_command("flush", interactive=False, verbosity=0, allow_cascade=True)
            overridden.disable()


@pytest.fixture(scope="module")
def measured(world, chrome_driver, web_server) -> dict:
    """(page, width) → what it showed; filled as the tests ask."""
    return {}


@pytest.fixture(scope="module")
def private(world, django_db_blocker) -> dict[str, tuple[str | re.Pattern[str], ...]]:
    """Who opens a page → what it must not show them. Operators see usernames and run numbers:
    they need them. A listener knows a run by its date and themselves by their Spotify name."""
    with django_db_blocker.unblock():
        sessions = DeviceSession.objects.filter(user=world.listener).values_list("session_id", flat=True)
        spotify_ids = {
            *SpotifyCredential.objects.filter(user=world.listener).values_list("spotify_user_id", flat=True),
            *SocialAccount.objects.filter(user=world.listener).values_list("uid", flat=True),
        }
        listener = (world.listener.username, *sessions, *sorted(spotify_ids), RUN_NUMBER)
    return {LISTENER: listener, OPERATOR: (), NOBODY: ()}


def _sign_in(browser: Browser, session: str | None) -> None:
    browser.open("/static/css/app.css")  # any page of ours: a cookie is set for the current site
    browser.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    if session is not None:
        browser.driver.add_cookie(
            {"name": django_settings.SESSION_COOKIE_NAME, "value": session, "path": "/"}
        )


def _ready(browser: Browser, page: str) -> bool:
    """The page is loaded and its scripts have drawn what they draw."""
    if browser.driver.execute_script("return document.readyState") != "complete":
        return False
    if page == "child-editor":
        return bool(browser.find_all('[data-role="editor"] .condition')) and "matches" in browser.text(
            '[data-role="draft-count"]'
        )
    return True


def _measure(browser: Browser, world: World, measured: dict, page: str, width: int, private: tuple) -> dict:
    key = (page, width)
    if key not in measured:
        _sign_in(browser, world.sessions[page])
        browser.resize(width)
        browser.open(world.paths[page])
        assert browser.path == world.paths[page], f"{page}: landed on {browser.path}"
        browser.wait_for(lambda: _ready(browser, page), message=f"{page} to be drawn")
        browser.artifacts.mkdir(parents=True, exist_ok=True)
        (browser.artifacts / f"pages-{page}-{width}.png").write_bytes(browser.full_page_png())
        # Nobody is expected to scroll a table sideways to read a cell: listener and staff tables
        # alike stack on a phone.
        measured[key] = {
            "loaded": browser.page_report(private=private, no_clipped_cells=True),
            "axe": serious_violations(browser.axe_violations()),
        }
        browser.open_everything()
        (browser.artifacts / f"pages-{page}-{width}-open.png").write_bytes(browser.full_page_png())
        measured[key]["opened"] = browser.page_report(private=private, no_clipped_cells=True)
    return measured[key]


def _params() -> list:
    params = []
    for page, who, _ in PAGES:
        for width in WIDTHS:
            for check in CHECKS:
                if check == "nav" and who == NOBODY:
                    continue  # no navigation before signing in
                reason = KNOWN_PROBLEMS.get((page, width, check))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                params.append(pytest.param(page, width, check, marks=marks, id=f"{page}-{width}-{check}"))
    return params


@pytest.fixture(scope="module")
def page_browser(chrome_driver, web_server) -> Iterator[Browser]:
    """The page checks' own: signed in as each page needs, never cleared between tests."""
    from tests.browser.conftest import ARTIFACTS, AXE

    browser = Browser(
        chrome_driver, base_url=web_server.url, artifacts=ARTIFACTS, test_name="pages", axe=AXE.read_text()
    )
    yield browser
    browser.leave()


def test_the_walk_opens_every_page_of_ours(transactional_db):
    """Every URL of our apps is walked or is an action. (It runs first, and its transactional_db
    sets the test database up when this module runs alone: the page tests below have no database
    mark, since a test's own transaction would lock SQLite against the live server's writes.)"""
    from django.urls import get_resolver

    names = {
        f"{namespace}:{name}"
        for namespace in OUR_APPS
        for name in get_resolver().namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }
    walked = {url_name for _, _, url_name in PAGES}
    assert names - walked - ACTIONS == set(), "pages nobody walks through"
    assert (walked | ACTIONS) - names == set(), "no such URL"


@pytest.mark.parametrize(("page", "width", "check"), _params())
def test_the_page_shows_no_problem_a_person_would_see(
    page, width, check, world, measured, private, page_browser
):
    who = next(who for name, who, _ in PAGES if name == page)
    found = _measure(page_browser, world, measured, page, width, private[who])
    where = f"{page} ({world.paths[page]}) at {width} px"
    if check == "axe":
        assert not found["axe"], f"axe-core on {where}:\n{describe_violations(found['axe'])}"
        return
    _check(check, found["loaded"], f"{where} (pages-{page}-{width}.png)")
    if check != "nav":  # the open Menu is a list of links, one a row, as it should be
        _check(check, found["opened"], f"{where}, <details> open (pages-{page}-{width}-open.png)")


def _check(check: str, report: dict, where: str) -> None:
    if check == "overflow":
        overflow = report["overflow"]
        assert overflow["ok"], (
            f"{where} is {overflow['scroll_width']} px wide in a {overflow['viewport']} px window; past its edge: "
            + "; ".join(overflow["offenders"])
        )
        clipped = report["clipped_cells"]
        assert clipped["ok"], f"{where} cuts table cells off at their scroll box's edge: " + "; ".join(
            clipped["cells"]
        )
    elif check == "nav":
        assert report["nav"]["present"], f"{where} has no navigation"
        assert report["nav"]["ok"], f"{where}: the navigation is not on one line: " + "; ".join(
            report["nav"]["problems"]
        )
    elif check == "words":
        assert report["broken_words"]["ok"], f"{where} breaks words: " + "; ".join(
            report["broken_words"]["words"]
        )
    elif check == "ids":
        assert report["raw_ids"]["ok"], f"{where} shows raw ids: " + ", ".join(report["raw_ids"]["found"])
    elif check == "json":
        assert report["json_paths"]["ok"], f"{where} shows JSON paths: " + ", ".join(
            report["json_paths"]["found"]
        )


def _text_of(browser: Browser, world: World, page: str, css: str) -> str:
    _sign_in(browser, world.sessions[page])
    browser.open(world.paths[page])
    return browser.text(css)


def test_the_staff_see_the_failed_import_and_route_and_the_deleted_base_by_its_name(world, page_browser):
    failed = _text_of(page_browser, world, "staff-overview", "table.failed-runs")

    imported, routed = world.failed["import"], world.failed["route"]
    assert f"Import #{imported.pk}" in failed and imported.error[:60] in failed
    assert f"Route #{routed.pk}" in failed and f"{routed.base_name} (base deleted)" in failed


def test_a_song_page_says_whether_its_analysis_read_the_lyrics_or_guessed(world, page_browser):
    analysis = 'section[aria-labelledby="analysis-heading"]'
    read = _text_of(page_browser, world, "song-analysed", analysis)
    guessed = _text_of(page_browser, world, "song-guess", analysis)

    assert "Guess" not in read and "Not analysed yet" not in read
    assert re.search(r"Confidence (8\d|9\d)%", read), read  # the sandbox reads lyrics at 0.8 to 0.95
    assert re.search(r"Confidence ([0-3]\d|\d)%", guessed), guessed  # and guesses at 0.35 or less
    assert "Guess Guessed from the genre (no lyrics found)." in guessed
    assert "Not judged: no lyrics" in guessed and "None claimed without lyrics" in guessed
    # Without lyrics nothing was rated: the page claims no rating (only Spotify's explicit flag
    # could give one), and the mood and energy read as the guesses they are.
    assert re.search(r"Content rating (Not judged: no lyrics|Spotify: explicit)\n", guessed), guessed
    assert not re.search(r"Content rating (Clean|Mild)", guessed), guessed
    assert re.search(r"Energy \d+ / 100 \(guess\)", guessed), guessed
