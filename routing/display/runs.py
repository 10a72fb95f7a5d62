"""Route runs in words, for the pages and the API: one sentence per run, the base's run history,
estimates, and what a refused action on a run says. Every read is scoped to one user (through
the base) and bounded.

Listener pages show listener words; the engineer's figures (Spotify requests, cache hit rates,
the measured seconds per request) are worded apart (`*_figures`), for a "Details" toggle."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import ngettext

from core.runs import ACTIVE_STATUSES, RunStatus
from routing.models import BasePlaylist, ChildBackup, ChildPlaylist, RouteRun, RouteRunKind
from routing.naming import first_up, run_name
from routing.services.estimate import RouteEstimate

RUN_HISTORY_LIMIT = 25


def counted(number: int, singular: str, plural: str) -> str:
    """ "1 child", "2 children": the number with its noun."""
    return f"{number} {ngettext(singular, plural, number)}"


def _children(number: int) -> str:
    return counted(number, "child", "children")


def _child_playlists(number: int) -> str:
    return counted(number, "child playlist", "child playlists")


def when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# RouteRun.trigger's values (routing.services.triggers.RouteTrigger, plus the schedule's), worded.
_TRIGGER_WORDS = {
    "button": "you pressed Route now",
    "api": "through the API",
    "retry": "a retry",
    "import": "after an import",
    "schedule": "on schedule",
}


def describe_trigger(run: RouteRun) -> str:
    """Why the run started: "you pressed Route now", "after an import", "an undo"."""
    if run.kind == RouteRunKind.RESTORE:
        return "a retried undo" if run.trigger == "retry" else "an undo"
    return _TRIGGER_WORDS.get(run.trigger, "")


def describe_route(event: RouteRun) -> str:
    """One sentence about a route run: as the API says it while active, and as a history row after."""
    if event.status in ACTIVE_STATUSES:
        return describe_run(event)
    added, removed = _moved(event)
    moved = f"{counted(added, 'track', 'tracks')} added, {removed} removed"
    # Pages show the status as a badge beside this sentence: it starts with when, not what.
    at = f"{when(event.finished_at)} — " if event.finished_at else ""
    children = _children(event.children_done)
    if event.status == RunStatus.SUCCEEDED and event.kind == RouteRunKind.RESTORE:
        skipped = (event.details or {}).get("skipped") or []
        left = f" Left alone (now part of another routing set-up): {', '.join(skipped)}." if skipped else ""
        children = _children(event.children_done - len(skipped))
        return f"{at}{children} brought back to before {run_name(event.restore_of)}, {moved}.{left}"
    if event.status == RunStatus.SUCCEEDED:
        return f"{at}{children} routed, {moved}.{_unknown_artists(event)}"
    if event.status == RunStatus.CANCELLED and "discarded" in str((event.details or {}).get("cancelled_by")):
        return f"{at}discarded: you did not confirm its removals, so nothing was written."
    if event.status == RunStatus.FAILED and not event.children_total:
        return f"{at}stopped before routing any child ({moved})."
    if event.status == RunStatus.FAILED:
        return f"{at}stopped after {event.children_done} of {_children(event.children_total)} ({moved})."
    return f"{at}cancelled."


def describe_run(run: RouteRun) -> str:
    """One sentence about a route or restore, the same in the API and on the page's live status."""
    if run.status == RunStatus.WAITING:
        children = ((run.details or {}).get("confirmation") or {}).get("children") or []
        names = ", ".join(f"“{child['name']}”" for child in children)
        return (
            f"Waiting for your confirmation: it would remove many tracks from {names}. "
            "Nothing has been written; confirm or discard it."
        )
    restore = run.kind == RouteRunKind.RESTORE
    if run.status == RunStatus.QUEUED:
        if run.resume_at and run.resume_at > timezone.now():
            return f"Paused by Spotify's rate limit until {_stamp(run.resume_at)}; it resumes by itself."
        return "Queued: it starts as soon as a worker is free."
    if run.status == RunStatus.RUNNING and restore:
        return (
            f"Restoring the children of {run_name(run.restore_of)}: {run.children_done} of "
            f"{_child_playlists(run.children_total)} done."
        )
    if run.status == RunStatus.RUNNING:
        if not run.children_total:
            return "Routing: reading the base playlist and the children's filters…"
        return (
            f"Routing {counted(run.tracks, 'track', 'tracks')}: {run.children_done} of "
            f"{_child_playlists(run.children_total)} done."
        )
    if run.status == RunStatus.SUCCEEDED and restore:
        return _describe_restored(run)
    if run.status == RunStatus.SUCCEEDED:
        added, removed = _moved(run)
        return (
            f"Completed {_stamp(run.finished_at)}: {counted(run.tracks, 'track', 'tracks')} routed into "
            f"{_child_playlists(run.children_done)}; {added} added, {removed} removed.{_unknown_artists(run)}"
        )
    if run.status == RunStatus.FAILED:
        return f"Failed {_stamp(run.finished_at)}."
    return f"Cancelled {_stamp(run.finished_at)}."


def _describe_restored(run: RouteRun) -> str:
    added, removed = _moved(run)
    skipped = (run.details or {}).get("skipped") or []
    left = f" Left alone (now part of another routing set-up): {', '.join(skipped)}." if skipped else ""
    inexact = (run.details or {}).get("inexact") or []
    if inexact:
        left += (
            f" {', '.join(inexact)}: every track is back, but a repeated one only once (Spotify's API "
            "cannot place copies around local files); the backup lists them."
        )
    return (
        f"Completed {_stamp(run.finished_at)}: {_child_playlists(run.children_done - len(skipped))} "
        f"brought back to before {run_name(run.restore_of)}; {added} added, {removed} removed.{left}"
    )


def _unknown_artists(run: RouteRun) -> str:
    """Artists of the base Spotify does not know: skipped by the genre filter, said so."""
    unknown = int(((run.details or {}).get("cache") or {}).get("unknown_to_spotify") or 0)
    if not unknown:
        return ""
    return f" {counted(unknown, 'artist', 'artists')} unknown to Spotify (no genres for them)."


def _moved(run: RouteRun) -> tuple[int, int]:
    """Tracks a route or restore added and removed, over all its children."""
    writes = (run.details or {}).get("writes") or {}
    added = sum(int(w.get("added") or 0) for w in writes.values())
    removed = sum(int(w.get("removed") or 0) for w in writes.values())
    return added, removed


def _stamp(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def describe_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


# The listener's estimate is coarse on purpose. Its inputs move between two loads of a page:
# the measured rate shifts with every run that finishes (at the sandbox's 0.02 s a request, one
# slow request doubles it), a background lookup of artists takes requests off the count, an
# import changes the base. A figure to the second ("about 1 s", then "about 3 s") would change
# with them; these bands do not, and the exact figures stay behind "Details".
_MINUTE_BANDS = (2, 3, 5, 10, 15, 20, 30, 45, 60, 90)


def describe_estimate(estimate: RouteEstimate) -> str:
    """How long the next route should take, for the listener: "a few seconds", "up to 5 minutes"."""
    seconds = estimate.seconds
    if seconds < 10:
        return "a few seconds"
    if seconds < 60:
        return "under a minute"
    minutes = seconds / 60
    band = next((band for band in _MINUTE_BANDS if minutes <= band), None)
    if band is not None:
        return f"up to {band} minutes"
    return f"up to {counted(math.ceil(minutes / 60), 'hour', 'hours')}"


def describe_estimate_figures(estimate: RouteEstimate) -> str:
    """The estimate's figures: "about 12 s: 85 Spotify requests at the measured 0.14 s each"."""
    requests = counted(estimate.requests, "Spotify request", "Spotify requests")
    rate = f"{estimate.seconds_per_request:.2f} s each"
    if estimate.measured:
        return f"about {describe_duration(estimate.seconds)}: {requests} at the measured {rate}"
    return (
        f"about {describe_duration(estimate.seconds)}: {requests} at a default {rate} "
        "(no run of yours has been measured yet)"
    )


# --- refusals that the run itself has overtaken ------------------------------------------------
def describe_overtaken_action(run: RouteRun, *, verb: str) -> str | None:
    """Cancel, confirm or discard ("verb") refused because the run moved on by itself meanwhile:
    one sentence that agrees with the run's card on the page it returns to, instead of a refusal
    above a card saying the run finished. None: the refusal stands (the run is running, say).
    ``run`` is as it is now."""
    name = first_up(run_name(run))
    if run.status not in ACTIVE_STATUSES:
        status = run.get_status_display().lower()
        return f"{name} had already finished ({status}): there was nothing left to {verb}."
    if verb in ("confirm", "discard") and run.status == RunStatus.QUEUED:
        return f"{name} no longer waits for your confirmation: it is queued again."
    if verb in ("confirm", "discard") and run.status == RunStatus.RUNNING:
        return f"{name} no longer waits for your confirmation: it is running now."
    return None


def describe_overtaken_busy(*, kind: str, run: RouteRun | None) -> str:
    """A set-up change refused because a run was active, when that run has finished since the
    refusal (the page below already says so): nothing was changed, and it can be sent again."""
    return (
        f"Nothing was changed: {run_name(run, kind=kind)} was still running when this arrived. "
        "It has finished since, so you can send it again."
    )


@dataclass(frozen=True)
class ChildWrites:
    name: str
    added: int
    removed: int
    requests: int


@dataclass(frozen=True)
class RunRow:
    """One route or restore run in the base's history."""

    event: RouteRun
    name: str  # "Route of 6 Dec 2026, 06:37"
    origin: str  # "You pressed Route now · retries the route of 5 Dec 2026, 22:10"
    summary: str
    duration: str
    cache: str  # hit rates of the run's caches, in words
    writes: list[ChildWrites]
    retryable: bool
    backups: list[ChildBackup]  # one per child it wrote to: what the child held before it
    restorable: bool  # "Restore the children to before this run" is offered


def run_history(*, base: BasePlaylist, children: list[ChildPlaylist]) -> list[RunRow]:
    """The base's route and restore runs, newest first (the last RUN_HISTORY_LIMIT)."""
    events = (
        RouteRun.objects.filter(user=base.user, base=base)
        .order_by("-created_at", "-id")
        .annotate(times_retried=Count("retried_by"))
        # The history names the run each retries or undoes by its date: one join, not a query a row.
        .select_related("retry_of", "restore_of")
        .prefetch_related(
            # Not the rows themselves: a page of runs must not load every backed-up track list.
            Prefetch(
                "backups",
                queryset=ChildBackup.objects.only("id", "run_id", "name", "spotify_id", "created_at"),
            )
        )
    )[:RUN_HISTORY_LIMIT]
    child_names = {child.spotify_id: child.name for child in children}
    busy = any(event.status in ACTIVE_STATUSES for event in events)
    return [_run_row(event, child_names, base_busy=busy) for event in events]


def _run_row(event: RouteRun, child_names: Mapping[str, str], *, base_busy: bool) -> RunRow:
    details = event.details or {}
    if "duration_ms" in details:
        duration = describe_duration(details["duration_ms"] / 1000)
    elif event.started_at and event.finished_at:
        duration = describe_duration((event.finished_at - event.started_at).total_seconds())
    else:
        duration = ""
    writes = [
        ChildWrites(
            # A child detached since keeps its Spotify id in the record: show that rather than nothing.
            name=child_names.get(spotify_id, spotify_id),
            added=int(w.get("added") or 0),
            removed=int(w.get("removed") or 0),
            requests=int(w.get("requests") or 0),
        )
        for spotify_id, w in (details.get("writes") or {}).items()
    ]
    return RunRow(
        event=event,
        name=first_up(run_name(event).removeprefix("the ")),
        origin=_origin(event),
        summary=describe_route(event),
        duration=duration,
        cache=_cache_words(details),
        writes=writes,
        retryable=event.status in (RunStatus.FAILED, RunStatus.CANCELLED) and not event.times_retried,
        backups=list(event.backups.all()),
        restorable=not base_busy and event.status not in ACTIVE_STATUSES and bool(event.backups.all()),
    )


def _origin(event: RouteRun) -> str:
    """Why the run started and which run it retries or undoes, each named by its date."""
    parts = [describe_trigger(event)]
    if event.retry_of_id:
        parts.append(f"retries {run_name(event.retry_of)}")
    if event.restore_of_id:
        parts.append(f"undoes {run_name(event.restore_of)}")
    return first_up(" · ".join(part for part in parts if part))


def _cache_words(details: Mapping[str, Any]) -> str:
    """The run's two caches: artists' metadata (after the mirror) and the children's items."""
    parts = []
    artists = details.get("cache") or {}
    if artists.get("hit_rate") is not None:
        parts.append(f"artists {round(artists['hit_rate'] * 100)}%")
    elif artists.get("mirror"):
        # Every artist was fresh in the mirror: the cache was not needed at all.
        parts.append(f"artists: all {artists['mirror']} from the mirror")
    children = details.get("playlist_items_cache") or {}
    if children.get("hit_rate") is not None:
        parts.append(f"children {round(children['hit_rate'] * 100)}%")
    return " · ".join(parts)


