"""Database errors as Django hands them to our code, for the paths that meet them only under real
concurrency (tests/core/test_run_conflicts.py makes a real PostgreSQL deadlock too)."""

from __future__ import annotations

import psycopg
from django.db import OperationalError


def wrapped(error: Exception, *, as_type: type[Exception] = OperationalError) -> Exception:
    """`error` as Django raises it: its own class, caused by the driver's error."""
    try:
        raise as_type(str(error)) from error
    except as_type as exc:
        return exc


def deadlock() -> Exception:
    """What Django raises when PostgreSQL picks this transaction as a deadlock's loser."""
    return wrapped(psycopg.errors.DeadlockDetected("deadlock detected"))
