"""accounts 0006 moves the plaintext tokens of DRF's authtoken table (a database from before
this release) into ApiToken, hashed and named "migrated token", and empties that table: scripts
keep their token, no listener token remains in plaintext."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0005_api_tokens")]
AFTER = [("accounts", "0006_move_drf_tokens")]
CREATED = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
KEYS = {"ada": "0123456789abcdef0123456789abcdef01234567", "bob": "fedcba9876543210fedcba9876543210fedcba98"}


@pytest.fixture
def drf_table():
    """DRF's authtoken_token as its migrations made it (the app is no longer installed)."""
    created = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) NOT NULL PRIMARY KEY, '
            f'"created" {created} NOT NULL, "user_id" bigint NOT NULL UNIQUE)'
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE authtoken_token")


def _insert(key: str, user_id: int) -> None:
    # As Django stores an aware time: UTC, and naive on SQLite.
    created = CREATED if connection.vendor == "postgresql" else CREATED.replace(tzinfo=None)
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO authtoken_token ("key", "created", "user_id") VALUES (%s, %s, %s)', [key, created, user_id]
        )


def test_drf_tokens_become_hashed_migrated_tokens_that_still_work_and_the_plaintext_goes(drf_table):
    old = migrate_to(BEFORE)
    User = old.get_model("accounts", "User")
    users = {name: User.objects.create(username=name) for name in KEYS}
    for name, key in KEYS.items():
        _insert(key, users[name].pk)

    new = migrate_to(AFTER)

    ApiToken = new.get_model("accounts", "ApiToken")
    rows = {row.user_id: row for row in ApiToken.objects.all()}
    assert set(rows) == {user.pk for user in users.values()}
    for name, key in KEYS.items():
        row = rows[users[name].pk]
        assert (row.name, row.created_at, row.expires_at, row.last_used_at) == ("migrated token", CREATED, None, None)
        assert row.digest == hashlib.sha256(key.encode()).hexdigest() and row.prefix == key[:12]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert all(key not in stored and key[12:] not in stored for key in KEYS.values())

    migrate_to_latest()
    script = APIClient()
    answer = script.get("/api/me/", HTTP_AUTHORIZATION=f"Token {KEYS['ada']}")
    assert answer.status_code == 200 and answer.json()["id"] == users["ada"].pk


def test_a_database_without_drf_s_table_migrates_without_it():
    migrate_to(BEFORE)

    new = migrate_to(AFTER)

    assert not new.get_model("accounts", "ApiToken").objects.exists()
    assert "authtoken_token" not in connection.introspection.table_names()
    migrate_to_latest()
