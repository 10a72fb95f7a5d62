"""The route runs' admin actions need routing.change_routerun: staff who may only view the list
get no retry and no cancel; with the permission (or as superusers) they get both."""

from __future__ import annotations

import pytest
from django.urls import reverse

from routing.models import RouteRun
from tests.accounts.factories import SpotifyCredentialFactory
from tests.core.factories import StaffFactory
from tests.routing.factories import BasePlaylistFactory, RouteRunFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:routing_routerun_changelist")


def _runs() -> tuple[RouteRun, RouteRun]:
    failed = RouteRunFactory(base=BasePlaylistFactory(user=SpotifyCredentialFactory().user), failed=True)
    queued = RouteRunFactory(base=BasePlaylistFactory(user=SpotifyCredentialFactory().user))
    return failed, queued


def _act(client, action: str, run: RouteRun):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [run.pk]}, follow=True)


def test_staff_who_may_only_view_route_runs_can_neither_retry_nor_cancel_them(client, queue):
    failed, queued = _runs()
    client.force_login(StaffFactory(perms=["routing.view_routerun"]))

    listing = client.get(CHANGELIST).content.decode()
    _act(client, "retry_selected", failed)
    _act(client, "cancel_selected", queued)

    assert 'value="retry_selected"' not in listing and 'value="cancel_selected"' not in listing
    assert not RouteRun.objects.filter(retry_of=failed).exists()
    assert RouteRun.objects.get(pk=queued.pk).status == "queued"


@pytest.mark.parametrize(
    "perms", [["routing.view_routerun", "routing.change_routerun"], None], ids=["staff", "super"]
)
def test_staff_with_the_change_permission_and_superusers_retry_and_cancel(client, queue, perms):
    failed, queued = _runs()
    client.force_login(StaffFactory(perms=perms) if perms else StaffFactory(is_superuser=True))

    _act(client, "retry_selected", failed)
    _act(client, "cancel_selected", queued)

    assert RouteRun.objects.filter(retry_of=failed).exists()
    assert RouteRun.objects.get(pk=queued.pk).status == "cancelled"
