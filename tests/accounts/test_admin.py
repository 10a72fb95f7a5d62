"""The admin shows credential state, never tokens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import SpotifyCredential
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_credential_list_and_page_show_state_but_no_token(staff_client):
    credential = SpotifyCredentialFactory(reconnect=True)

    pages = [
        staff_client.get(reverse("admin:accounts_spotifycredential_changelist")),
        staff_client.get(reverse("admin:accounts_spotifycredential_change", args=[credential.pk])),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert credential.spotify_user_id in html
        assert credential.access_token not in html and credential.refresh_token not in html
    assert "reconnect_needed" in pages[1].content.decode()


def test_the_mark_reconnect_needed_action_flags_the_chosen_credentials(staff_client):
    chosen, other = SpotifyCredentialFactory(), SpotifyCredentialFactory()

    staff_client.post(
        reverse("admin:accounts_spotifycredential_changelist"),
        {"action": "mark_reconnect_needed", "_selected_action": [chosen.pk]},
    )

    assert SpotifyCredential.objects.get(pk=chosen.pk).reconnect_needed is True
    assert SpotifyCredential.objects.get(pk=other.pk).reconnect_needed is False


def test_saving_the_credential_page_keeps_the_tokens(staff_client):
    credential = SpotifyCredentialFactory(access_token="keep-me-access", refresh_token="keep-me-refresh")

    response = staff_client.post(
        reverse("admin:accounts_spotifycredential_change", args=[credential.pk]),
        {
            "reconnect_needed": "on",
            "reconnect_reason": "checking",
            "rate_limited_until_0": "",
            "rate_limited_until_1": "",
        },
    )

    stored = SpotifyCredential.objects.get(pk=credential.pk)
    assert response.status_code == 302
    assert stored.reconnect_needed is True
    assert (stored.access_token, stored.refresh_token) == ("keep-me-access", "keep-me-refresh")


def test_the_user_admin_shows_the_display_name(staff_client):
    user = UserFactory(display_name="Ada Listener")

    html = staff_client.get(reverse("admin:accounts_user_changelist")).content.decode()

    assert "Ada Listener" in html and user.username in html


def test_staff_list_spotifys_pauses_and_lifting_one_lets_the_postponed_import_go(staff_client):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import SpotifyPause
    from tests.accounts.factories import SpotifyPauseFactory
    from tests.sync.factories import SyncEventFactory

    pause = SpotifyPauseFactory(until=timezone.now() + timedelta(hours=14), message="Quota exceeded for app")
    waiting = SyncEventFactory(resume_at=pause.until)
    changelist = reverse("admin:accounts_spotifypause_changelist")
    assert "Quota exceeded for app" in staff_client.get(changelist).content.decode()
    assert staff_client.get(reverse("admin:accounts_spotifypause_add")).status_code == 403  # only Spotify pauses

    staff_client.post(changelist, {"action": "lift", "_selected_action": [pause.pk]})

    assert SpotifyPause.objects.get().until <= timezone.now()
    waiting.refresh_from_db()
    assert waiting.resume_at <= timezone.now()


def test_staff_see_api_tokens_by_name_but_never_their_secret_or_digest(staff_client):
    from accounts.models import ApiToken
    from tests.accounts.factories import UserFactory, api_token_secret

    owner = UserFactory(username="olga", display_name="Olga Owner")
    secret = api_token_secret(owner, name="Olga's phone")
    token = ApiToken.objects.get()

    pages = [
        staff_client.get(reverse("admin:accounts_apitoken_changelist")),
        staff_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])),
        staff_client.get(reverse("admin:accounts_apitoken_changelist"), {"q": "olga"}),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "Olga&#x27;s phone" in html and token.prefix in html and "Olga Owner" in html
        assert secret not in html and secret[12:] not in html and token.digest not in html
    # Staff cannot make a token (it would let them act as the listener) nor change one.
    assert staff_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    change = staff_client.post(reverse("admin:accounts_apitoken_change", args=[token.pk]), {"name": "mine now"})
    assert change.status_code == 403 and ApiToken.objects.get().name == "Olga's phone"


def test_the_token_list_cannot_be_filtered_by_digest_to_spell_it_out(staff_client):
    from accounts.models import ApiToken
    from tests.accounts.factories import UserFactory, api_token_secret

    api_token_secret(UserFactory(), name="phone")
    digest = ApiToken.objects.get().digest
    url = reverse("admin:accounts_apitoken_changelist")

    for query in ({"digest__startswith": digest[:6]}, {"digest__startswith": "zz"}, {"digest": digest}):
        page = staff_client.get(url, query)
        # Django refuses the lookup (DisallowedModelAdminLookup): 400, the list unread.
        assert page.status_code == 400 and b"phone" not in page.content, query


def test_staff_revoke_a_listeners_token_and_it_stops_working(staff_client):
    from rest_framework.test import APIClient

    from accounts.models import ApiToken
    from tests.accounts.factories import UserFactory, api_token_secret

    owner = UserFactory()
    lost, kept = api_token_secret(owner, name="lost phone"), api_token_secret(owner, name="laptop")
    script = APIClient()

    staff_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [ApiToken.objects.get(name="lost phone").pk]},
    )

    assert list(ApiToken.objects.values_list("name", flat=True)) == ["laptop"]
    assert script.get("/api/me/", HTTP_AUTHORIZATION=f"Token {lost}").status_code == 401
    assert script.get("/api/me/", HTTP_AUTHORIZATION=f"Token {kept}").status_code == 200


def test_drf_s_plaintext_token_admin_is_gone(staff_client):
    from django.contrib import admin

    assert "rest_framework.authtoken" not in {model._meta.app_config.name for model in admin.site._registry}
    assert staff_client.get("/admin/authtoken/tokenproxy/").status_code == 404
