"""/api/llm/status, /force-provider, /reset-cache: staff with the provider admin's permissions only
(view to read, change to force and reset); the key never in an answer."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from llm.models import CircuitState, ProviderHealth, RouterState
from llm.services.circuit import force_provider
from tests.core.factories import StaffFactory
from tests.llm.conftest import PRIMARY_KEY
from tests.accounts.factories import api_token_secret
from tests.llm.factories import ProviderFactory, ProviderHealthFactory

pytestmark = pytest.mark.django_db

STATUS, FORCE, RESET = "/api/llm/status", "/api/llm/force-provider", "/api/llm/reset-cache"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def primary():
    return ProviderFactory(name="primary", priority=10, api_key=PRIMARY_KEY)


@pytest.fixture
def fallback():
    return ProviderFactory(name="fallback", kind="ollama", priority=20, model="llama3.1:8b")


def test_staff_read_every_provider_with_its_circuit_and_the_routers_choices(api, staff, primary, fallback):
    ProviderHealthFactory(provider=primary, down=True, consecutive_failures=2, last_latency_ms=840)
    force_provider(name="fallback")
    api.force_authenticate(staff)

    response = api.get(STATUS)

    assert response.status_code == 200
    body = response.json()
    assert (body["forced"], body["forced_unavailable"], body["next"], body["current"]) == (
        "fallback", False, "fallback", None,
    )  # fmt: skip
    first, second = body["providers"]
    assert (first["name"], first["kind"], first["priority"], first["enabled"]) == (
        "primary",
        "openai",
        10,
        True,
    )
    assert (first["state"], first["consecutive_failures"], first["available"]) == ("open", 2, False)
    assert first["opened_until"] and first["last_latency_ms"] == 840 and first["has_api_key"] is True
    assert (second["name"], second["state"], second["forced"], second["has_api_key"]) == (
        "fallback", "closed", True, False,
    )  # fmt: skip
    assert set(first) >= {"last_checked_at", "last_check_ok", "last_error", "model", "current"}


def test_the_status_never_carries_an_api_key(api, staff, primary):
    api.force_authenticate(staff)

    response = api.get(STATUS)

    assert PRIMARY_KEY not in response.content.decode()
    assert not any("key" in field and field != "has_api_key" for field in response.json()["providers"][0])


def test_staff_with_an_api_token_can_read_the_status(api, staff, primary):
    secret = api_token_secret(staff)

    assert api.get(STATUS, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200


def test_forcing_a_provider_answers_200_with_the_new_status(api, staff, primary, fallback):
    api.force_authenticate(staff)

    response = api.post(FORCE, {"provider": "fallback"}, format="json")

    assert response.status_code == 200 and response.json()["forced"] == "fallback"
    assert RouterState.objects.get().forced_provider == fallback


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"provider": "nobody"}, "No provider is named 'nobody'."),
        ({"provider": "off"}, "Provider 'off' is disabled; enable it before forcing it."),
        ({}, "This field is required."),
    ],
    ids=["unknown", "disabled", "missing"],
)
def test_forcing_an_unknown_or_disabled_provider_is_a_400_on_the_field(api, staff, primary, payload, message):
    ProviderFactory(name="off", enabled=False)
    api.force_authenticate(staff)

    response = api.post(FORCE, payload, format="json")

    assert response.status_code == 400
    assert response.json() == {"provider": [message]}
    assert not RouterState.objects.filter(forced_provider__isnull=False).exists()


def test_reset_clears_the_force_the_choice_and_every_circuit(api, staff, primary, fallback):
    force_provider(name="fallback")
    ProviderHealthFactory(provider=primary, down=True)
    api.force_authenticate(staff)

    response = api.post(RESET)

    assert response.status_code == 200
    assert (response.json()["forced"], response.json()["next"]) == (None, "primary")
    assert ProviderHealth.objects.get(provider=primary).state == CircuitState.CLOSED


@pytest.mark.parametrize(("method", "path"), [("get", STATUS), ("post", FORCE), ("post", RESET)])
def test_signed_in_listeners_who_are_not_staff_get_403(api, listener, primary, method, path):
    api.force_authenticate(listener)

    response = getattr(api, method)(path, {"provider": "primary"}, format="json")

    assert response.status_code == 403
    assert not RouterState.objects.filter(forced_provider__isnull=False).exists()


@pytest.mark.parametrize(("method", "path"), [("get", STATUS), ("post", FORCE), ("post", RESET)])
def test_anonymous_callers_get_401_with_www_authenticate(api, primary, method, path):
    response = getattr(api, method)(path, {"provider": "primary"}, format="json")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_the_openapi_schema_documents_the_llm_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert {STATUS, FORCE, RESET} <= set(schema["paths"])
    assert schema["paths"][FORCE]["post"]["operationId"] == "llm_force_provider"


# The same model permissions as the provider admin: being staff alone grants nothing.
@pytest.mark.parametrize(("method", "path"), [("get", STATUS), ("post", FORCE), ("post", RESET)])
def test_staff_without_the_providers_permissions_get_403(api, bare_staff, primary, method, path):
    force_provider(name="primary")
    api.force_authenticate(bare_staff)

    response = getattr(api, method)(path, {"provider": "primary"}, format="json")

    assert response.status_code == 403
    assert RouterState.objects.get().forced_provider == primary  # neither reset nor changed


def test_staff_who_may_only_view_providers_read_the_status_but_cannot_force_or_reset(api, primary, fallback):
    force_provider(name="primary")
    api.force_authenticate(StaffFactory(perms=["llm.view_provider"]))

    assert api.get(STATUS).status_code == 200
    assert api.post(FORCE, {"provider": "fallback"}, format="json").status_code == 403
    assert api.post(RESET).status_code == 403
    assert RouterState.objects.get().forced_provider == primary


def test_a_superuser_forces_and_resets(api, superuser, primary, fallback):
    api.force_authenticate(superuser)

    assert api.post(FORCE, {"provider": "fallback"}, format="json").json()["forced"] == "fallback"
    assert api.post(RESET).json()["forced"] is None
