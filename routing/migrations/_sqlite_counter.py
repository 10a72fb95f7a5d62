"""Keeping routing_routerun's id counter across a SQLite table copy (not a migration itself: the
loader skips modules starting with an underscore).

SQLite adds a NOT NULL column by copying the table into a new one, whose id counter then restarts
from its highest id: route runs would lose the head start 0005 gave them past the imports' ids (and
could take an id an import had when migrated back). A migration that copies the table runs
`read_counter` before and `restore_counter` after (and the reverse when migrating back).
"""

_counters: dict[str, int] = {}
TABLE = "routing_routerun"


def read_counter(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [TABLE])
        row = cursor.fetchone()
    if row is not None:
        _counters[TABLE] = row[0]


def restore_counter(apps, schema_editor):
    seq = _counters.pop(TABLE, None)
    if schema_editor.connection.vendor != "sqlite" or seq is None:
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [seq, TABLE])
        if not cursor.rowcount:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [TABLE, seq])
