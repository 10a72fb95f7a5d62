"""The accounts admin's actions (mark reconnect needed, lift a Spotify pause) need the model's
change permission: staff who may only view the lists do not get them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import SpotifyCredential, SpotifyPause
from tests.accounts.factories import SpotifyCredentialFactory, SpotifyPauseFactory
from tests.core.factories import StaffFactory

pytestmark = pytest.mark.django_db
CREDENTIALS = reverse("admin:accounts_spotifycredential_changelist")
PAUSES = reverse("admin:accounts_spotifypause_changelist")


def test_staff_who_may_only_view_cannot_mark_a_reconnect_or_lift_a_pause(client):
    credential, pause = SpotifyCredentialFactory(), SpotifyPauseFactory()
    client.force_login(StaffFactory(perms=["accounts.view_spotifycredential", "accounts.view_spotifypause"]))

    client.post(CREDENTIALS, {"action": "mark_reconnect_needed", "_selected_action": [credential.pk]})
    client.post(PAUSES, {"action": "lift", "_selected_action": [pause.pk]})

    assert SpotifyCredential.objects.get(pk=credential.pk).reconnect_needed is False
    assert SpotifyPause.objects.get(pk=pause.pk).until == pause.until


def test_staff_with_the_change_permissions_do_both(client):
    credential, pause = SpotifyCredentialFactory(), SpotifyPauseFactory()
    client.force_login(
        StaffFactory(
            perms=[
                "accounts.view_spotifycredential", "accounts.change_spotifycredential",
                "accounts.view_spotifypause", "accounts.change_spotifypause",
            ]
        )
    )  # fmt: skip

    client.post(CREDENTIALS, {"action": "mark_reconnect_needed", "_selected_action": [credential.pk]})
    client.post(PAUSES, {"action": "lift", "_selected_action": [pause.pk]})

    assert SpotifyCredential.objects.get(pk=credential.pk).reconnect_needed is True
    assert SpotifyPause.objects.get(pk=pause.pk).until < pause.until
