"""Move the plaintext tokens of DRF's authtoken app into ApiToken, hashed, then delete them.

Each listener's old token becomes one named "migrated token" with the same secret, so scripts
keep working unchanged. `rest_framework.authtoken` is no longer installed, so its table is read
with SQL when a database has it (one made before this release); a new database has none and
nothing happens. The emptied table is left in place (see the README's upgrade notes).

Not reversible in substance: the plaintext is gone. Going back drops ApiToken (0005) and every
token with it; listeners then create new ones.
"""

import hashlib
from datetime import UTC, datetime

from django.db import migrations
from django.utils.dateparse import parse_datetime

DRF_TABLE = "authtoken_token"
NAME = "migrated token"
PREFIX_LENGTH = 12  # ApiToken.PREFIX_LENGTH, fixed here as of this migration


def _aware(value) -> datetime:
    # PostgreSQL answers an aware datetime; SQLite a naive one (or text) in UTC.
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def move_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        columns = ", ".join(quote(column) for column in ("key", "user_id", "created"))
        cursor.execute(f"SELECT {columns} FROM {quote(DRF_TABLE)}")
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name=NAME,
            prefix=key[:PREFIX_LENGTH],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            created_at=_aware(created),
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(DRF_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_api_tokens"),
    ]

    operations = [
        migrations.RunPython(move_drf_tokens, migrations.RunPython.noop),
    ]
