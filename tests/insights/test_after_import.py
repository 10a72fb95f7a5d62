"""After a listener's first import of the day: history, snapshots and a wellness insight,
once the import's song analyses are done (waiting by re-scheduling, never in a worker)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from analysis.models import AnalysisBatch
from core.runs import RunStatus
from insights import tasks
from insights.models import GeneratedInsight, ListeningSnapshot, Play
from insights.services import after_import
from insights.services.after_import import REFRESH_TASK, queue_listening_after_import
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


def test_a_second_refresh_of_the_day_stops_while_the_first_one_waits(sandbox):
    user = signed_in(sandbox, "demo")
    AnalysisBatch.objects.create(user=user, prompt_version="v", status=RunStatus.RUNNING)
    first, second = timezone.now().timestamp(), timezone.now().timestamp() + 1

    assert "waiting for song analyses" in tasks.refresh_listening(user.pk, first)
    assert tasks.refresh_listening(user.pk, second).endswith("another refresh of today is under way")
    assert "waiting for song analyses" in tasks.refresh_listening(user.pk, first)  # the first goes on
    assert Schedule.objects.filter(func=REFRESH_TASK).count() == 2  # only the first chain's


def test_the_refresh_waits_by_rescheduling_while_the_listeners_analyses_run(sandbox):
    user = signed_in(sandbox, "demo")
    AnalysisBatch.objects.create(user=user, prompt_version="v", status=RunStatus.RUNNING)

    said = tasks.refresh_listening(user.pk, timezone.now().timestamp())

    assert "waiting for song analyses" in said
    (again,) = Schedule.objects.filter(func=REFRESH_TASK)
    assert again.schedule_type == Schedule.ONCE and again.next_run > timezone.now()
    assert not ListeningSnapshot.objects.filter(user=user).exists()


def test_the_refresh_stores_history_and_snapshots_and_queues_the_wellness_insight(
    sandbox, analysis_llm, queue
):
    user = signed_in(sandbox, "demo")
    # Analyses still running, but the import finished longer ago than the wait allows.
    AnalysisBatch.objects.create(user=user, prompt_version="v", status=RunStatus.RUNNING)
    long_ago = (timezone.now() - after_import.MAX_WAIT - timedelta(seconds=1)).timestamp()

    said = tasks.refresh_listening(user.pk, long_ago)

    assert Play.objects.filter(user=user).count() == 50  # Spotify's last 50 plays
    assert ListeningSnapshot.objects.filter(user=user, snapshot_date=timezone.localdate()).count() == 3
    (insight,) = GeneratedInsight.objects.filter(user=user)
    assert (insight.kind, insight.tone, insight.snapshot.time_range) == ("wellness", "neutral", "short_term")
    assert "wellness insight: queued" in said
