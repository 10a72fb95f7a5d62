"""THROTTLE_RATES: the defaults, a scope's rate replaced or turned off, and every malformed value
refused with the variable and the scope named (start-up stops: tests/config/test_settings.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import throttle_rates
from tests.support.processes import project_env, run_python

DEFAULTS = {"imports": "6/hour", "routes": "30/hour", "previews": "300/hour"}


def parse(monkeypatch, value: str | None) -> dict:
    if value is None:
        monkeypatch.delenv("THROTTLE_RATES", raising=False)
    else:
        monkeypatch.setenv("THROTTLE_RATES", value)
    return throttle_rates("THROTTLE_RATES", defaults=DEFAULTS)


def test_without_the_variable_every_scope_keeps_its_default(monkeypatch):
    assert parse(monkeypatch, None) == DEFAULTS
    assert parse(monkeypatch, "") == DEFAULTS


def test_the_scopes_named_are_replaced_or_turned_off_and_the_others_kept(monkeypatch):
    rates = parse(monkeypatch, " imports = 10/h , previews=OFF,routes=2/minute")

    assert rates == {"imports": "10/h", "routes": "2/minute", "previews": None}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("import=6/hour", "THROTTLE_RATES: unknown scope 'import'; known: imports, previews, routes."),
        ("imports", "THROTTLE_RATES: 'imports' is not scope=rate"),
        ("imports=6/fortnight", "THROTTLE_RATES: imports must be N/second, N/minute, N/hour or N/day"),
        ("imports=0/hour", "THROTTLE_RATES: imports must be"),
        ("imports=six/hour", "THROTTLE_RATES: imports must be"),
        ("imports=6/hour,imports=7/hour", "THROTTLE_RATES: scope 'imports' is given twice."),
    ],
)
def test_a_malformed_value_is_refused_naming_the_variable_and_the_scope(monkeypatch, value, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        parse(monkeypatch, value)

    assert str(refused.value).startswith(message)


def test_the_deployment_defaults_are_the_ones_the_readme_documents():
    environment = project_env(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        ENV_FILE="/nonexistent",
        SECRET_KEY="a-secret-key-for-this-check",
        FIELD_ENCRYPTION_KEYS="dGVzdC1rZXktb25lLTAwMDAwMDAwMDAwMDAwMDAwMDA=",
        THROTTLE_RATES=None,
        INSIGHT_REGENERATE_COOLDOWN=None,
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.THROTTLE_RATES, settings.INSIGHT_REGENERATE_COOLDOWN)"
    )

    completed = run_python(code, env=environment)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == (
        "{'imports': '6/hour', 'routes': '30/hour', 'previews': '300/hour', 'ingest': '6/hour', "
        "'insights': '30/hour', 'device_sync': '120/hour', 'history_uploads': '12/hour', 'exports': '60/hour'} 600"
    )
