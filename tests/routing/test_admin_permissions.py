"""The route runs' admin actions need routing.change_routerun: staff who may only view the list
get no retry and no cancel; with the permission (or as superusers) they get both."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.accounts.factories import SpotifyCredentialFactory
from tests.core.factories import StaffFactory
from tests.routing.factories import BasePlaylistFactory, RouteRunFactory
from tests.support.admin_actions import CANCEL, RETRY, RetryAndCancel, retry_and_cancel

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:routing_routerun_changelist")


def _retry_and_cancel(client) -> RetryAndCancel:
    failed = RouteRunFactory(base=BasePlaylistFactory(user=SpotifyCredentialFactory().user), failed=True)
    queued = RouteRunFactory(base=BasePlaylistFactory(user=SpotifyCredentialFactory().user))
    return retry_and_cancel(client, CHANGELIST, failed=failed, queued=queued)


def test_staff_who_may_only_view_route_runs_can_neither_retry_nor_cancel_them(client, queue):
    client.force_login(StaffFactory(perms=["routing.view_routerun"]))

    done = _retry_and_cancel(client)

    assert done == RetryAndCancel(offered=frozenset(), retried=False, queued_status="queued")


@pytest.mark.parametrize(
    "perms", [["routing.view_routerun", "routing.change_routerun"], None], ids=["staff", "super"]
)
def test_staff_with_the_change_permission_and_superusers_retry_and_cancel(client, queue, perms):
    client.force_login(StaffFactory(perms=perms) if perms else StaffFactory(is_superuser=True))

    done = _retry_and_cancel(client)

    assert done == RetryAndCancel(offered=frozenset({RETRY, CANCEL}), retried=True, queued_status="cancelled")
