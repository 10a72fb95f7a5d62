"""After a listener's first import of the day: history, snapshots and a wellness insight,
once the import's song analyses settled (listening for analyses_settled, never polling)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from analysis.models import AnalysisBatch
from core.runs import RunStatus
from insights import tasks
from insights.models import GeneratedInsight, ListeningSnapshot, Play
from analysis.services.settling import announce_if_settled
from insights.services.after_import import (
    MAX_WAIT,
    REFRESH_TASK,
    fallback_schedule_name,
    queue_listening_after_import,
)
from tests.accounts.factories import UserFactory
from tests.insights.factories import ListeningSnapshotFactory
from tests.sync.cluster_support import signed_in

pytestmark = pytest.mark.django_db


def test_the_first_import_of_the_day_queues_one_refresh_and_later_ones_none(
    queue, django_capture_on_commit_callbacks
):
    user = ListeningSnapshotFactory(snapshot_date=timezone.localdate() - timedelta(days=1)).user

    with django_capture_on_commit_callbacks(execute=True):
        assert queue_listening_after_import(user_id=user.pk) is True
    (call,) = queue.of(REFRESH_TASK)
    assert call[1] == user.pk

    ListeningSnapshotFactory(user=user, snapshot_date=timezone.localdate())
    assert queue_listening_after_import(user_id=user.pk) is False  # today's snapshots exist


def test_while_the_imports_analyses_run_the_refresh_waits_for_them_to_settle_with_a_fallback(
    queue, django_capture_on_commit_callbacks
):
    user = UserFactory()
    batch = AnalysisBatch.objects.create(user=user, prompt_version="v", status=RunStatus.RUNNING)

    with django_capture_on_commit_callbacks(execute=True):
        assert queue_listening_after_import(user_id=user.pk) is True

    assert queue.of(REFRESH_TASK) == []  # nothing polls meanwhile
    (fallback,) = Schedule.objects.filter(func=REFRESH_TASK)
    assert fallback.schedule_type == Schedule.ONCE and fallback.name == fallback_schedule_name(user.pk)
    assert timezone.now() + MAX_WAIT - timedelta(minutes=1) < fallback.next_run <= timezone.now() + MAX_WAIT

    # The listener's last batch ends: analysis announces it, and the refresh goes ahead at once.
    with django_capture_on_commit_callbacks(execute=True):
        AnalysisBatch.objects.filter(pk=batch.pk).update(status=RunStatus.SUCCEEDED)
        announce_if_settled(user_id=user.pk)

    assert queue.of(REFRESH_TASK) == [(REFRESH_TASK, user.pk)]
    assert not Schedule.objects.filter(func=REFRESH_TASK).exists()  # the fallback is not needed


def test_analyses_settling_after_midnight_still_refresh_the_listener_who_waited(
    queue, time_machine, django_capture_on_commit_callbacks
):
    """An import at 23:55 whose analyses end at 00:05: the wait is not lost with the date."""
    evening = timezone.make_aware(datetime.combine(timezone.localdate(), time(23, 55)))
    time_machine.move_to(evening, tick=False)
    user = UserFactory()
    batch = AnalysisBatch.objects.create(user=user, prompt_version="v", status=RunStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_listening_after_import(user_id=user.pk) is True
    assert Schedule.objects.filter(func=REFRESH_TASK).count() == 1

    time_machine.move_to(evening + timedelta(minutes=10), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        AnalysisBatch.objects.filter(pk=batch.pk).update(status=RunStatus.SUCCEEDED)
        announce_if_settled(user_id=user.pk)

    assert queue.of(REFRESH_TASK) == [(REFRESH_TASK, user.pk)]
    assert not Schedule.objects.filter(func=REFRESH_TASK).exists()  # yesterday's fallback went too


def test_with_redis_down_the_refresh_still_runs_and_the_fallback_still_waits(
    sandbox, analysis_llm, queue, settings, django_capture_on_commit_callbacks
):
    """django-redis with IGNORE_EXCEPTIONS (as configured) answers None for every call when Redis is
    down: the day's claim is unknown, not taken, so the refresh runs (its steps are idempotent)."""
    user = signed_in(sandbox, "demo")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers there
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    AnalysisBatch.objects.create(user=user, prompt_version="v", status=RunStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_listening_after_import(user_id=user.pk) is True
    assert Schedule.objects.filter(name=fallback_schedule_name(user.pk)).exists()  # kept in the database

    said = tasks.refresh_listening(user.pk)

    assert "snapshot(s)" in said
    assert ListeningSnapshot.objects.filter(user=user, snapshot_date=timezone.localdate()).count() == 3


def test_a_settle_with_nobody_waiting_queues_nothing(queue, django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        announce_if_settled(user_id=user.pk)

    assert queue.of(REFRESH_TASK) == []


def test_the_day_is_refreshed_once_whoever_comes_first(sandbox, analysis_llm, queue):
    user = signed_in(sandbox, "demo")

    first = tasks.refresh_listening(user.pk)
    second = tasks.refresh_listening(user.pk, 1764892800.0)  # a task queued by the older code

    assert "snapshot(s)" in first
    assert second.endswith("today's refresh already ran or is under way")
    assert ListeningSnapshot.objects.filter(user=user, snapshot_date=timezone.localdate()).count() == 3


def test_the_refresh_stores_history_and_snapshots_and_queues_the_wellness_insight(
    sandbox, analysis_llm, queue
):
    user = signed_in(sandbox, "demo")
    # The fallback's case: analyses still running, but the wait is over; it goes ahead.
    AnalysisBatch.objects.create(user=user, prompt_version="v", status=RunStatus.RUNNING)

    said = tasks.refresh_listening(user.pk)

    assert Play.objects.filter(user=user).count() == 50  # Spotify's last 50 plays
    assert ListeningSnapshot.objects.filter(user=user, snapshot_date=timezone.localdate()).count() == 3
    (insight,) = GeneratedInsight.objects.filter(user=user)
    assert (insight.kind, insight.tone, insight.snapshot.time_range) == ("wellness", "neutral", "short_term")
    assert "wellness insight: queued" in said
