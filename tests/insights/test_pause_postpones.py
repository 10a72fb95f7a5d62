"""Spotify's pause of the deployment postpones insights' Spotify work to its end, never fails it:
one listener's ingest (for the day it was asked for), the daily round, the after-import refresh."""

from __future__ import annotations

import ast
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_q.models import Schedule

from accounts.models import SpotifyPause
from insights import tasks
from insights.models import ListeningSnapshot
from core.runs import RunStatus
from insights.services import after_import, ingests
from tests.accounts.factories import SpotifyPauseFactory
from tests.sync.cluster_support import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def paused(sandbox):
    pause = SpotifyPauseFactory(until=timezone.now() + timedelta(hours=14))
    sandbox.control("DELETE", "counters")
    return pause


def test_one_listeners_ingest_is_postponed_for_the_day_it_was_asked_for(sandbox, paused):
    user = signed_in(sandbox, "demo")
    day = timezone.localdate()

    ingest, _ = ingests.request_ingest(user=user)

    said = tasks.run_ingest(ingest.pk)

    assert "queued" in said and not ListeningSnapshot.objects.exists()
    ingest.refresh_from_db()
    assert (ingest.status, ingest.resume_at, ingest.snapshot_date) == (RunStatus.QUEUED, paused.until, day)
    schedule = Schedule.objects.get(name=ingest.resume_schedule_name())
    assert schedule.func == "insights.tasks.run_ingest" and schedule.next_run == paused.until
    assert ast.literal_eval(schedule.args) == (ingest.pk,)
    assert sandbox.counters()["total"] == 0


def test_the_after_import_refresh_waits_for_the_pause_and_keeps_its_day_open(sandbox, paused):
    user = signed_in(sandbox, "demo")

    said = tasks.refresh_listening(user.pk)

    assert said.startswith(f"listening refresh of user #{user.pk}: postponed to")
    schedule = Schedule.objects.get(name=after_import.fallback_schedule_name(user.pk))
    assert schedule.next_run == paused.until and sandbox.counters()["total"] == 0
    # The day's claim was given back, so the refresh runs when the schedule fires.
    assert cache.add(f"listening-refresh:{user.pk}:{timezone.localdate().isoformat()}", True) is True
