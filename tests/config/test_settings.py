from __future__ import annotations

import pytest

from tests.support.processes import project_env, run_manage, run_python

GOOD_KEY = "dGVzdC1rZXktb25lLTAwMDAwMDAwMDAwMDAwMDAwMDA="


def _check_with(**env: str | None):
    # Base settings with no test defaults, so a missing variable stays missing.
    environment = project_env(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        ENV_FILE="/nonexistent",
        SECRET_KEY="a-secret-key-for-this-check",
        FIELD_ENCRYPTION_KEYS=GOOD_KEY,
    )
    for key, value in env.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return run_manage("check", env=environment)


def test_the_project_starts_with_a_complete_environment():
    completed = _check_with()

    assert completed.returncode == 0, completed.stderr


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS"),
        ({"FIELD_ENCRYPTION_KEYS": "not-a-key"}, "FIELD_ENCRYPTION_KEYS"),
        ({"FIELD_ENCRYPTION_KEYS": f"{GOOD_KEY},short"}, "FIELD_ENCRYPTION_KEYS: key #2"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"SPOTIFY_API_URL": "api.spotify.com"}, "SPOTIFY_API_URL"),
        ({"SPOTIFY_ACCOUNTS_URL": "ftp://accounts"}, "SPOTIFY_ACCOUNTS_URL"),
        ({"Q_TIMEOUT": "900", "Q_RETRY": "600"}, "Q_TIMEOUT"),
        ({"Q_BULK_TIMEOUT": "2000", "Q_BULK_RETRY": "1000"}, "Q_BULK_TIMEOUT"),
        ({"THROTTLE_RATES": "imports=6/fortnight"}, "THROTTLE_RATES: imports"),
        ({"THROTTLE_RATES": "import=6/hour"}, "THROTTLE_RATES: unknown scope 'import'"),
        ({"INSIGHT_REGENERATE_COOLDOWN": "ten minutes"}, "INSIGHT_REGENERATE_COOLDOWN"),
        ({"ADMIN_LOGIN_FAILURE_LIMIT": "0"}, "ADMIN_LOGIN_FAILURE_LIMIT"),
        ({"ADMIN_LOGIN_COOLOFF_MINUTES": "soon"}, "ADMIN_LOGIN_COOLOFF_MINUTES"),
        ({"TRUST_PROXY_HEADERS": "maybe"}, "TRUST_PROXY_HEADERS"),
        ({"API_DOCS_PUBLIC": "perhaps"}, "API_DOCS_PUBLIC"),
        ({"LLM_ALLOW_PRIVATE_HOSTS": "ollama,10.0.0.1/8"}, "LLM_ALLOW_PRIVATE_HOSTS: '10.0.0.1/8'"),
    ],
)
def test_a_missing_or_malformed_variable_stops_start_up_with_a_message_naming_it(overrides, named):
    completed = _check_with(**overrides)

    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert named in completed.stderr


def test_production_settings_pass_check_deploy_without_warnings():
    environment = project_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ENV_FILE="/nonexistent",
        DEBUG="false",
        SECRET_KEY="x7#kq-production-like-secret-key-with-enough-entropy-9f2c1d8e7b6a5",
        FIELD_ENCRYPTION_KEYS=GOOD_KEY,
        ALLOWED_HOSTS="linernotes.example.org",
    )
    completed = run_manage("check", "--deploy", "--fail-level", "WARNING", env=environment)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues" in completed.stdout


@pytest.mark.parametrize(
    "key", ["change-me-to-a-long-random-string", "short-key", "a" * 60, "change-me-" + "x7#kq" * 10]
)
def test_production_settings_refuse_a_placeholder_or_weak_secret_key(key):
    environment = project_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ENV_FILE="/nonexistent",
        SECRET_KEY=key,
        FIELD_ENCRYPTION_KEYS=GOOD_KEY,
    )
    completed = run_manage("check", env=environment)

    assert completed.returncode != 0
    assert "SECRET_KEY is a placeholder or too short" in completed.stderr


def test_production_settings_refuse_debug():
    environment = project_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ENV_FILE="/nonexistent",
        DEBUG="true",
        SECRET_KEY="x7#kq-production-like-secret-key-with-enough-entropy-9f2c1d8e7b6a5",
        FIELD_ENCRYPTION_KEYS=GOOD_KEY,
    )
    completed = run_manage("check", env=environment)

    assert completed.returncode != 0
    assert "DEBUG" in completed.stderr


@pytest.mark.parametrize(("trust", "header"), [(None, "None"), ("false", "None"), ("true", "('HTTP_X_FORWARDED_PROTO', 'https')")])
def test_production_trusts_x_forwarded_proto_only_behind_the_proxy(trust, header):
    environment = project_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ENV_FILE="/nonexistent",
        DEBUG="false",
        SECRET_KEY="x7#kq-production-like-secret-key-with-enough-entropy-9f2c1d8e7b6a5",
        FIELD_ENCRYPTION_KEYS=GOOD_KEY,
        TRUST_PROXY_HEADERS=trust,
    )
    completed = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        env=environment,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == header
