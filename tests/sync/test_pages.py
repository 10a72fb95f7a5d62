"""The dashboard's import card, "Sync now" and "Retry": owner, stranger, anonymous.

Connected users' dashboards ask Spotify for a playlist count, so those use the sandbox.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.contrib.staticfiles import finders
from django.utils import timezone

from sync.models import SyncEvent
from core.runs import RunStatus
from tests.accounts.conftest import credential_from_sandbox
from tests.accounts.factories import UserFactory
from tests.sync.factories import SyncEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(sandbox):
    return credential_from_sandbox(sandbox).user


def _card(client) -> str:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    return page[page.index('id="import"') : page.index("</section>", page.index('id="import"'))]


# --- the card -----------------------------------------------------------------------------------
def test_a_listener_without_imports_sees_an_invitation_and_the_sync_now_button(client, owner):
    client.force_login(owner)

    card = _card(client)

    assert "has not been imported yet" in card
    assert 'action="/sync/import/"' in card and "Sync now" in card and "csrfmiddlewaretoken" in card
    assert "data-event-url" not in card  # nothing for the script to follow


def test_a_running_import_shows_a_progress_bar_and_what_the_script_polls(client, owner):
    event = SyncEventFactory(user=owner, running=True, playlists_total=12, playlists_done=3, items_done=450)
    client.force_login(owner)

    card = _card(client)

    assert f'data-event-url="/api/sync-events/{event.pk}/"' in card and 'data-status="running"' in card
    assert re.search(r'<progress data-role="bar" max="12"\s+value="3"\s*>', card)
    assert "Importing: 3 of 12 playlists, 450 items so far." in card
    assert (
        '<script src="/static/js/import-progress.js" defer></script>'
        in client.get("/dashboard/").content.decode()
    )


def test_an_import_paused_by_the_rate_limit_says_until_when(client, owner):
    resume_at = timezone.now() + timedelta(minutes=40)
    SyncEventFactory(user=owner, resume_at=resume_at)
    client.force_login(owner)

    card = _card(client)

    until = f"{timezone.localtime(resume_at):%Y-%m-%d %H:%M}"  # one word: no line break at its hyphens
    assert f'Paused by Spotify\'s rate limit until <span class="nowrap">{until} UTC</span>' in card
    assert "hidden>" in card  # the bar waits for the run to resume


def test_a_completed_import_shows_how_many_playlists_and_items_and_when(client, owner):
    event = SyncEventFactory(
        user=owner, completed=True, playlists_done=71, playlists_changed=3, items_done=512
    )
    client.force_login(owner)

    card = _card(client)

    when = f"{timezone.localtime(event.finished_at):%Y-%m-%d %H:%M}"
    completed = f'Completed <span class="nowrap">{when} UTC</span>'  # one word: no break at its hyphens
    assert f"{completed}: 71 playlists (68 unchanged), 512 items imported." in card
    assert 'data-role="retry" hidden' in card


def test_a_big_imports_counts_have_thousands_separators_like_the_rest_of_the_dashboard(client, owner):
    event = SyncEventFactory(
        user=owner, completed=True, playlists_done=1076, playlists_changed=76, items_done=12097
    )
    client.force_login(owner)

    card = _card(client)

    when = f"{timezone.localtime(event.finished_at):%Y-%m-%d %H:%M}"
    completed = f'Completed <span class="nowrap">{when} UTC</span>'
    assert f"{completed}: 1,076 playlists (1,000 unchanged), 12,097 items imported." in card


def test_a_failed_import_shows_the_reason_a_retry_button_and_the_last_good_import(client, owner):
    SyncEventFactory(user=owner, completed=True, playlists_done=70)
    failed = SyncEventFactory(user=owner, failed=True, error="The worker running this import stopped.")
    client.force_login(owner)

    card = _card(client)

    assert "The worker running this import stopped." in card
    assert f'action="/sync/events/{failed.pk}/retry/" data-role="retry" >' in card
    assert "Retry</button>" in card and "Last complete import" in card and "(70 playlists)" in card


def test_the_card_shows_only_the_listeners_own_imports(client, owner, sandbox):
    stranger = credential_from_sandbox(sandbox, user="other").user
    SyncEventFactory(user=stranger, failed=True, error="Stranger's failure")
    client.force_login(owner)

    card = _card(client)

    assert "Stranger" not in card and "has not been imported yet" in card


def test_the_dashboard_with_the_card_costs_a_bounded_number_of_queries(
    client, owner, django_assert_max_num_queries
):
    for _ in range(20):
        SyncEventFactory(user=owner, failed=True)
    SyncEventFactory(user=owner, running=True)
    client.force_login(owner)

    # Session, user, credential, API token, the probe's bookkeeping; the card adds two.
    with django_assert_max_num_queries(8):
        client.get("/dashboard/")


def test_the_progress_script_is_served_and_polls_the_sync_event_api():
    script = Path(finders.find("js/import-progress.js")).read_text()

    assert "card.dataset.eventUrl" in script and 'credentials: "same-origin"' in script
    assert "setTimeout(poll" in script


def test_the_cards_the_script_swaps_when_an_import_ends_are_on_the_page_in_its_order(client, owner):
    # The script refetches /dashboard/ when the run ends and swaps these ids, in this order, so
    # the Spotify counts and the What next card change without a reload (issue 17).
    script = Path(finders.find("js/import-progress.js")).read_text()
    swapped = re.search(r"var SWAPPED = \[([^\]]*)\]", script).group(1)
    ids = re.findall(r'"([^"]+)"', swapped)
    SyncEventFactory(user=owner, completed=True)
    client.force_login(owner)

    page = client.get("/dashboard/").content.decode()

    positions = [page.find(f'id="{card_id}"') for card_id in ids]
    assert ids == ["connection", "import", "next-steps"]
    assert -1 not in positions and positions == sorted(positions)


# --- "Sync now" -------------------------------------------------------------------------------------
def test_sync_now_queues_an_import_and_returns_to_the_dashboard(
    client, owner, queue, django_capture_on_commit_callbacks
):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sync/import/", follow=True)

    event = SyncEvent.objects.get(user=owner)
    assert response.redirect_chain == [("/dashboard/", 302)]
    assert (event.trigger, event.status) == ("button", "queued")
    assert queue.calls == [("sync.tasks.run_import", event.pk, 0)]
    # The card says so and follows the run; no flash that would still say "queued" once it is done.
    assert 'data-role="badge">Queued</span>' in response.content.decode()
    assert list(get_messages(response.wsgi_request)) == []
    assert 'class="messages"' not in response.content.decode()


def test_sync_now_while_an_import_runs_shows_that_one(client, owner, queue):
    running = SyncEventFactory(user=owner, running=True)
    client.force_login(owner)

    response = client.post("/sync/import/", follow=True)

    assert SyncEvent.objects.filter(user=owner).count() == 1
    assert f'data-event-url="/api/sync-events/{running.pk}/"' in response.content.decode()
    assert 'class="messages"' not in response.content.decode()


def test_sync_now_without_a_spotify_connection_explains_why(client, queue):
    client.force_login(UserFactory())

    response = client.post("/sync/import/")

    assert response.status_code == 302 and not SyncEvent.objects.exists()


def test_sync_now_is_post_only_and_needs_a_sign_in(client, queue):
    assert client.post("/sync/import/").status_code == 302
    assert client.post("/sync/import/")["Location"].startswith("/?next=")
    client.force_login(UserFactory())
    assert client.get("/sync/import/").status_code == 405
    assert not SyncEvent.objects.exists()


def test_sync_now_needs_the_csrf_token(owner, queue):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)

    assert strict.post("/sync/import/").status_code == 403


# --- "Retry" ----------------------------------------------------------------------------------------
def test_the_owner_retries_a_failed_import_from_the_page(
    client, owner, queue, django_capture_on_commit_callbacks
):
    failed = SyncEventFactory(user=owner, failed=True)
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sync/events/{failed.pk}/retry/", follow=True)

    retry = SyncEvent.objects.get(retry_of=failed)
    assert response.redirect_chain == [("/dashboard/", 302)]
    assert f'data-event-url="/api/sync-events/{retry.pk}/"' in response.content.decode()
    assert 'class="messages"' not in response.content.decode()  # the card shows the retry
    assert retry.trigger == "retry" and queue.calls == [("sync.tasks.run_import", retry.pk, 0)]


def test_retrying_a_completed_import_from_the_page_shows_why_not(client, owner, queue):
    completed = SyncEventFactory(user=owner, completed=True)
    client.force_login(owner)

    page = client.post(f"/sync/events/{completed.pk}/retry/", follow=True).content.decode()

    assert "only a failed or cancelled import can be retried" in page
    assert SyncEvent.objects.count() == 1


def test_a_stranger_cannot_retry_the_owners_import(client, owner, queue):
    failed = SyncEventFactory(user=owner, failed=True)
    client.force_login(UserFactory())

    assert client.post(f"/sync/events/{failed.pk}/retry/").status_code == 404
    assert SyncEvent.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in_instead_of_retrying(client, owner, queue):
    failed = SyncEventFactory(user=owner, failed=True)

    response = client.post(f"/sync/events/{failed.pk}/retry/")

    assert response.status_code == 302 and response["Location"].startswith("/?next=")
    assert SyncEvent.objects.get().status == RunStatus.FAILED
