"""What a provider answers never reaches staff: errors carry the HTTP status and our own words,
in the health check's result, the admin's Check now, the circuit's last error, the call records,
the staff page and the staff API. The "provider" here is a real server on loopback answering
like an internal service would (the setting that lets the tests reach loopback is on)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from llm.models import LLMCall, ProviderHealth, ProviderKind
from llm.services import AllProvidersDown, complete_json
from llm.services.health import check_providers
from tests.llm.factories import ProviderFactory
from tests.llm.support import MESSAGES, MOOD_SCHEMA
from tests.support.stub_server import stub_server

pytestmark = pytest.mark.django_db

SECRET = "INTERNAL-ANSWER-root:x:0:0"  # what the internal service says; must show nowhere
PATHS = {
    ProviderKind.OPENAI: "/v1",
    ProviderKind.OLLAMA: "",
    ProviderKind.RUNPOD: "/v2/endpoint",
}


def _ask():
    return complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood")


def _everything_staff_can_read(client, staff) -> str:
    client.force_login(staff)
    api = APIClient()
    api.force_authenticate(staff)
    provider = ProviderHealth.objects.get().provider
    pages = [
        client.get("/staff/llm/"),
        client.get("/staff/"),
        client.get(reverse("admin:llm_provider_changelist")),
        client.get(reverse("admin:llm_provider_change", args=[provider.pk])),
        api.get("/api/llm/status"),
        *(
            client.get(reverse("admin:llm_llmcall_change", args=[pk]))
            for pk in LLMCall.objects.values_list("pk", flat=True)
        ),
    ]
    assert all(page.status_code == 200 for page in pages)
    return "".join(page.content.decode() for page in pages)


@pytest.mark.parametrize("kind", list(PATHS))
def test_an_error_status_is_reported_as_its_code_and_phrase_only(client, superuser, kind):
    with stub_server(status=401, body=json.dumps({"error": {"message": SECRET}})) as internal:
        ProviderFactory(name="internal", kind=kind, base_url=f"{internal.url}{PATHS[kind]}")

        with pytest.raises(AllProvidersDown) as down:
            _ask()
        [checked] = check_providers()  # a health check probes an open circuit too

    assert checked.error == "HTTP 401 (Unauthorized)."
    assert SECRET not in str(down.value)
    assert LLMCall.objects.get().error == "HTTP 401 (Unauthorized)."
    assert ProviderHealth.objects.get().last_error == "Health check: HTTP 401 (Unauthorized)."
    assert SECRET not in _everything_staff_can_read(client, superuser)


def test_check_now_shows_the_status_and_not_the_answer(client, superuser):
    with stub_server(status=503, body=SECRET) as internal:
        provider = ProviderFactory(name="internal", kind=ProviderKind.OLLAMA, base_url=internal.url)
        client.force_login(superuser)

        response = client.post(
            reverse("admin:llm_provider_changelist"),
            {"action": "check_now", "_selected_action": [provider.pk]},
            follow=True,
        )

    html = response.content.decode()
    assert "Internal: down: HTTP 503 (Service Unavailable)." in html
    assert SECRET not in html


@pytest.mark.parametrize("kind", [ProviderKind.OLLAMA, ProviderKind.RUNPOD])
def test_an_answer_that_is_not_json_is_not_quoted(client, superuser, kind):
    with stub_server(status=200, body=f"<html>{SECRET}</html>") as internal:
        ProviderFactory(name="internal", kind=kind, base_url=f"{internal.url}{PATHS[kind]}")
        [checked] = check_providers()

    assert checked.error == "The answer was not JSON."
    assert SECRET not in _everything_staff_can_read(client, superuser)


def test_a_redirect_is_a_failure_and_is_not_followed(client, superuser):
    with stub_server(body="{}") as target:
        with stub_server(status=302, headers={"Location": f"{target.url}/api/tags"}) as internal:
            ProviderFactory(name="internal", kind=ProviderKind.OLLAMA, base_url=internal.url)
            [checked] = check_providers()

    assert checked.error == "HTTP 302 (Found)."
    assert target.requests == []


def test_a_runpod_job_that_failed_says_so_without_its_error(client, superuser):
    body = json.dumps({"id": "job-1", "status": "FAILED", "error": SECRET})
    with stub_server(body=body) as internal:
        ProviderFactory(name="internal", kind=ProviderKind.RUNPOD, base_url=f"{internal.url}/v2/endpoint")
        with pytest.raises(AllProvidersDown):
            _ask()

    assert LLMCall.objects.get().error == "The job ended FAILED."
    assert SECRET not in _everything_staff_can_read(client, superuser)


def test_an_answer_that_breaks_the_schema_is_named_by_the_rule_not_quoted(client, superuser):
    content = json.dumps({"mood": SECRET, "energy": 3})
    body = json.dumps({"model": f"<b>{SECRET}</b>", "message": {"content": content}})
    with stub_server(body=body) as internal:
        provider = ProviderFactory(name="internal", kind=ProviderKind.OLLAMA, base_url=internal.url)
        with pytest.raises(AllProvidersDown):
            _ask()

    # The answer and the repair: both invalid, both recorded by the rule they broke.
    breach = "$.mood: breaks the schema's 'enum' rule"
    assert list(LLMCall.objects.values_list("error", flat=True)) == [breach, breach]
    # A "model" that is no model name is not taken from the answer either.
    assert set(LLMCall.objects.values_list("model", flat=True)) == {provider.model}
    assert ProviderHealth.objects.get().last_error == f"Answer still invalid after one repair: {breach}"
    assert SECRET not in _everything_staff_can_read(client, superuser)
