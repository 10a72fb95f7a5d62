"""LLM_ALLOW_PRIVATE_HOSTS: a boolean as before, or host names and networks, each checked and
normalised when the settings are read (core.outbound.PrivateHosts interprets them; start-up stops
on a malformed one: tests/config/test_settings.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import private_hosts


def parse(monkeypatch, value: str | None):
    if value is None:
        monkeypatch.delenv("LLM_ALLOW_PRIVATE_HOSTS", raising=False)
    else:
        monkeypatch.setenv("LLM_ALLOW_PRIVATE_HOSTS", value)
    return private_hosts("LLM_ALLOW_PRIVATE_HOSTS")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("", False), ("false", False), ("0", False), ("off", False), (" , ", False),
     ("true", True), ("TRUE", True), ("1", True), ("yes", True)],
)  # fmt: skip
def test_the_booleans_mean_what_they_meant_before_the_list(monkeypatch, value, expected):
    assert parse(monkeypatch, value) is expected


def test_a_list_names_hosts_and_networks_normalised(monkeypatch):
    value = " Ollama. , 10.0.0.0/8,127.0.0.1, [::1], fd00::/8, llm-1.internal, ollama"

    assert parse(monkeypatch, value) == (
        "ollama", "10.0.0.0/8", "127.0.0.1/32", "::1/128", "fd00::/8", "llm-1.internal",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.0.0.1/8", "'10.0.0.1/8' is neither a host name nor an IP network"),
        ("ollama,10.0.0.0/33", "'10.0.0.0/33' is neither"),
        ("http://ollama:11434", "'http://ollama:11434' is neither"),
        ("my host", "'my host' is neither"),
        ("ollama,true", "'true' among host names"),
    ],
)
def test_a_malformed_entry_is_refused_naming_the_variable_and_the_entry(monkeypatch, value, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        parse(monkeypatch, value)

    assert str(refused.value).startswith(f"LLM_ALLOW_PRIVATE_HOSTS: {message}")
