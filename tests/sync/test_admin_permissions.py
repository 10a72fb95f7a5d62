"""The import runs' admin actions need sync.change_syncevent, as the other staff surfaces would:
staff who may only view the list get no retry and no cancel (Django offers an action without
declared permissions to anyone who may view)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sync.models import SyncEvent
from tests.accounts.factories import SpotifyCredentialFactory
from tests.core.factories import StaffFactory
from tests.sync.factories import SyncEventFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:sync_syncevent_changelist")


def _act(client, action: str, event: SyncEvent):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [event.pk]}, follow=True)


def test_staff_who_may_only_view_imports_can_neither_retry_nor_cancel_them(client, queue):
    failed = SyncEventFactory(user=SpotifyCredentialFactory().user, failed=True)
    queued = SyncEventFactory(user=SpotifyCredentialFactory().user)
    client.force_login(StaffFactory(perms=["sync.view_syncevent"]))

    listing = client.get(CHANGELIST).content.decode()
    _act(client, "retry_selected", failed)
    _act(client, "cancel_selected", queued)

    assert 'value="retry_selected"' not in listing and 'value="cancel_selected"' not in listing
    assert not SyncEvent.objects.filter(retry_of=failed).exists()
    assert SyncEvent.objects.get(pk=queued.pk).status == "queued"


@pytest.mark.parametrize(
    "perms", [["sync.view_syncevent", "sync.change_syncevent"], None], ids=["staff", "super"]
)
def test_staff_with_the_change_permission_and_superusers_retry_and_cancel(client, queue, perms):
    failed = SyncEventFactory(user=SpotifyCredentialFactory().user, failed=True)
    queued = SyncEventFactory(user=SpotifyCredentialFactory().user)
    user = StaffFactory(perms=perms) if perms else StaffFactory(is_superuser=True)
    client.force_login(user)

    _act(client, "retry_selected", failed)
    _act(client, "cancel_selected", queued)

    assert SyncEvent.objects.filter(retry_of=failed).exists()
    assert SyncEvent.objects.get(pk=queued.pk).status == "cancelled"
