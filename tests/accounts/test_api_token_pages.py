"""The dashboard's API tokens: create one with a name and an optional expiry (its secret shown on
that answer only, never on the dashboard), list them, revoke one. Owner, stranger, anonymous."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.accounts.factories import ApiTokenFactory, UserFactory, api_token_secret

pytestmark = pytest.mark.django_db

CREATE = reverse("accounts:create-api-token")
ANCHOR = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def revoke_url(token: ApiToken) -> str:
    return reverse("accounts:revoke-api-token", args=[token.pk])


def works(secret: str) -> bool:
    return APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200


@pytest.fixture
def listener(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_creating_a_token_shows_its_secret_on_that_page_only(client, listener):
    created = client.post(CREATE, {"name": "phone", "expires_in": ""})

    assert created.status_code == 200
    assert "no-store" in created.headers["Cache-Control"]
    html = created.content.decode()
    token = ApiToken.objects.get(user=listener)
    secret = html.split('<code class="token">')[1].split("</code>")[0]
    assert token.name == "phone" and token.expires_at is None
    assert token.prefix == secret[:12] and token.digest == ApiToken.digest_of(secret)
    assert "shown this once" in html
    assert works(secret)
    dashboard = client.get("/dashboard/").content.decode()
    assert secret not in dashboard and secret[12:] not in dashboard
    assert "phone" in dashboard and f"{token.prefix}…" in dashboard


def test_the_secret_is_never_kept_in_the_session(client, listener):
    created = client.post(CREATE, {"name": "phone"})
    secret = created.content.decode().split('<code class="token">')[1].split("</code>")[0]

    session = client.session
    assert secret not in str(dict(session.items()))
    assert all(secret not in morsel.value for morsel in client.cookies.values())


def test_a_token_can_expire_from_the_form(client, listener, time_machine):
    time_machine.move_to(ANCHOR, tick=False)

    client.post(CREATE, {"name": "trial", "expires_in": "30"})

    assert ApiToken.objects.get().expires_at == ANCHOR + timedelta(days=30)


def test_the_dashboard_lists_name_created_last_used_and_expiry_and_marks_the_expired(client, listener, settings):
    settings.TIME_ZONE = "UTC"
    ApiTokenFactory(user=listener, name="laptop", created_at=ANCHOR, last_used_at=ANCHOR + timedelta(days=2),
                    expires_at=ANCHOR + timedelta(days=400))  # fmt: skip
    ApiTokenFactory(user=listener, name="old script", created_at=ANCHOR, expires_at=ANCHOR + timedelta(days=1))

    html = client.get("/dashboard/").content.decode()

    listing = html.split('id="api-token-list"')[1].split("</table>")[0]
    old, laptop = listing.split("<tr>")[2:4]  # newest first; created at once: the later row first
    assert "laptop" in laptop and "1 Mar 2026 12:00" in laptop and "3 Mar 2026 12:00" in laptop
    assert "5 Apr 2027 12:00" in laptop and "expired" not in laptop
    assert "old script" in old and "never" in old and "expired" in old


@pytest.mark.parametrize(
    ("posted", "message"),
    [({"name": ""}, "This field is required."), ({"name": "phone", "expires_in": "12"}, "Select a valid choice.")],
)
def test_a_bad_form_is_answered_400_with_the_message(client, listener, posted, message):
    response = client.post(CREATE, posted)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_taken_name_and_the_limit_are_refused_with_the_services_words(client, listener):
    api_token_secret(listener, name="phone")

    taken = client.post(CREATE, {"name": "phone"})
    for n in range(ApiToken.PER_LISTENER - 1):
        api_token_secret(listener, name=f"device {n}")
    full = client.post(CREATE, {"name": "one too many"})

    assert taken.status_code == 400 and "You already have a token named “phone”" in taken.content.decode()
    assert full.status_code == 400 and "You have 20 API tokens, the most allowed" in full.content.decode()
    assert ApiToken.objects.filter(user=listener).count() == ApiToken.PER_LISTENER


def test_revoking_a_token_on_the_dashboard_refuses_it_and_keeps_the_other(client, listener):
    phone, laptop = api_token_secret(listener, name="phone"), api_token_secret(listener, name="laptop")

    response = client.post(revoke_url(ApiToken.objects.get(name="phone")), follow=True)

    assert "The token “phone” is revoked" in response.content.decode()
    assert not works(phone) and works(laptop)


def test_a_stranger_cannot_revoke_or_see_another_listeners_token(client, listener):
    owner = UserFactory()
    secret = api_token_secret(owner, name="owner's phone")
    token = ApiToken.objects.get(user=owner)

    dashboard = client.get("/dashboard/").content.decode()
    response = client.post(revoke_url(token))

    assert "owner's phone" not in dashboard and token.prefix not in dashboard
    assert response.status_code == 404
    assert works(secret)


def test_token_forms_need_a_signed_in_post_with_a_csrf_token(client):
    user = UserFactory()
    secret = api_token_secret(user, name="phone")
    token = ApiToken.objects.get()
    anonymous = Client()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    client.force_login(user)

    assert anonymous.post(CREATE, {"name": "x"}).status_code == 302
    assert anonymous.post(revoke_url(token)).status_code == 302
    assert strict.post(CREATE, {"name": "x"}).status_code == 403
    assert strict.post(revoke_url(token)).status_code == 403
    assert client.get(CREATE).status_code == 405 and client.get(revoke_url(token)).status_code == 405
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["phone"] and works(secret)
