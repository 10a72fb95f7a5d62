"""Smart-playlist pages: who may open each page and use each action (owner, stranger, anonymous),
the 409 every set-up change answers while a route of the base is queued or running, and the
Sync and Retry buttons. What the pages show: test_routing_base_pages.py, test_routing_editor_pages.py."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from routing.models import BasePlaylist, ChildPlaylist, RouteRunKind
from routing.models import RouteRun
from core.runs import RunStatus
from tests.accounts.conftest import credential_from_sandbox, sandbox_count
from tests.accounts.factories import SpotifyCredentialFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.routing.routing_pages_support import (
    ACTIONS,
    PROTECTED,
    page_text,
    perform,
    route_event,
    Setup,
    make_setup,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> Setup:
    return make_setup()


GETS = [name for name, (method, _, _) in ACTIONS.items() if method == "get"]
# Every action but creating a child on Spotify (test_a_new_child_is_created_on_spotify… does).
OWNER_ACTIONS = [name for name in ACTIONS if name != "new child"]
# Actions on one object of the listener's (the overview and "make base" name none).
ON_AN_OBJECT = [name for name in ACTIONS if name not in ("overview", "make base")]


# --- owner, stranger, anonymous -----------------------------------------------------------------
@pytest.mark.parametrize("action", OWNER_ACTIONS)
def test_the_owner_can_open_every_page_and_use_every_action(client, setup, queue, action):
    client.force_login(setup.listener)

    response = perform(client, action, setup.ids())

    assert response.status_code == (200 if action in GETS else 302), page_text(response)


@pytest.mark.parametrize("action", ON_AN_OBJECT)
def test_a_stranger_gets_404_and_changes_nothing(client, setup, queue, action):
    client.force_login(SpotifyCredentialFactory().user)
    before = snapshot(setup.base)

    response = perform(client, action, setup.ids())

    assert response.status_code == 404
    assert snapshot(setup.base) == before and queue.calls == []


def test_a_strangers_overview_shows_nothing_of_the_owners(client, setup):
    client.force_login(SpotifyCredentialFactory().user)

    page = page_text(client.get("/routing/"))

    assert "Everything" not in page and "Chill" not in page and "Road trip" not in page
    assert "You have no base playlists yet" in page


def test_a_stranger_cannot_make_a_base_of_the_owners_playlist(client, setup):
    stranger = SpotifyCredentialFactory().user
    client.force_login(stranger)

    response = perform(client, "make base", setup.ids())

    assert response.status_code == 400 and "Select a valid choice" in page_text(response)
    assert not BasePlaylist.objects.filter(user=stranger).exists()
    assert not BasePlaylist.objects.filter(playlist=setup.candidate).exists()


@pytest.mark.parametrize("action", list(ACTIONS))
def test_anonymous_visitors_are_sent_to_sign_in(client, setup, action):
    before = snapshot(setup.base)

    response = perform(client, action, setup.ids())

    assert response.status_code == 302 and response["Location"].startswith("/?next=/routing/")
    assert snapshot(setup.base) == before


def test_the_navigation_links_to_smart_playlists(client, setup):
    client.force_login(setup.listener)

    assert '<a href="/routing/">Smart playlists</a>' in client.get("/library/").content.decode()


# --- 409 while a route runs -----------------------------------------------------------------------
@pytest.mark.parametrize("status", [RunStatus.QUEUED, RunStatus.RUNNING])
@pytest.mark.parametrize("action", PROTECTED)
def test_a_set_up_change_while_the_base_routes_answers_409_changes_nothing_and_works_after(
    client, setup, queue, action, status
):
    active = route_event(setup.base, status)
    client.force_login(setup.listener)
    before = snapshot(setup.base)

    response = perform(client, action, setup.ids())

    assert response.status_code == 409
    page = page_text(response)
    at = timezone.localtime(active.created_at)
    assert f"“Everything” is being routed right now (the route of {at.day} {at:%b %Y, %H:%M}" in page
    assert "Wait for it to finish, then try again." in page
    assert snapshot(setup.base) == before
    if action == "new child":
        return  # after the route it calls Spotify: test_a_new_child_is_created_on_spotify…
    RouteRun.objects.filter(pk=active.pk).update(status=RunStatus.SUCCEEDED)
    assert perform(client, action, setup.ids()).status_code == 302
    assert snapshot(setup.base) != before


def test_the_409_page_keeps_what_the_listener_typed(client, setup):
    route_event(setup.base, RunStatus.RUNNING)
    client.force_login(setup.listener)

    page = page_text(perform(client, "save child", setup.ids()))

    assert 'value="Chill out"' in page and '"field": "explicit"' in page  # the draft, not the saved child


def test_while_the_base_routes_its_edit_actions_are_disabled_and_say_why(client, setup):
    route_event(setup.base, RunStatus.RUNNING, children_total=2, children_done=1)
    client.force_login(setup.listener)

    page = page_text(client.get(f"/routing/{setup.base.pk}/"))

    # Each disabled control points at a visible reason (aria-describedby), not only a title.
    busy = 'data-busy-reason="busy-note" disabled aria-describedby="busy-note"'
    assert page.count(f"<fieldset data-edit {busy}>") == 2  # add a child, options
    # The children's buttons: one reason, shown above their table.
    locked = 'data-busy-reason="children-busy-note" disabled aria-describedby="children-busy-note"'
    for arrow in ('aria-label="Move Chill down"', 'aria-label="Move Loud up"'):
        assert 'disabled aria-describedby="children-busy-note"' in button(page, arrow)
    assert f"{locked}>Detach</button>" in page
    assert page.count(">Detach</button>") == page.count(f"{locked}>Detach</button>") == 2
    assert re.search(
        r'data-role="busy-note" id="children-busy-note"\s*>Order and detach are locked while a route runs\.</p>', page
    )
    assert re.search(r'data-role="busy-note" id="busy-note"\s*>Changes to this set-up wait', page)
    assert 'aria-disabled="true" aria-describedby="delete-busy-note">Stop routing this playlist…' in page
    assert re.search(
        r'id="delete-busy-note"\s*>You can stop routing it once the route has finished\.</span>', page
    )


def test_when_no_route_runs_no_reason_is_shown_or_pointed_at(client, setup):
    client.force_login(setup.listener)

    page = page_text(client.get(f"/routing/{setup.base.pk}/"))

    assert not re.search(r'aria-describedby="[a-z-]*busy-note"', page)
    for note in ("busy-note", "children-busy-note", "delete-busy-note"):
        assert re.search(rf'id="{note}" hidden>', page)
    # Nowhere to move: the first row has no ↑ and the last no ↓, rather than a greyed one.
    assert 'aria-label="Move Chill up' not in page and 'aria-label="Move Loud down' not in page
    assert not re.search(r"<button[^>]* disabled", page)
    assert "disabled" not in button(page, 'aria-label="Move Chill down"')
    assert "disabled" not in button(page, 'aria-label="Move Loud up"')


def button(page: str, attribute: str) -> str:
    """The opening tag of the one button with this attribute."""
    (tag,) = re.findall(rf"<button[^>]*{re.escape(attribute)}[^>]*>", page)
    return tag


# --- Sync and Retry -------------------------------------------------------------------------------
def test_sync_queues_exactly_one_route_and_a_second_press_shows_the_active_one(
    client, setup, queue, django_capture_on_commit_callbacks
):
    client.force_login(setup.listener)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/routing/{setup.base.pk}/route/", follow=True)

    event = RouteRun.objects.get(kind=RouteRunKind.ROUTE, base=setup.base, status=RunStatus.QUEUED)
    assert response.redirect_chain == [(f"/routing/{setup.base.pk}/", 302)]
    assert (event.trigger, event.user) == ("button", setup.listener)
    assert queue.calls == [("routing.tasks.run_route", event.pk)]
    page = page_text(response)
    # The route status says it is queued and follows it; no flash that would still say so after.
    assert 'data-active="true"' in page and 'class="messages"' not in page
    assert "Queued: it starts as soon as a worker is free." in page

    with django_capture_on_commit_callbacks(execute=True):
        again = page_text(client.post(f"/routing/{setup.base.pk}/route/", follow=True))

    assert 'data-active="true"' in again and 'class="messages"' not in again
    assert RouteRun.objects.filter(base=setup.base, status=RunStatus.QUEUED).count() == 1
    assert queue.calls == [("routing.tasks.run_route", event.pk)]


def test_sync_from_the_overview_returns_there_but_never_to_another_site(client, setup, queue):
    client.force_login(setup.listener)
    url = f"/routing/{setup.base.pk}/route/"

    assert client.post(url, {"next": "/routing/"})["Location"] == "/routing/"
    assert client.post(url, {"next": "https://evil.example/"})["Location"] == f"/routing/{setup.base.pk}/"


def test_sync_without_a_spotify_connection_says_what_to_do(client, queue):
    base = BasePlaylistFactory()  # its user never connected Spotify
    ChildPlaylistFactory(base=base)
    client.force_login(base.user)

    page = page_text(client.post(f"/routing/{base.pk}/route/", follow=True))

    assert "Connect Spotify first" in page and not RouteRun.objects.exists() and queue.calls == []


def test_retry_on_a_failed_route_queues_a_retry_of_it_once(
    client, setup, queue, django_capture_on_commit_callbacks
):
    client.force_login(setup.listener)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/routing/runs/{setup.failed.pk}/retry/", follow=True)

    retry = RouteRun.objects.get(retry_of=setup.failed)
    assert response.redirect_chain == [(f"/routing/{setup.base.pk}/", 302)]
    assert (retry.kind, retry.base, retry.trigger, retry.status) == ("route", setup.base, "retry", "queued")
    assert queue.calls == [("routing.tasks.run_route", retry.pk)]
    made = timezone.localtime(setup.failed.created_at)
    assert f"Retry of the route of {made.day} {made:%b %Y, %H:%M}: it reads every child again" in page_text(
        response
    )

    RouteRun.objects.filter(pk=retry.pk).update(status=RunStatus.SUCCEEDED)
    again = page_text(client.post(f"/routing/runs/{setup.failed.pk}/retry/", follow=True))

    retried = timezone.localtime(retry.created_at)
    assert f"was already retried as the route of {retried.day} {retried:%b %Y, %H:%M}" in again
    assert RouteRun.objects.filter(retry_of=setup.failed).count() == 1


def test_retry_is_refused_for_a_completed_route_and_unknown_for_what_is_no_route_run(client, setup, queue):
    completed = route_event(setup.base, RunStatus.SUCCEEDED)
    client.force_login(setup.listener)
    no_route_run = RouteRun.objects.order_by("-pk").first().pk + 1  # imports are sync events, not runs here

    page = page_text(client.post(f"/routing/runs/{completed.pk}/retry/", follow=True))

    assert "only a failed or cancelled route can be retried" in page
    assert client.post(f"/routing/runs/{no_route_run}/retry/").status_code == 404
    assert queue.calls == []


# --- a new child on Spotify (the sandbox) -----------------------------------------------------------
def test_a_new_child_is_created_on_spotify_attached_and_opened_in_the_editor(client, sandbox):
    listener = credential_from_sandbox(sandbox).user
    base = BasePlaylistFactory(user=listener, playlist__owner_spotify_id="demo")
    route_event(base, RunStatus.SUCCEEDED)  # the route the 409 test waited for has finished
    client.force_login(listener)

    response = client.post(
        f"/routing/{base.pk}/children/new/",
        {"playlist": "", "new_name": "  Fresh   finds ", "mode": "add_only"},
    )

    child = ChildPlaylist.objects.get(base=base)
    assert response.status_code == 302 and response["Location"] == f"/routing/children/{child.pk}/"
    assert (child.name, child.mode, child.filters) == (
        "Fresh finds",
        "add_only",
        {"match": "all", "conditions": []},
    )
    assert sandbox_count(sandbox, "POST /v1/me/playlists") == 1 and child.spotify_id
