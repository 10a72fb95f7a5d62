"""Route runs on core.runs' lifecycle: a stuck or orphaned route is failed and frees its base; the
one-sentence summaries; the admin's retry and cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.signals import post_spawn

from core import recovery
from core.runs import RunStatus
from core.workers import this_host
from routing import tasks
from routing.display import describe_run
from routing.models import RouteRun, RouteRunKind
from routing.services.setup import BaseBusy, update_base_options
from routing.services.triggers import retry_route
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.routing.factories import BasePlaylistFactory
from tests.routing.factories import RouteRunFactory
from tests.support.processes import dead_pid

pytestmark = pytest.mark.django_db


# --- stuck and orphaned routes are failed, which also lifts the lock on their base's set-up -------
@pytest.mark.parametrize("how", ["stalled", "dead worker"])
def test_a_stuck_route_is_failed_and_its_base_can_be_edited_and_routed_again(how, queue):
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)
    if how == "stalled":
        silent = timezone.now() - recovery.stall_after(RouteRun) - timedelta(minutes=1)
        stuck = RouteRunFactory(base=base, running=True, heartbeat_at=silent)
    else:
        stuck = RouteRunFactory(base=base, running=True, claimed_by=f"{this_host()}:{dead_pid()}")
    with pytest.raises(BaseBusy):
        update_base_options(base=base, first_match_only=True)

    if how == "stalled":
        assert tasks.recover_route_runs() == "1 stuck route run(s) failed, 0 lost one(s) enqueued again"
    else:
        post_spawn.send(sender="django_q", proc_name="Process-test")  # a worker spawns

    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and "Retry to continue" in stuck.error
    assert update_base_options(base=base, first_match_only=True).first_match_only is True
    assert retry_route(event=stuck).retry_of_id == stuck.pk


# --- in words ------------------------------------------------------------------------------------------
def test_a_route_is_described_in_child_playlists_and_tracks():
    planning = RouteRunFactory(running=True, children_total=0, children_done=0)
    running = RouteRunFactory(running=True, children_total=3, children_done=1, tracks=420)
    done = RouteRunFactory(
        completed=True, children_total=2, children_done=2, tracks=420,
        details={"writes": {"a": {"added": 30, "removed": 2}, "b": {"added": 5, "removed": 0}}},
    )  # fmt: skip

    assert describe_run(planning) == "Routing: reading the base playlist and the children's filters…"
    assert describe_run(running) == "Routing 420 tracks: 1 of 3 child playlists done."
    assert describe_run(done).startswith("Completed ")
    assert describe_run(done).endswith(": 420 tracks routed into 2 child playlists; 35 added, 2 removed.")
    assert describe_run(RouteRunFactory()).startswith("Queued")


# --- the admin -----------------------------------------------------------------------------------------
@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_retries_failed_routes_and_cancels_queued_ones(
    staff_client, queue, django_capture_on_commit_callbacks
):
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)
    failed = RouteRunFactory(base=base, failed=True)
    url = reverse("admin:routing_routerun_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url, {"action": "retry_selected", "_selected_action": [failed.pk]}, follow=True
        )

    retry = RouteRun.objects.get(retry_of=failed)
    assert (retry.kind, retry.base_id) == (RouteRunKind.ROUTE, base.pk)
    assert f"Retrying #{failed.pk} → #{retry.pk}." in response.content.decode()
    assert queue.calls == [("routing.tasks.run_route", retry.pk)]

    staff_client.post(url, {"action": "cancel_selected", "_selected_action": [retry.pk]})

    retry.refresh_from_db()
    assert retry.status == RunStatus.CANCELLED and retry.details["cancelled_by"].startswith("staff")
    assert staff_client.get(url).status_code == 200
