"""Django-Q entry points of routing: take ids, call one service. Safe to run twice."""

from __future__ import annotations

from core import recovery
from core.jobs import job, user_of_row
from routing.models import RouteRun
from routing.services import auto_route, backups, dedupe, restore, route, warm_up


@job(label="Route", user_of=user_of_row(model="routing.RouteRun", name="run_id"))
def run_route(run_id: int) -> str:
    """Run the queued route `run_id`; a second delivery finds it claimed or finished."""
    run = route.run_route(run_id=run_id)
    if run is None:
        return f"route #{run_id}: no such run"
    return f"route #{run_id}: {run.status}"


@job(label="Restore", user_of=user_of_row(model="routing.RouteRun", name="run_id"))
def run_restore(run_id: int) -> str:
    """Run the queued restore `run_id`; a second delivery finds it claimed or finished."""
    run = restore.run_restore(run_id=run_id)
    if run is None:
        return f"restore #{run_id}: no such run"
    return f"restore #{run_id}: {run.status}"


@job(label="Duplicate removal", user_of=user_of_row(model="routing.RouteRun", name="run_id"))
def run_dedupe(run_id: int) -> str:
    """Run the queued duplicate removal `run_id`; a second delivery finds it claimed or finished."""
    run = dedupe.run_dedupe(run_id=run_id)
    if run is None:
        return f"duplicate removal #{run_id}: no such run"
    return f"duplicate removal #{run_id}: {run.status}"


@job(label="Artist metadata warm-up", user_of=user_of_row(model="routing.BasePlaylist", name="base_id"))
def warm_up_metadata(base_id: int, claim: str) -> str:
    """Look up the base's artists the live preview found unknown; a stale or repeated delivery
    holds an old claim and does nothing."""
    return warm_up.run_warm_up(base_id=base_id, claim=claim)


@job(label="Child backup pruning")
def prune_child_backups() -> str:
    """Daily: drop child backups past their retention (the newest few and a month are kept)."""
    return f"{backups.prune_backups()} child backup(s) pruned"


@job(label="Route bases done waiting for analyses")
def route_overdue_bases() -> str:
    """Every 5 minutes: route the automatic bases that waited for song analyses too long."""
    return f"{len(auto_route.route_overdue())} base(s) routed with the analyses there are"


@job(label="Route run recovery")
def recover_route_runs() -> str:
    """Every 5 minutes: fail route runs whose worker stopped, and enqueue again the queued ones
    whose task the broker lost (core.runs' one rule)."""
    failed = recovery.recover_stalled(RouteRun)
    requeued = recovery.requeue_lost(RouteRun)
    return f"{len(failed)} stuck route run(s) failed, {len(requeued)} lost one(s) enqueued again"
