"""A year from now, end to end: a sandbox of its own whose listener was active until a year ahead
(`--now`), and our clock moved to the same instant. Through the real services a listener signs
in, imports, and the after-import refresh polls the history and ingests the snapshots: the
Insights page's default range (the last four weeks) shows the plays.

The sandbox serves dates relative to its anchor and we never assume the real date, so this
holds on any day; `make test-future` runs the whole suite with the clock a year ahead."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from insights import tasks
from insights.models import ListeningSnapshot, Play, TimeRange
from insights.services.after_import import REFRESH_TASK
from core.runs import RunStatus
from tests.fixtures.sandbox import SandboxServer, _start, point_django_at
from tests.support.processes import stop
from tests.sync.cluster_support import signed_in
from tests.sync.import_support import import_library

pytestmark = pytest.mark.django_db

AHEAD = timedelta(days=366)


@pytest.fixture(scope="module")
def sandbox_a_year_ahead() -> Iterator[SandboxServer]:
    anchor = (datetime.now(UTC) + AHEAD).replace(microsecond=0)
    with tempfile.TemporaryFile() as log:
        process, server = _start(log, "--now", anchor.strftime("%Y-%m-%dT%H:%M:%SZ"))
        try:
            yield server
        finally:
            stop(process, timeout=5)


@pytest.fixture
def future(sandbox_a_year_ahead, settings, time_machine) -> SandboxServer:
    """That sandbox, reset, with Django pointed at it and its clock at the sandbox's now
    (in this process only: the sandbox keeps the real clock plus its anchor's lead)."""
    sandbox_a_year_ahead.reset()
    point_django_at(sandbox_a_year_ahead, settings)
    settings.TIME_ZONE = "UTC"
    time_machine.move_to(sandbox_a_year_ahead.now(), tick=True)
    return sandbox_a_year_ahead


def test_a_year_from_now_the_insights_page_shows_the_plays_of_the_last_four_weeks(
    future, queue, client, django_capture_on_commit_callbacks
):
    now = future.now()
    user = signed_in(future, "other")
    with django_capture_on_commit_callbacks(execute=True):
        imported = import_library(user)
    # Run here what the import queued (no LLM provider, so no song analyses to wait for).
    (refresh,) = queue.of(REFRESH_TASK)
    done = tasks.refresh_listening(*refresh[1:])
    client.force_login(user)
    page = client.get("/insights/").content.decode()

    assert imported.status == RunStatus.SUCCEEDED
    assert "(50 new play(s)); 3 snapshot(s)" in done
    newest = Play.objects.filter(user=user).latest("played_at").played_at
    assert now - timedelta(days=2) < newest < now  # a year ahead, like the sandbox's history
    short = ListeningSnapshot.objects.get(user=user, time_range=TimeRange.SHORT)
    assert short.snapshot_date == now.date() and short.play_count == 50
    assert "50 plays counted (last 4 weeks)" in page and 'class="heat-cell"' in page
    assert future.violations() == []
