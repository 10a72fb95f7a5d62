"""The import runs' admin actions need sync.change_syncevent, as the other staff surfaces would:
staff who may only view the list get no retry and no cancel (Django offers an action without
declared permissions to anyone who may view)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.accounts.factories import SpotifyCredentialFactory
from tests.core.factories import StaffFactory
from tests.support.admin_actions import CANCEL, RETRY, RetryAndCancel, retry_and_cancel
from tests.sync.factories import SyncEventFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:sync_syncevent_changelist")


def _retry_and_cancel(client) -> RetryAndCancel:
    failed = SyncEventFactory(user=SpotifyCredentialFactory().user, failed=True)
    queued = SyncEventFactory(user=SpotifyCredentialFactory().user)
    return retry_and_cancel(client, CHANGELIST, failed=failed, queued=queued)


def test_staff_who_may_only_view_imports_can_neither_retry_nor_cancel_them(client, queue):
    client.force_login(StaffFactory(perms=["sync.view_syncevent"]))

    done = _retry_and_cancel(client)

    assert done == RetryAndCancel(offered=frozenset(), retried=False, queued_status="queued")


@pytest.mark.parametrize(
    "perms", [["sync.view_syncevent", "sync.change_syncevent"], None], ids=["staff", "super"]
)
def test_staff_with_the_change_permission_and_superusers_retry_and_cancel(client, queue, perms):
    client.force_login(StaffFactory(perms=perms) if perms else StaffFactory(is_superuser=True))

    done = _retry_and_cancel(client)

    assert done == RetryAndCancel(offered=frozenset({RETRY, CANCEL}), retried=True, queued_status="cancelled")
