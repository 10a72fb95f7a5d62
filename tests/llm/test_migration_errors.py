"""llm 0003 takes provider answers out of the errors stored before it (a circuit's last error, a
call's error) and keeps our own words: the status, the kind of failure, where a schema broke."""

from __future__ import annotations

import pytest

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, AFTER = ("llm", "0002_provider_json_mode"), ("llm", "0003_errors_without_answers")
LEAKED = "root:x:0:0:root:/root:/bin/bash"  # what an internal address might have answered

STORED = {
    f"Health check: HTTP 401: {LEAKED}": "Health check: HTTP 401 (Unauthorized).",
    f"HTTP 599: {LEAKED}": "HTTP 599.",
    f"Unreadable answer: {LEAKED}": "Unreadable answer.",
    f"The job ended 'FAILED': {LEAKED}": "The job ended in an unknown state.",
    f"Answer still invalid after one repair: $.mood: '{LEAKED}' is not one of ['calm']": (
        "Answer still invalid after one repair: $.mood: breaks the schema"
    ),
    "Could not connect.": "Could not connect.",
}
NOT_JSON = "not valid JSON (Expecting value at line 1 column 1)"
STORED[NOT_JSON] = NOT_JSON  # ours already: kept as it was


def test_stored_errors_keep_our_words_and_lose_the_answers():
    old = migrate_to([BEFORE])
    Provider = old.get_model("llm", "Provider")
    ProviderHealth = old.get_model("llm", "ProviderHealth")
    LLMCall = old.get_model("llm", "LLMCall")
    ids = {}
    for n, error in enumerate(STORED):
        provider = Provider.objects.create(name=f"p{n}", kind="openai", base_url="http://x/v1", model="m")
        ProviderHealth.objects.create(provider=provider, last_error=error)
        call = LLMCall.objects.create(
            provider=provider, provider_name=provider.name, model="m", purpose="t", outcome="invalid",
            latency_ms=1, error=error,
        )  # fmt: skip
        ids[error] = (provider.pk, call.pk)

    new = migrate_to([AFTER])

    for error, expected in STORED.items():
        provider_id, call_id = ids[error]
        assert new.get_model("llm", "ProviderHealth").objects.get(pk=provider_id).last_error == expected
        assert new.get_model("llm", "LLMCall").objects.get(pk=call_id).error == expected
    migrate_to_latest()
