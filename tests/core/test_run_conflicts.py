"""A step the database rolled back to settle a conflict with another transaction (a deadlock, a
serialization failure) is recognised as such, on PostgreSQL for real, and nothing else is."""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, connections, transaction

from core.runs import lost_a_database_conflict
from library.models import Artist
from tests.library.factories import ArtistFactory


def wrapped(error: Exception, *, as_type: type[Exception] = OperationalError) -> Exception:
    """`error` as Django hands it to our code: its own class, caused by the driver's error."""
    try:
        raise as_type(str(error)) from error
    except as_type as exc:
        return exc


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.SerializationFailure("could not serialize access"),
        wrapped(psycopg.errors.DeadlockDetected("deadlock detected")),
        wrapped(wrapped(psycopg.errors.SerializationFailure("could not serialize access"))),
    ],
    ids=["deadlock", "serialization", "django-deadlock", "twice-wrapped"],
)
def test_a_deadlock_or_serialization_failure_is_a_conflict_at_any_depth(error):
    assert lost_a_database_conflict(error)


@pytest.mark.parametrize(
    "error",
    [
        wrapped(psycopg.errors.UniqueViolation("duplicate key"), as_type=IntegrityError),
        wrapped(psycopg.errors.UndefinedColumn("column does not exist")),
        OperationalError("database is locked"),  # SQLite's: no SQLSTATE, and not settled for us
        ValueError("deadlock detected"),  # the words are not the code
    ],
    ids=["unique", "undefined-column", "sqlite-locked", "words-only"],
)
def test_other_errors_are_not_conflicts(error):
    assert not lost_a_database_conflict(error)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_real_postgresql_deadlock_is_recognised_and_only_its_loser_rolled_back():
    ArtistFactory(spotify_id="a1", name="One")
    ArtistFactory(spotify_id="a2", name="Two")
    both_hold_one = threading.Barrier(2)
    failures: list[Exception] = []

    def writer(first: str, second: str) -> None:
        try:
            with transaction.atomic():
                Artist.objects.filter(spotify_id=first).update(name=f"{first} by {first}")
                both_hold_one.wait(timeout=10)  # each holds one row and asks for the other's
                Artist.objects.filter(spotify_id=second).update(name=f"{second} by {first}")
        except Exception as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=pair) for pair in (("a1", "a2"), ("a2", "a1"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(failures) == 1 and lost_a_database_conflict(failures[0]), failures
    # The winner committed both its rows; the loser's first write was rolled back with it.
    names = set(Artist.objects.values_list("name", flat=True))
    assert names in ({"a1 by a1", "a2 by a1"}, {"a2 by a2", "a1 by a2"})
