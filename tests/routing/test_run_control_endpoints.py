"""Cancel, confirm, discard, restore and backups through the API and the pages: the owner
succeeds, a stranger gets 404, anonymous gets 401 (API) or the sign-in page; refusals are 409
(API) or a message (pages), and nothing changes."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.runs import RunStatus
from routing.models import RouteRun, RouteRunKind
from sync.models import SyncEvent
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.routing.factories import BasePlaylistFactory, ChildBackupFactory
from tests.sync.factories import SyncEventFactory
from tests.routing.factories import RouteRunFactory

pytestmark = pytest.mark.django_db

PENDING = {
    "confirmation": {
        "children": [
            {"child_id": 1, "spotify_id": "child1", "name": "Gym", "tracks_now": 30, "tracks_after": 0,
             "removed_rows": 30, "removals": ["spotify:track:gone"], "reason": "it would be emptied: all 30 of its tracks would be removed"}
        ],
        "asked_at": "2030-01-01T00:00:00+00:00",
    }
}  # fmt: skip


@pytest.fixture
def base():
    return BasePlaylistFactory(user=SpotifyCredentialFactory().user)


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def page_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def waiting(base) -> RouteRun:
    return RouteRunFactory(base=base,
        status=RunStatus.WAITING,
        details=PENDING,
    )


def finished_with_backup(base) -> RouteRun:
    return ChildBackupFactory(child__base=base).run


def run_url(base, run, action: str) -> str:
    return f"/api/base-playlists/{base.pk}/runs/{run.pk}/{action}"


def old_url(base, run, action: str) -> str:
    """The deprecated path from when route runs were sync events (the run's id is kept)."""
    return f"/api/sync-events/{run.pk}/{action}"


ACTIONS = {
    "cancel an import": (lambda base: SyncEventFactory(user=base.user), "cancel", old_url, 200, RunStatus.CANCELLED),
    "cancel a route": (lambda base: RouteRunFactory(base=base), "cancel", run_url, 200, RunStatus.CANCELLED),
    "confirm": (waiting, "confirm", run_url, 202, RunStatus.QUEUED),
    "discard": (waiting, "discard", run_url, 200, RunStatus.CANCELLED),
    "confirm (deprecated path)": (waiting, "confirm", old_url, 202, RunStatus.QUEUED),
    "discard (deprecated path)": (waiting, "discard", old_url, 200, RunStatus.CANCELLED),
}  # fmt: skip


@pytest.mark.parametrize("action", ACTIONS)
def test_the_owner_acts_on_a_run_a_stranger_gets_404_and_anonymous_401(base, queue, action):
    make, verb, url_of, code, after = ACTIONS[action]
    event = make(base)
    url = url_of(base, event, verb)

    assert api_as(None).post(url).status_code == 401
    assert api_as(UserFactory()).post(url).status_code == 404
    assert type(event).objects.get(pk=event.pk).status == event.status

    response = api_as(base.user).post(url)

    assert (response.status_code, response.json()["status"]) == (code, after)
    again = api_as(base.user).post(url)
    assert again.status_code == 409 and again.json()["detail"]


def test_a_route_waiting_shows_what_it_would_remove_with_names_in_the_api(base):
    event = waiting(base)
    body = api_as(base.user).get(run_url(base, event, "")).json()
    (child,) = body["route"]["confirmation"]["children"]
    assert child["removals"] == [{"uri": "spotify:track:gone", "name": "", "artists": ""}]
    assert body["status"] == "waiting" and "confirm or discard" in body["summary"]


@pytest.mark.parametrize("url_of", [run_url, old_url])
def test_restore_queues_a_restore_run_for_the_owner_only(base, queue, django_capture_on_commit_callbacks, url_of):
    event = finished_with_backup(base)
    url = url_of(base, event, "restore")
    assert api_as(None).post(url).status_code == 401
    assert api_as(UserFactory()).post(url).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(base.user).post(url)

    assert response.status_code == 202
    restore = RouteRun.objects.get(pk=response.json()["id"])
    assert (restore.kind, restore.restore_of, restore.base) == (RouteRunKind.RESTORE, event, base)
    assert queue.calls == [("routing.tasks.run_restore", restore.pk)]
    busy = api_as(base.user).post(url)
    assert busy.status_code == 409 and "restore once it has finished" in busy.json()["detail"]


def test_a_run_that_wrote_nothing_cannot_be_restored(base):
    event = RouteRunFactory(base=base, completed=True)
    response = api_as(base.user).post(run_url(base, event, "restore"))
    assert response.status_code == 409 and "nothing to undo" in response.json()["detail"]


def test_backups_are_listed_and_downloaded_by_their_owner_only(base):
    backup = ChildBackupFactory(child__base=base, uris=["spotify:track:one", "spotify:local:a:b:c:1"])
    listing, download = run_url(base, backup.run, "backups/"), f"/api/backups/{backup.pk}"
    for url in (listing, download, old_url(base, backup.run, "backups/")):
        assert api_as(None).get(url).status_code == 401
        assert api_as(UserFactory()).get(url).status_code == 404

    (row,) = api_as(base.user).get(listing).json()
    document = api_as(base.user).get(download).json()

    assert (row["tracks"], row["rows"], row["download_url"]) == (1, 2, download)
    assert [r["uri"] for r in document["rows"]] == ["spotify:track:one", "spotify:local:a:b:c:1"]


# --- the pages ------------------------------------------------------------------------------------
def test_the_base_page_shows_a_waiting_route_with_confirm_and_discard(base):
    event = waiting(base)
    page = page_as(base.user).get(f"/routing/{base.pk}/").content.decode()
    made = timezone.localtime(event.created_at)
    assert f'{made.day} {made:%b %Y, %H:%M}</time> needs your confirmation' in page
    assert "it would be emptied: all 30 of its tracks would be removed" in page
    assert (
        f'action="/routing/runs/{event.pk}/confirm/"' in page
        and f'action="/routing/runs/{event.pk}/discard/"' in page
    )


@pytest.mark.parametrize("action", ["confirm", "discard"])
def test_confirm_and_discard_pages_answer_the_owner_and_404_a_stranger(base, queue, action):
    event = waiting(base)
    url = f"/routing/runs/{event.pk}/{action}/"
    assert page_as(None).post(url).status_code == 302 and RouteRun.objects.get(pk=event.pk).is_active
    assert page_as(UserFactory()).post(url).status_code == 404

    response = page_as(base.user).post(url, follow=True)

    assert response.redirect_chain[-1][0] == f"/routing/{base.pk}/"
    expected = RunStatus.QUEUED if action == "confirm" else RunStatus.CANCELLED
    assert RouteRun.objects.get(pk=event.pk).status == expected


def test_the_restore_page_lists_each_child_and_its_backup_then_queues_the_restore(base, queue):
    event = finished_with_backup(base)
    url = f"/routing/runs/{event.pk}/restore/"
    assert page_as(UserFactory()).get(url).status_code == 404
    assert page_as(None).get(url).status_code == 302

    shown = page_as(base.user).get(url).content.decode()
    done = page_as(base.user).post(url, follow=True)

    backup = event.backups.get()
    assert f"<strong>{backup.name}</strong>: 1 track" in shown and f"/api/backups/{backup.pk}" in shown
    restore = RouteRun.objects.get(kind=RouteRunKind.RESTORE, restore_of=event)
    made = timezone.localtime(event.created_at)
    at = f"{made.day} {made:%b %Y, %H:%M}"
    assert "Restore the children to before the route of <time" in shown and f"{at}</time>?</h1>" in shown
    assert (
        f"Undo of the route of {at}: the children go back to what they held before it"
        in html.unescape(done.content.decode())
    )
    assert RouteRun.objects.filter(kind=RouteRunKind.RESTORE, restore_of=event).count() == 1


def test_the_base_page_offers_restore_on_finished_runs_that_wrote_and_download_links(base):
    event = finished_with_backup(base)
    page = page_as(base.user).get(f"/routing/{base.pk}/").content.decode()
    assert f'href="/routing/runs/{event.pk}/restore/"' in page
    assert f'href="/api/backups/{event.backups.get().pk}"' in page


def test_a_queued_import_can_be_cancelled_from_the_dashboard(base):
    event = SyncEventFactory(user=base.user)
    assert page_as(UserFactory()).post(f"/sync/events/{event.pk}/cancel/").status_code == 404
    dashboard = page_as(base.user).get("/dashboard/").content.decode()
    assert f'action="/sync/events/{event.pk}/cancel/"' in dashboard

    page_as(base.user).post(f"/sync/events/{event.pk}/cancel/")

    assert SyncEvent.objects.get(pk=event.pk).status == RunStatus.CANCELLED


def test_a_queued_route_can_be_cancelled_from_its_base_page(base, queue):
    run = RouteRunFactory(base=base)
    url = f"/routing/runs/{run.pk}/cancel/"
    assert page_as(UserFactory()).post(url).status_code == 404
    assert f'action="{url}"' in page_as(base.user).get(f"/routing/{base.pk}/").content.decode()

    done = page_as(base.user).post(url, follow=True)

    assert done.redirect_chain[-1][0] == f"/routing/{base.pk}/" and "cancelled" in done.content.decode()
    assert RouteRun.objects.get(pk=run.pk).status == RunStatus.CANCELLED


def test_previewing_a_base_whose_playlist_is_gone_is_a_409_saying_why(base):
    base.playlist.delete()
    base.refresh_from_db()
    response = api_as(base.user).post(
        f"/api/base-playlists/{base.pk}/preview", {"read_children": False}, format="json"
    )
    assert response.status_code == 409 and "no longer in your Spotify library" in response.json()["detail"]
