"""The provider admin keeps keys with their servers: pointing a provider elsewhere drops its key,
providers from LLM_PROVIDERS are read-only, and only staff with llm.change_provider act."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from llm.admin import FROM_ENVIRONMENT, KEY_GOES_WITH_ENDPOINT
from llm.models import Provider, RouterState
from tests.core.factories import StaffFactory
from tests.llm.conftest import PRIMARY_KEY
from tests.llm.factories import ProviderFactory
from tests.llm.test_admin import _form, _raw_key

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:llm_provider_changelist"


def _change(provider: Provider) -> str:
    return reverse("admin:llm_provider_change", args=[provider.pk])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "changes",
    [{"base_url": "https://elsewhere.example/v1"}, {"kind": "ollama", "base_url": None}],
    ids=["base_url", "kind"],
)
def test_pointing_a_provider_elsewhere_removes_its_key_and_asks_for_it_again(staff_client, changes):
    provider = ProviderFactory(api_key=PRIMARY_KEY)
    form = _form(provider, **changes)
    form.setdefault("base_url", provider.base_url)

    response = staff_client.post(_change(provider), form)

    # Back to the form (not the list), with the warning, where the key can be typed again.
    assert response.status_code == 302 and response["Location"] == _change(provider)
    page = staff_client.get(response["Location"]).content.decode()
    assert "its stored API key was removed: set the key again below" in page
    assert 'name="new_api_key"' in page
    provider = Provider.objects.get(pk=provider.pk)
    assert provider.api_key is None and _raw_key(provider) is None


def test_a_new_url_saved_with_a_freshly_typed_key_keeps_that_key(staff_client):
    provider = ProviderFactory(api_key=PRIMARY_KEY)

    response = staff_client.post(
        _change(provider), _form(provider, base_url="https://elsewhere.example/v1", new_api_key="sk-new-0001")
    )

    assert response.status_code == 302 and response["Location"] == reverse(CHANGELIST)
    provider = Provider.objects.get(pk=provider.pk)
    assert (provider.base_url, provider.api_key) == ("https://elsewhere.example/v1", "sk-new-0001")


def test_other_changes_keep_the_key_and_a_provider_without_one_is_not_warned(staff_client):
    keyed, keyless = ProviderFactory(api_key=PRIMARY_KEY), ProviderFactory()

    staff_client.post(_change(keyed), _form(keyed, model="another-model", priority=3))
    response = staff_client.post(
        _change(keyless), _form(keyless, base_url="https://elsewhere.example/v1"), follow=True
    )

    assert Provider.objects.get(pk=keyed.pk).api_key == PRIMARY_KEY
    assert "API key was removed" not in response.content.decode()


def test_the_form_says_that_a_new_url_or_kind_needs_the_key_again(staff_client):
    provider = ProviderFactory(api_key=PRIMARY_KEY)

    page = staff_client.get(_change(provider)).content.decode()

    assert KEY_GOES_WITH_ENDPOINT.replace(":", "") in page.replace(":", "")


def test_the_key_goes_with_the_endpoint_whoever_saves_the_provider():
    provider = ProviderFactory(api_key=PRIMARY_KEY)

    provider.base_url = "https://elsewhere.example/v1"
    provider.save(update_fields=["base_url"])

    assert Provider.objects.get(pk=provider.pk).api_key is None


# --- providers from LLM_PROVIDERS -------------------------------------------------------------------


@pytest.fixture
def from_env():
    return ProviderFactory(name="env-provider", api_key=PRIMARY_KEY, from_environment=True)


def test_a_provider_from_the_environment_is_shown_read_only_with_where_to_change_it(staff_client, from_env):
    page = staff_client.get(_change(from_env))

    html = page.content.decode()
    assert page.status_code == 200
    assert FROM_ENVIRONMENT.split(":")[0] in html
    for field in ("name", "base_url", "kind", "model", "new_api_key", "clear_api_key", "enabled"):
        assert f'name="{field}"' not in html
    assert PRIMARY_KEY not in html


def test_a_provider_from_the_environment_cannot_be_changed_or_deleted_even_by_a_superuser(
    client, superuser, from_env
):
    client.force_login(superuser)

    changed = client.post(
        _change(from_env), _form(from_env, base_url="https://attacker.example/v1", clear_api_key="on")
    )
    deleted = client.post(reverse("admin:llm_provider_delete", args=[from_env.pk]), {"post": "yes"})
    bulk = client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [from_env.pk], "post": "yes"}
    )

    assert changed.status_code == deleted.status_code == 403
    assert bulk.status_code == 302  # back to the list, saying why nothing was deleted
    provider = Provider.objects.get(pk=from_env.pk)
    assert (provider.base_url, provider.api_key) == (from_env.base_url, PRIMARY_KEY)


@pytest.fixture
def llm_admin(client):
    """Staff holding every permission of the llm app, delete_provider included."""
    perms = Permission.objects.filter(content_type__app_label="llm").values_list("codename", flat=True)
    client.force_login(StaffFactory(perms=[f"llm.{codename}" for codename in perms]))
    return client


def _delete_selected(client, *providers: Provider, confirmed: bool):
    form = {"action": "delete_selected", "_selected_action": [provider.pk for provider in providers]}
    return client.post(reverse(CHANGELIST), {**form, "post": "yes"} if confirmed else form, follow=True)


def test_a_provider_from_the_environment_offers_no_delete_even_to_staff_who_may_delete(llm_admin, from_env):
    page = llm_admin.get(_change(from_env)).content.decode()

    assert reverse("admin:llm_provider_delete", args=[from_env.pk]) not in page
    assert llm_admin.get(reverse("admin:llm_provider_delete", args=[from_env.pk])).status_code == 403


def test_delete_selected_leaves_providers_from_the_environment_and_deletes_the_others(llm_admin, from_env):
    own = ProviderFactory(name="own-provider")

    confirmation = _delete_selected(llm_admin, from_env, own, confirmed=False).content.decode()
    assert "Not deleted: env-provider (from LLM_PROVIDERS)" in confirmation
    assert f'name="_selected_action" value="{own.pk}"' in confirmation
    assert f'name="_selected_action" value="{from_env.pk}"' not in confirmation

    # The confirmation's own form, or a hand-made post that still names both: the same outcome.
    done = _delete_selected(llm_admin, from_env, own, confirmed=True).content.decode()

    assert "Successfully deleted 1 provider." in done
    assert "Not deleted: env-provider (from LLM_PROVIDERS)" in done
    assert list(Provider.objects.values_list("name", flat=True)) == ["env-provider"]


def test_delete_selected_of_providers_from_the_environment_only_deletes_nothing_and_says_why(
    llm_admin, from_env
):
    for confirmed in (False, True):
        page = _delete_selected(llm_admin, from_env, confirmed=confirmed)

        assert page.redirect_chain == [(reverse(CHANGELIST), 302)]
        assert "Not deleted: env-provider (from LLM_PROVIDERS)" in page.content.decode()
    assert Provider.objects.get().pk == from_env.pk


def test_the_router_actions_still_work_on_a_provider_from_the_environment(staff_client, from_env):
    staff_client.post(reverse(CHANGELIST), {"action": "force_provider", "_selected_action": [from_env.pk]})

    assert RouterState.objects.get().forced_provider == from_env


# --- who may act --------------------------------------------------------------------------------------


def _force(client, provider):
    return client.post(
        reverse(CHANGELIST), {"action": "force_provider", "_selected_action": [provider.pk]}, follow=True
    )


def test_staff_without_a_permission_cannot_open_the_providers(client, bare_staff):
    provider = ProviderFactory()
    client.force_login(bare_staff)

    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.post(reverse(CHANGELIST), {"action": "force_provider", "_selected_action": [provider.pk]})
    assert not RouterState.objects.filter(forced_provider__isnull=False).exists()


def test_staff_who_may_only_view_get_no_router_action(client):
    provider = ProviderFactory(api_key=PRIMARY_KEY)
    client.force_login(StaffFactory(perms=["llm.view_provider"]))

    listing = client.get(reverse(CHANGELIST)).content.decode()
    _force(client, provider)

    for action in ("force_provider", "unforce_provider", "reset_router", "check_now"):
        assert f'value="{action}"' not in listing
    assert not RouterState.objects.filter(forced_provider__isnull=False).exists()
    assert client.post(_change(provider), _form(provider, base_url="https://x.example/v1")).status_code == 403


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_staff_with_the_change_permission_and_superusers_force_a_provider(client, request, who):
    provider = ProviderFactory()
    client.force_login(request.getfixturevalue(who))

    _force(client, provider)

    assert RouterState.objects.get().forced_provider == provider
