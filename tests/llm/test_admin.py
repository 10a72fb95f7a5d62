"""The provider admin: the key can be set and cleared but never read back; router actions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from llm.models import CircuitState, JsonMode, Provider, ProviderHealth, ProviderKind, RouterState
from llm.services.circuit import force_provider
from tests.accounts.factories import UserFactory
from tests.llm.conftest import PRIMARY_KEY
from tests.llm.factories import ProviderFactory, ProviderHealthFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:llm_provider_changelist"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _form(provider: Provider, **changes) -> dict:
    values = {
        "name": provider.name,
        "kind": provider.kind,
        "base_url": provider.base_url,
        "model": provider.model,
        "json_mode": provider.json_mode,
        "priority": provider.priority,
        "enabled": "on" if provider.enabled else "",
        "connect_timeout": provider.connect_timeout,
        "read_timeout": provider.read_timeout,
        "max_tokens": provider.max_tokens,
        "new_api_key": "",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def _raw_key(provider: Provider) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM llm_provider WHERE id = %s", [provider.pk])
        return cursor.fetchone()[0]


def test_the_list_and_the_page_show_circuits_and_whether_a_key_is_set_but_never_the_key(staff_client):
    provider = ProviderFactory(name="primary", api_key=PRIMARY_KEY)
    ProviderHealthFactory(provider=provider, down=True)

    pages = [
        staff_client.get(reverse(CHANGELIST)),
        staff_client.get(reverse("admin:llm_provider_change", args=[provider.pk])),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "primary" in html and "Open (down, cooling off)" in html
        assert PRIMARY_KEY not in html and _raw_key(provider) not in html
    assert 'name="new_api_key"' in pages[1].content.decode()


def test_a_provider_added_in_the_admin_stores_its_key_encrypted(staff_client):
    response = staff_client.post(
        reverse("admin:llm_provider_add"),
        _form(ProviderFactory.build(name="runpod-a"), new_api_key="rp-secret-key-123"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    provider = Provider.objects.get(name="runpod-a")
    assert provider.api_key == "rp-secret-key-123"
    assert "rp-secret-key-123" not in _raw_key(provider)


def test_saving_without_a_new_key_keeps_the_stored_one_and_clearing_removes_it(staff_client):
    provider = ProviderFactory(api_key=PRIMARY_KEY)
    url = reverse("admin:llm_provider_change", args=[provider.pk])

    staff_client.post(url, _form(provider, priority=5))
    provider.refresh_from_db()
    assert (provider.priority, provider.api_key) == (5, PRIMARY_KEY)

    staff_client.post(url, _form(provider, clear_api_key="on"))
    provider.refresh_from_db()
    assert provider.api_key is None and _raw_key(provider) is None


def test_a_llama_cpp_provider_is_saved_with_its_structured_output_dialect(staff_client):
    provider = ProviderFactory(name="local")

    response = staff_client.post(
        reverse("admin:llm_provider_change", args=[provider.pk]),
        _form(provider, json_mode="json_object_schema"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    provider.refresh_from_db()
    assert provider.json_mode == JsonMode.JSON_OBJECT_SCHEMA


def test_the_admin_refuses_a_structured_output_dialect_for_a_kind_that_has_only_one(staff_client):
    provider = ProviderFactory(name="ollama", kind=ProviderKind.OLLAMA, base_url="http://127.0.0.1:9")

    response = staff_client.post(
        reverse("admin:llm_provider_change", args=[provider.pk]),
        _form(provider, json_mode="json_object_schema"),
    )

    assert response.status_code == 200
    assert "Only an openai-kind provider has a choice of structured output." in response.content.decode()
    provider.refresh_from_db()
    assert provider.json_mode == JsonMode.JSON_SCHEMA


def test_the_force_action_forces_exactly_one_provider(staff_client):
    first, second = ProviderFactory(), ProviderFactory()

    staff_client.post(
        reverse(CHANGELIST), {"action": "force_provider", "_selected_action": [first.pk, second.pk]}
    )
    assert RouterState.objects.filter(forced_provider__isnull=False).count() == 0

    staff_client.post(reverse(CHANGELIST), {"action": "force_provider", "_selected_action": [second.pk]})
    assert RouterState.objects.get().forced_provider == second


def test_the_force_action_refuses_a_disabled_provider(staff_client):
    disabled = ProviderFactory(enabled=False)

    response = staff_client.post(
        reverse(CHANGELIST), {"action": "force_provider", "_selected_action": [disabled.pk]}, follow=True
    )

    assert "is disabled" in response.content.decode()
    assert not RouterState.objects.filter(forced_provider__isnull=False).exists()


def test_the_unforce_and_reset_actions(staff_client):
    provider = ProviderFactory()
    force_provider(name=provider.name)
    ProviderHealthFactory(provider=provider, down=True)

    staff_client.post(reverse(CHANGELIST), {"action": "unforce_provider", "_selected_action": [provider.pk]})
    assert RouterState.objects.get().forced_provider is None
    assert ProviderHealth.objects.get(provider=provider).state == CircuitState.OPEN

    staff_client.post(reverse(CHANGELIST), {"action": "reset_router", "_selected_action": [provider.pk]})
    assert ProviderHealth.objects.get(provider=provider).state == CircuitState.CLOSED


def test_the_check_now_action_readmits_a_provider_that_is_back(staff_client, providers):
    ProviderHealthFactory(provider=providers.primary, down=True)

    response = staff_client.post(
        reverse(CHANGELIST), {"action": "check_now", "_selected_action": [providers.primary.pk]}, follow=True
    )

    assert "Primary: up" in response.content.decode()  # the admin capitalises messages
    assert ProviderHealth.objects.get(provider=providers.primary).state == CircuitState.CLOSED
