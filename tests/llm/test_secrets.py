"""A provider's API key: encrypted at rest, sent to its server, and nowhere else."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

import accounts.fields
import core.encryption
from llm.models import Provider
from llm.services import complete_json
from llm.services.clients import ProviderConfig
from llm.services.health import check_providers
from tests.llm.conftest import PRIMARY_KEY
from tests.llm.support import MESSAGES, MOOD_SCHEMA

pytestmark = pytest.mark.django_db


def test_the_key_is_stored_encrypted_and_read_back_in_clear(providers):
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM llm_provider WHERE name = 'primary'")
        stored = cursor.fetchone()[0]

    assert PRIMARY_KEY not in stored
    assert Provider.objects.get(name="primary").api_key == PRIMARY_KEY


def test_the_key_is_in_no_repr_or_str(providers):
    provider = Provider.objects.get(name="primary")
    config = ProviderConfig.from_provider(provider)

    for text in (repr(provider), str(provider), repr(config), str(config)):
        assert PRIMARY_KEY not in text
    assert config.api_key == PRIMARY_KEY


def test_the_key_is_in_no_log_line_through_fail_overs_and_health_checks(providers, llm_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    llm_sandbox.fault(provider="primary", kind="status", status=401, count=1)
    llm_sandbox.fault(provider="primary", kind="malformed", count=2)

    complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood")
    complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood")
    check_providers()

    assert "failing over" in caplog.text
    assert PRIMARY_KEY not in caplog.text


def test_accounts_fields_still_offers_the_field_its_migrations_name():
    # The implementation moved to core.encryption so llm need not import accounts.
    assert accounts.fields.EncryptedTextField is core.encryption.EncryptedTextField
    assert accounts.fields.DecryptionError is core.encryption.DecryptionError
