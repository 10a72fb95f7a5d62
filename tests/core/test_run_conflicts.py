"""A step the database rolled back to settle a conflict with another transaction (a deadlock, a
serialization failure) is recognised as such, on PostgreSQL for real, and nothing else is."""

from __future__ import annotations

import threading
from datetime import date

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, connections, transaction

from core.runs import RunStatus, lost_a_database_conflict
from library.models import Artist
from tests.library.factories import ArtistFactory
from tests.support.db_errors import deadlock, wrapped


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.SerializationFailure("could not serialize access"),
        deadlock(),
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


def _queued(kind: str):
    """A queued run of `kind`, as its request would leave it."""
    from analysis.models import AnalysisBatch
    from insights.models import HistoryImport, ListeningIngest, TrackLookup
    from tests.accounts.factories import UserFactory
    from tests.routing.factories import BasePlaylistFactory, RouteRunFactory
    from tests.sync.factories import SyncEventFactory

    user = UserFactory()
    made = {
        "import": lambda: SyncEventFactory(user=user),
        "route": lambda: RouteRunFactory(base=BasePlaylistFactory(user=user)),
        "history import": lambda: HistoryImport.objects.create(user=user, original_name="export.zip"),
        "track lookup": lambda: TrackLookup.objects.create(user=user),
        "listening ingest": lambda: ListeningIngest.objects.create(user=user, snapshot_date=date(2026, 1, 2)),
        "analysis batch": lambda: AnalysisBatch.objects.create(user=user),
    }
    return made[kind]()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind, goes_on",
    [
        ("import", True),
        ("history import", True),
        ("track lookup", True),
        ("listening ingest", True),
        ("analysis batch", True),
        ("route", False),  # its Spotify writes sit outside the transaction: the listener decides
    ],
)
def test_which_runs_go_on_in_a_new_turn_after_a_conflict(kind, goes_on, queue, django_capture_on_commit_callbacks):
    from core import runs

    sent = queue
    run = _queued(kind)
    model = type(run)
    claim = runs.claim(model, pk=run.pk)
    assert claim is not None

    with django_capture_on_commit_callbacks(execute=True):
        answered = claim.retry_after_conflict(deadlock())

    after = model.objects.get(pk=run.pk)
    assert answered is goes_on
    if goes_on:
        assert (after.status, after.claimed_by, after.error) == (RunStatus.QUEUED, "", "")
        assert [call[:2] for call in sent.calls] == [(model.run_task, run.pk)]  # to the back of its queue
        # Any other error is never retried, whatever the kind.
        again = runs.claim(model, pk=run.pk)
        assert again is not None and not again.retry_after_conflict(ValueError("deadlock detected"))
    else:
        assert after.status == RunStatus.RUNNING and not sent.calls  # the caller fails it as before


@pytest.mark.django_db
def test_a_run_that_keeps_losing_conflicts_fails_after_the_fifth_retry(queue, django_capture_on_commit_callbacks):
    from core import runs

    run = _queued("history import")
    error = deadlock()
    answers = []
    for _ in range(runs.CONFLICT_RETRIES + 1):
        claim = runs.claim(type(run), pk=run.pk)
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(claim.retry_after_conflict(error))

    # Five times it goes on; the sixth in the hour it is left running for its caller to fail.
    assert answers == [True] * runs.CONFLICT_RETRIES + [False]
    assert type(run).objects.get(pk=run.pk).status == RunStatus.RUNNING
    # Another run's count is its own.
    other = _queued("history import")
    assert runs.claim(type(other), pk=other.pk).retry_after_conflict(error)
