"""Moving the test database to a point in the migration history and back, for migration tests
(which need `django_db(transaction=True)`)."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets: list[tuple[str, str | None]], *, state_of: list[tuple[str, str]] | None = None) -> Apps:
    """Migrate to `targets` and return the historical models as of `state_of` (default: `targets`)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(state_of or targets).apps


def migrate_to_latest() -> None:
    """Leave the database as the rest of the suite expects it."""
    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
