"""/staff/: the LLM router and the jobs of the last day, for staff holding the admin's view
permissions (the page: job records; its cards: providers, Spotify pauses); and the job records admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from routing.models import RouteRun
from routing.services.setup import delete_base
from tests.routing.factories import BasePlaylistFactory, RouteRunFactory
from tests.sync.factories import SyncEventFactory

from tests.core.factories import JobRecordFactory, StaffFactory
from tests.accounts.factories import UserFactory
from tests.llm.factories import ProviderFactory, ProviderHealthFactory

pytestmark = pytest.mark.django_db
PAGE = "/staff/"


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def listener():
    return UserFactory()


def test_staff_see_a_failed_job_of_the_last_day_with_its_user_error_and_duration_but_not_older_ones(
    client, staff
):
    owner = UserFactory(display_name="Marta")
    JobRecordFactory(failed=True, user=owner, label="Route", ago=timedelta(hours=3), error="Playlist gone")
    JobRecordFactory(failed=True, label="Weekly summaries", ago=timedelta(hours=25), error="LLM down")
    client.force_login(staff)

    response = client.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    failed = html.split('id="failed-heading"')[1].split("</section>")[0]
    assert "Route" in failed and "Marta" in failed and "Playlist gone" in failed and "2.0 s" in failed
    assert "Weekly summaries" not in failed and "LLM down" not in html


def test_the_failed_job_shows_its_message_not_its_traceback(client, staff):
    JobRecordFactory(failed=True)
    client.force_login(staff)

    html = client.get(PAGE).content.decode()

    assert "Spotify answered 502" in html and "Traceback" not in html


def test_staff_see_counts_of_the_day_and_the_jobs_running_or_waiting(client, staff):
    JobRecordFactory.create_batch(2)
    JobRecordFactory(failed=True)
    JobRecordFactory(ago=timedelta(days=2))  # not today's
    JobRecordFactory(running=True, label="Song analysis batch")
    JobRecordFactory(queued=True, label="Listening ingest", scheduled=True)
    client.force_login(staff)

    html = client.get(PAGE).content.decode()

    assert "succeeded: 2" in html and "failed: 1" in html and "running: 1" in html and "queued: 1" in html
    active = html.split('id="active-heading"')[1].split("</section>")[0]
    assert "Song analysis batch" in active and "Listening ingest" in active and "scheduled" in active
    # Every table in the house style (table.list), not the browser's bare one.
    assert re.findall(r"<table[^>]*>", html) == [
        '<table class="list clusters stacked">', '<table class="list failed-jobs stacked">', '<table class="list active-jobs stacked">'
    ]


def test_staff_see_the_llm_router_and_a_link_to_its_page(client, staff):
    ProviderHealthFactory(provider=ProviderFactory(name="primary"), down=True)
    ProviderFactory(name="fallback", kind="ollama")
    client.force_login(staff)

    html = client.get(PAGE).content.decode()

    assert "Next request goes to <strong>fallback</strong>" in html and "down until" in html
    assert 'href="/staff/llm/"' in html


def test_a_listener_who_is_not_staff_gets_404(client, listener):
    client.force_login(listener)

    assert client.get(PAGE).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302 and response["Location"] == f"/?next={PAGE}"


def test_staff_find_the_page_in_the_navigation_and_listeners_do_not(client, staff, listener):
    client.force_login(staff)
    assert f'href="{PAGE}"' in client.get("/library/").content.decode()

    client.force_login(listener)
    assert f'href="{PAGE}"' not in client.get("/library/").content.decode()


# --- the admin -------------------------------------------------------------------------------------------
ADMIN = "/admin/core/jobrecord/"


def test_the_admin_filters_jobs_failed_in_the_last_day(client, staff):
    recent = JobRecordFactory(failed=True, label="Route", ago=timedelta(hours=2))
    old = JobRecordFactory(failed=True, label="Route", ago=timedelta(days=2))
    succeeded = JobRecordFactory(label="Route")
    client.force_login(staff)

    html = client.get(ADMIN, {"failed": "day"}).content.decode()

    assert recent.task_id in html and old.task_id not in html and succeeded.task_id not in html


def test_the_admin_finds_a_job_by_task_id_or_username_and_cannot_change_it(client, staff):
    wanted = JobRecordFactory(user=UserFactory(username="marta"))
    other = JobRecordFactory()
    client.force_login(staff)

    by_user = client.get(ADMIN, {"q": "marta"}).content.decode()
    by_id = client.get(ADMIN, {"q": wanted.task_id}).content.decode()

    assert wanted.task_id in by_user and other.task_id not in by_user
    assert wanted.task_id in by_id and other.task_id not in by_id
    assert client.get(f"{ADMIN}add/").status_code == 403
    detail = client.get(f"{ADMIN}{wanted.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()


def test_listeners_cannot_open_the_job_records_admin(client, listener):
    client.force_login(listener)

    assert client.get(ADMIN).status_code == 302  # to the admin's sign-in


def test_staff_see_spotifys_pause_with_who_met_it_and_a_way_to_lift_it(client, staff):
    from django.utils import timezone

    from tests.accounts.factories import SpotifyPauseFactory

    client.force_login(staff)
    assert 'id="spotify-pause"' not in client.get(PAGE).content.decode()
    SpotifyPauseFactory(until=timezone.now() + timedelta(hours=14), user=UserFactory(display_name="Marta"))

    html = client.get(PAGE).content.decode()

    pause = html.split('id="spotify-pause"')[1].split("</section>")[0]
    assert "quota exceeded" in pause and "Marta" in pause and "Retry-After 3600 s" in pause
    assert "/admin/accounts/spotifypause/" in pause


def test_staff_see_both_clusters_with_their_heartbeat_backlog_workers_and_time_limit(client, staff):
    from django.core.cache import cache
    from django.utils import timezone

    from core.queues import BULK, INTERACTIVE, cluster_name, enqueue
    from core.tasks import heartbeat_key
    from django_q.brokers import get_broker

    for queue in (INTERACTIVE, BULK):
        get_broker(cluster_name(queue)).purge_queue()
    cache.set(heartbeat_key(INTERACTIVE), (timezone.now() - timedelta(minutes=3)).isoformat())
    cache.delete(heartbeat_key(BULK))
    for _ in range(3):
        enqueue("core.tasks.cluster_heartbeat", queue=BULK)
    client.force_login(staff)

    html = client.get(PAGE).content.decode()

    card = html.split('id="clusters"')[1].split("</section>")[0]
    interactive, bulk = card.split("<tbody>")[1].split("</tr>")[:2]
    assert "linernotes-test</code>" in interactive and "3\xa0minutes ago" in interactive
    assert '<td data-label="Waiting in queue">0</td>' in interactive and '<td data-label="Time limit">600 s</td>' in interactive
    assert "linernotes-test-bulk</code>" in bulk and "never seen" in bulk
    assert '<td data-label="Waiting in queue">3</td>' in bulk and '<td data-label="Time limit">900 s</td>' in bulk
    get_broker(cluster_name(BULK)).purge_queue()
    cache.delete(heartbeat_key(INTERACTIVE))


def test_the_django_q_admin_links_are_shown_to_superusers_only(client, staff):
    # Staff who may read the job records, without superuser rights: Django-Q2's admin is 403.
    operator = StaffFactory(perms=["core.view_jobrecord"])
    client.force_login(operator)
    operator_html = client.get(PAGE).content.decode()
    client.force_login(staff)
    superuser_html = client.get(PAGE).content.decode()

    assert "/admin/django_q/schedule/" not in operator_html and "/admin/core/jobrecord/" in operator_html
    assert "/admin/django_q/schedule/" in superuser_html and "/admin/django_q/failure/" in superuser_html


# --- who may see what: the admin's view permissions ---------------------------------------------------


def test_staff_without_the_job_records_view_permission_get_403_and_no_link(client):
    client.force_login(StaffFactory(perms=["llm.view_provider"]))

    assert client.get(PAGE).status_code == 403
    assert f'href="{PAGE}"' not in client.get("/library/").content.decode()


def test_the_router_and_the_pause_show_only_to_staff_who_may_view_them(client):
    from django.utils import timezone

    from tests.accounts.factories import SpotifyPauseFactory

    ProviderFactory(name="primary")
    SpotifyPauseFactory(until=timezone.now() + timedelta(hours=1))
    client.force_login(StaffFactory(perms=["core.view_jobrecord"]))

    response = client.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200 and "Tasks that failed, last 24 hours" in html
    assert 'id="router-heading"' not in html and 'id="spotify-pause"' not in html

    client.force_login(
        StaffFactory(perms=["core.view_jobrecord", "llm.view_provider", "accounts.view_spotifypause"])
    )
    html = client.get(PAGE).content.decode()
    assert 'id="router-heading"' in html and 'id="spotify-pause"' in html


def test_staff_see_failed_imports_and_routes_whose_tasks_ended_cleanly(client, staff):
    """The run records the failure; its task succeeded, so no job record says so."""
    owner = UserFactory(display_name="Marta")
    JobRecordFactory(user=owner, label="Import")  # the task: succeeded
    SyncEventFactory(failed=True, user=owner, error="Spotify refused the stored grant.")
    route = RouteRunFactory(failed=True, base=BasePlaylistFactory(user=owner, name="Road trip"))
    old = RouteRunFactory(failed=True, error="An old failure")
    RouteRun.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    client.force_login(staff)

    html = client.get(PAGE).content.decode()

    runs = html.split('id="failed-runs-heading"')[1].split("</section>")[0]
    assert "Import #" in runs and "Spotify refused the stored grant." in runs and "Marta" in runs
    assert f"Route #{route.pk}" in runs and "Road trip" in runs and "HTTP 502" in runs
    assert f"/admin/routing/routerun/{route.pk}/change/" in runs
    assert "An old failure" not in html
    assert "No task failed in the last 24 hours" in html  # the tasks themselves did not fail


def test_a_deleted_base_keeps_its_runs_named_in_the_audit_trail(client, staff):
    base = BasePlaylistFactory(name="Road trip")
    route = RouteRunFactory(failed=True, base=base)
    delete_base(base=base)
    client.force_login(staff)

    route.refresh_from_db()
    assert route.base_id is None and route.base_label == "Road trip (base deleted)"
    runs = client.get(PAGE).content.decode().split('id="failed-runs-heading"')[1].split("</section>")[0]
    assert "Road trip (base deleted)" in runs
    listing = client.get("/admin/routing/routerun/", {"q": "Road trip"}).content.decode()
    assert "Road trip (base deleted)" in listing and f"/admin/routing/routerun/{route.pk}/change/" in listing
