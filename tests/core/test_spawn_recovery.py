"""One post_spawn receiver hands back every kind of run a dead worker left on this host: each as
its model says (queued again, or failed with a reason to retry), written insights included, and
one kind's failure never stops the others nor the worker from starting."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django_q.signals import post_spawn

from core import recovery
from core.runs import RunStatus, run_models
from core.workers import this_host
from tests.support.processes import dead_pid

pytestmark = pytest.mark.django_db




def _orphans() -> dict[str, object]:
    """A run of every kind, running for a process of this host that is gone."""
    from analysis.models import AnalysisBatch
    from insights.models import HistoryImport, ListeningIngest, TrackLookup
    from tests.accounts.factories import UserFactory
    from tests.insights.factories import GeneratedInsightFactory
    from tests.routing.factories import BasePlaylistFactory, RouteRunFactory
    from tests.sync.factories import SyncEventFactory

    dead = {"status": RunStatus.RUNNING, "claimed_by": f"{this_host()}:{dead_pid()}"}
    user = UserFactory()
    return {
        "SyncEvent": SyncEventFactory(user=user, **dead),
        "RouteRun": RouteRunFactory(base=BasePlaylistFactory(user=user), **dead),
        "AnalysisBatch": AnalysisBatch.objects.create(user=user, **dead),
        "HistoryImport": HistoryImport.objects.create(user=user, original_name="export.zip", **dead),
        "TrackLookup": TrackLookup.objects.create(user=user, **dead),
        "ListeningIngest": ListeningIngest.objects.create(user=user, snapshot_date=date(2026, 1, 2), **dead),
        "GeneratedInsight": GeneratedInsightFactory(user=user, headline="", paragraphs=[], **dead),
    }


def test_every_kind_of_run_a_dead_worker_left_is_handed_back_as_its_model_says(queue):
    orphans = _orphans()
    # Every model of a run the apps define has its orphan here: a new kind joins this test.
    assert {model.__name__ for model in run_models()} == set(orphans)
    from tests.sync.factories import SyncEventFactory

    alive = SyncEventFactory(running=True, claimed_by=f"{this_host()}:{os.getppid()}")

    post_spawn.send(sender="django_q", proc_name="Process-test")

    for name, run in orphans.items():
        after = type(run).objects.get(pk=run.pk)
        model = type(run)
        if model.resume_orphans:
            assert (after.status, after.error) == (RunStatus.QUEUED, model.resumed_note), name
        else:
            assert (after.status, after.error) == (RunStatus.FAILED, model.orphaned_reason), name
    assert type(alive).objects.get(pk=alive.pk).status == RunStatus.RUNNING  # its worker lives


def test_one_kinds_failure_never_stops_the_others_nor_the_worker(monkeypatch, caplog, queue):
    orphans = _orphans()
    real = recovery.recover_orphans

    def broken_for_imports(model, **kwargs):
        if model.__name__ == "SyncEvent":
            raise RuntimeError("database went away")
        return real(model, **kwargs)

    monkeypatch.setattr(recovery, "recover_orphans", broken_for_imports)

    post_spawn.send(sender="django_q", proc_name="Process-test")  # does not raise

    assert "Recovering dead workers' import runs failed in Process-test" in caplog.text
    imports = orphans.pop("SyncEvent")
    assert type(imports).objects.get(pk=imports.pk).status == RunStatus.RUNNING  # the schedule's, later
    assert all(type(run).objects.get(pk=run.pk).status != RunStatus.RUNNING for run in orphans.values())
