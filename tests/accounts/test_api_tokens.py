"""/api/me/tokens/: a listener's API tokens, one per device. Created by a signed-in session with
the secret in that answer only, stored as a digest, listed and revoked by their owner only,
refused with 401 once expired or revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.accounts.factories import ApiTokenFactory, UserFactory, api_token_secret

pytestmark = pytest.mark.django_db

TOKENS = "/api/me/tokens/"
ANCHOR = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def token_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def listener():
    return UserFactory()


@pytest.fixture
def signed_in(listener) -> APIClient:
    """The listener's browser session (the dashboard, or the API docs while signed in)."""
    client = APIClient()
    client.force_login(listener)
    return client


def test_a_signed_in_listener_creates_a_named_token_and_gets_its_secret_once(signed_in, listener):
    created = signed_in.post(TOKENS, {"name": "phone"}, format="json")

    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    body = created.json()
    secret = body.pop("token")
    assert secret.startswith("lnt_") and len(secret) >= 40
    assert body["name"] == "phone" and body["prefix"] == secret[:12]
    assert body["expires_at"] is None and body["last_used_at"] is None and body["expired"] is False
    # Never again: not in the list, not in the token's own page.
    for later in (signed_in.get(TOKENS), signed_in.get(f"{TOKENS}{body['id']}")):
        assert later.status_code == 200
        assert secret not in later.content.decode() and secret[12:] not in later.content.decode()
    assert signed_in.get(f"{TOKENS}{body['id']}").json() == body
    assert token_client(secret).get("/api/me/").json()["id"] == listener.pk


def test_the_secret_is_stored_only_as_a_digest(signed_in):
    secret = signed_in.post(TOKENS, {"name": "laptop"}, format="json").json()["token"]

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored and secret[12:] not in stored
    row = ApiToken.objects.get()
    assert row.digest == ApiToken.digest_of(secret) and row.prefix == secret[:12]


def test_a_token_lists_its_listeners_tokens_but_cannot_create_one(listener):
    secret = api_token_secret(listener, name="script")
    script = token_client(secret)

    listed = script.get(TOKENS)
    refused = script.post(TOKENS, {"name": "successor"}, format="json")

    assert [token["name"] for token in listed.json()] == ["script"]
    assert refused.status_code == 403 and "dashboard" in refused.json()["detail"]
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["script"]


def test_a_session_caller_needs_the_csrf_token_to_create_one(listener):
    strict = APIClient(enforce_csrf_checks=True)
    strict.force_login(listener)

    response = strict.post(TOKENS, {"name": "phone"}, format="json")

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "phone", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "phone", "expires_at": "tomorrow"}, "expires_at"),
        ({"name": "phone", "scope": "all"}, "scope"),
        ({"name": ["phone"]}, "name"),
    ],
    ids=["empty", "blank", "absent", "too-long", "past-expiry", "bad-expiry", "unknown-key", "not-a-string"],
)
def test_bad_input_is_a_400_at_the_field(signed_in, body, field):
    response = signed_in.post(TOKENS, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ApiToken.objects.exists()


def test_names_are_unique_among_a_listeners_tokens_only(signed_in, listener):
    ApiTokenFactory(user=UserFactory(), name="phone")  # another listener's phone
    assert signed_in.post(TOKENS, {"name": "phone"}, format="json").status_code == 201

    again = signed_in.post(TOKENS, {"name": " phone "}, format="json")

    assert again.status_code == 400
    assert again.json() == {"name": ["You already have a token named “phone”: choose another name."]}


def test_a_listener_holds_at_most_twenty_tokens(signed_in, listener):
    for n in range(ApiToken.PER_LISTENER - 1):
        ApiTokenFactory(user=listener, name=f"device {n}")
    ApiTokenFactory.create_batch(3)  # other listeners' count for nothing
    assert signed_in.post(TOKENS, {"name": "the twentieth"}, format="json").status_code == 201

    refused = signed_in.post(TOKENS, {"name": "one too many"}, format="json")

    assert refused.status_code == 400
    assert "20 API tokens" in refused.json()["detail"] and "revoke one" in refused.json()["detail"]
    assert ApiToken.objects.filter(user=listener).count() == ApiToken.PER_LISTENER


def test_a_token_with_an_expiry_works_until_then_and_is_refused_after_with_a_message(signed_in, time_machine):
    time_machine.move_to(ANCHOR, tick=False)
    body = signed_in.post(TOKENS, {"name": "trial", "expires_at": "2026-03-02T12:00:00Z"}, format="json").json()
    script = token_client(body["token"])
    assert script.get("/api/me/").status_code == 200

    time_machine.move_to(ANCHOR + timedelta(days=1), tick=False)
    refused = script.get("/api/me/")

    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Token"
    assert "expired" in refused.json()["detail"] and "“trial”" in refused.json()["detail"]
    listed = signed_in.get(TOKENS).json()
    assert [(token["name"], token["expired"]) for token in listed] == [("trial", True)]


def test_last_used_is_written_at_most_once_a_minute(listener, time_machine, django_assert_num_queries):
    time_machine.move_to(ANCHOR, tick=False)
    secret = api_token_secret(listener, name="poller")
    script = token_client(secret)

    script.get(TOKENS)
    assert ApiToken.objects.get().last_used_at == ANCHOR
    time_machine.move_to(ANCHOR + timedelta(seconds=59), tick=False)
    with django_assert_num_queries(2):  # the token and the list: no write
        script.get(TOKENS)
    assert ApiToken.objects.get().last_used_at == ANCHOR
    time_machine.move_to(ANCHOR + timedelta(seconds=61), tick=False)
    script.get(TOKENS)

    assert ApiToken.objects.get().last_used_at == ANCHOR + timedelta(seconds=61)


def test_revoking_a_token_refuses_it_and_leaves_the_others_working(listener):
    phone, laptop = api_token_secret(listener, name="phone"), api_token_secret(listener, name="laptop")
    phone_id = ApiToken.objects.get(name="phone").pk

    revoked = token_client(laptop).delete(f"{TOKENS}{phone_id}")

    assert revoked.status_code == 204
    assert token_client(phone).get("/api/me/").status_code == 401
    assert token_client(laptop).get("/api/me/").status_code == 200
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["laptop"]


def test_a_token_may_revoke_itself(listener):
    secret = api_token_secret(listener)
    script = token_client(secret)

    assert script.delete(f"{TOKENS}{ApiToken.objects.get().pk}").status_code == 204
    assert script.get("/api/me/").status_code == 401


def test_a_stranger_neither_sees_nor_revokes_another_listeners_token(signed_in, listener):
    owner = UserFactory()
    owner_secret = api_token_secret(owner, name="owner's phone")
    owner_token = ApiToken.objects.get(user=owner)
    api_token_secret(listener, name="mine")

    listed = signed_in.get(TOKENS)
    seen = signed_in.get(f"{TOKENS}{owner_token.pk}")
    revoked = signed_in.delete(f"{TOKENS}{owner_token.pk}")
    by_token = token_client(api_token_secret(listener, name="script")).delete(f"{TOKENS}{owner_token.pk}")

    assert [token["name"] for token in listed.json()] == ["mine"]
    assert seen.status_code == revoked.status_code == by_token.status_code == 404
    assert token_client(owner_secret).get("/api/me/").json()["id"] == owner.pk


def test_anonymous_callers_get_401_on_every_token_endpoint(listener):
    token = ApiTokenFactory(user=listener)
    anonymous = APIClient()

    answers = [anonymous.get(TOKENS), anonymous.post(TOKENS, {"name": "x"}, format="json"),
               anonymous.get(f"{TOKENS}{token.pk}"), anonymous.delete(f"{TOKENS}{token.pk}")]  # fmt: skip

    assert [answer.status_code for answer in answers] == [401] * 4
    assert ApiToken.objects.count() == 1


def test_an_inactive_listeners_tokens_are_refused(listener):
    secret = api_token_secret(listener)
    listener.is_active = False
    listener.save(update_fields=["is_active"])

    assert token_client(secret).get("/api/me/").status_code == 401


def test_the_schema_documents_the_token_endpoints_and_no_digest(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert {"/api/me/tokens/", "/api/me/tokens/{id}"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/me/tokens/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/me/tokens/{id}"]) == {"get", "delete"}
    listed = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "expired"]
    assert list(schema["components"]["schemas"]["ApiToken"]["properties"]) == listed
    assert list(schema["components"]["schemas"]["ApiTokenCreated"]["properties"]) == [*listed, "token"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["description"].startswith("Token-based")
