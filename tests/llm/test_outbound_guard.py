"""LLM requests (completions, health checks, the admin's Check now) and lyrics requests go to public
addresses only unless LLM_ALLOW_PRIVATE_HOSTS: the sandboxes listen on loopback, so with the
setting off here, as in a deployment, they are refused and never reached."""

from __future__ import annotations

import pytest
from django.urls import reverse

from analysis.models import LyricsStatus
from analysis.services.lyrics import get_lyrics
from llm.models import LLMCall, ProviderHealth, ProviderKind
from llm.services import AllProvidersDown, complete_json
from llm.services.clients import REFUSED
from llm.services.health import check_providers
from tests.analysis.support import LYRICS, catalog_track
from tests.llm.factories import ProviderFactory
from tests.llm.support import MESSAGES, MOOD_SCHEMA

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarded(settings):
    settings.LLM_ALLOW_PRIVATE_HOSTS = False


def _ask():
    return complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood")


def test_providers_on_loopback_are_refused_and_never_reached(guarded, providers, llm_sandbox):
    with pytest.raises(AllProvidersDown):
        _ask()

    assert llm_sandbox.requests_to("primary") == llm_sandbox.requests_to("fallback") == 0
    assert set(LLMCall.objects.values_list("provider_name", "error")) == {
        ("primary", REFUSED),  # the OpenAI SDK's path
        ("fallback", REFUSED),  # Ollama's, over httpx directly
    }
    assert ProviderHealth.objects.get(provider=providers.primary).last_error == REFUSED


def test_the_same_providers_answer_when_private_hosts_are_allowed(providers, llm_sandbox, settings):
    settings.LLM_ALLOW_PRIVATE_HOSTS = True

    assert _ask().provider == "primary"


# As config.env.private_hosts leaves a list: normalised names and networks.
def test_providers_outside_the_allow_list_are_refused_and_never_reached(providers, llm_sandbox, settings):
    settings.LLM_ALLOW_PRIVATE_HOSTS = ("ollama", "10.0.0.0/8")

    with pytest.raises(AllProvidersDown):
        _ask()

    assert llm_sandbox.requests_to("primary") == llm_sandbox.requests_to("fallback") == 0


def test_providers_on_the_allow_list_answer(providers, llm_sandbox, settings):
    settings.LLM_ALLOW_PRIVATE_HOSTS = ("ollama", "127.0.0.1/32")

    assert _ask().provider == "primary"


def test_lyrics_from_an_address_on_the_allow_list_are_fetched(fresh_llm_sandbox, settings):
    settings.LLM_ALLOW_PRIVATE_HOSTS = ("127.0.0.0/8",)
    settings.LYRICS_API_URL = fresh_llm_sandbox.lrclib_url

    lyrics = get_lyrics(track=catalog_track(LYRICS))

    assert lyrics.status != LyricsStatus.ERROR, lyrics.error
    assert fresh_llm_sandbox.requests_to("lrclib") >= 1


@pytest.mark.parametrize(
    ("kind", "base_url"),
    [
        (ProviderKind.OPENAI, "http://localhost:{port}/primary/v1"),
        (ProviderKind.OLLAMA, "http://localhost:{port}/fallback"),
        (ProviderKind.RUNPOD, "http://localhost:{port}/primary/v2/sandbox-endpoint"),
        (ProviderKind.OPENAI, "http://10.1.2.3:8000/v1"),
        (ProviderKind.OLLAMA, "http://169.254.169.254"),
        (ProviderKind.RUNPOD, "http://[::1]:{port}/primary/v2/sandbox-endpoint"),
    ],
)
def test_health_checks_refuse_a_host_that_resolves_to_a_private_address(
    guarded, fresh_llm_sandbox, kind, base_url
):
    port = fresh_llm_sandbox.url.rsplit(":", 1)[1]
    ProviderFactory(name="internal", kind=kind, base_url=base_url.format(port=port))

    [result] = check_providers()

    assert (result.ok, result.error) == (False, REFUSED)
    assert ProviderHealth.objects.get().last_error == f"Health check: {REFUSED}"
    assert fresh_llm_sandbox.counters()["by_provider"] == {}


def test_check_now_in_the_admin_says_the_provider_was_refused(guarded, client, staff, providers, llm_sandbox):
    client.force_login(staff)

    response = client.post(
        reverse("admin:llm_provider_changelist"),
        {"action": "check_now", "_selected_action": [providers.primary.pk]},
        follow=True,
    )

    assert f"Primary: down: {REFUSED}" in response.content.decode()
    assert llm_sandbox.requests_to("primary") == 0


def test_lyrics_from_a_private_address_are_refused_and_stored_as_an_error(
    guarded, fresh_llm_sandbox, settings
):
    settings.LYRICS_API_URL = fresh_llm_sandbox.lrclib_url

    lyrics = get_lyrics(track=catalog_track(LYRICS))

    assert lyrics.status == LyricsStatus.ERROR
    assert lyrics.error == "LRCLIB's host is not at a public address, on /api/get"
    assert fresh_llm_sandbox.requests_to("lrclib") == 0
