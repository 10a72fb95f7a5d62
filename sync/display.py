"""One sentence about a sync event, the same on the page and in the API (the page's script shows it)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from sync.models import SyncEvent, SyncKind
from core.runs import RunStatus


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def describe_event(event: SyncEvent) -> str:
    if event.status == RunStatus.WAITING:
        children = ((event.details or {}).get("confirmation") or {}).get("children") or []
        names = ", ".join(f"“{child['name']}”" for child in children)
        return (
            f"Waiting for your confirmation: it would remove many tracks from {names}. "
            "Nothing has been written; confirm or discard it."
        )
    if event.kind == SyncKind.RESTORE and event.status in (RunStatus.RUNNING, RunStatus.SUCCEEDED):
        return _describe_restore(event)
    if event.kind == SyncKind.ROUTE and event.status in (RunStatus.RUNNING, RunStatus.SUCCEEDED):
        return _describe_route(event)
    doing = {SyncKind.IMPORT: "Importing", SyncKind.ROUTE: "Routing", SyncKind.RESTORE: "Restoring"}[
        SyncKind(event.kind)
    ]
    if event.status == RunStatus.QUEUED:
        if event.resume_at and event.resume_at > timezone.now():
            return f"Paused by Spotify's rate limit until {_when(event.resume_at)}; it resumes by itself."
        return "Queued: it starts as soon as a worker is free."
    if event.status == RunStatus.RUNNING:
        if not event.playlists_total:
            return f"{doing}: listing your playlists…"
        return (
            f"{doing}: {event.playlists_done} of {event.playlists_total} playlists, "
            f"{event.items_done} items so far."
        )
    if event.status == RunStatus.SUCCEEDED:
        unchanged = event.playlists_done - event.playlists_changed
        note = f" ({unchanged} unchanged)" if unchanged > 0 else ""
        return (
            f"Completed {_when(event.finished_at)}: {event.playlists_done} playlists{note}, "
            f"{event.items_done} items imported."
        )
    if event.status == RunStatus.FAILED:
        return f"Failed {_when(event.finished_at)}."
    return f"Cancelled {_when(event.finished_at)}."


def _describe_route(event: SyncEvent) -> str:
    """A route counts child playlists and the base's tracks, not playlists and items."""
    if event.status == RunStatus.RUNNING:
        if not event.playlists_total:
            return "Routing: reading the base playlist and the children's filters…"
        return (
            f"Routing {event.items_done} tracks: {event.playlists_done} of "
            f"{event.playlists_total} child playlists done."
        )
    added, removed = _moved(event)
    return (
        f"Completed {_when(event.finished_at)}: {event.items_done} tracks routed into "
        f"{event.playlists_done} child playlists; {added} added, {removed} removed."
    )


def _describe_restore(event: SyncEvent) -> str:
    if event.status == RunStatus.RUNNING:
        return (
            f"Restoring the children of run #{event.restore_of_id}: {event.playlists_done} of "
            f"{event.playlists_total} child playlists done."
        )
    added, removed = _moved(event)
    skipped = (event.details or {}).get("skipped") or []
    left = f" Left alone (now part of another routing set-up): {', '.join(skipped)}." if skipped else ""
    inexact = (event.details or {}).get("inexact") or []
    if inexact:
        left += (
            f" {', '.join(inexact)}: every track is back, but a repeated one only once (Spotify's API "
            "cannot place copies around local files); the backup lists them."
        )
    return (
        f"Completed {_when(event.finished_at)}: {event.playlists_done - len(skipped)} child playlists "
        f"brought back to before run #{event.restore_of_id}; {added} added, {removed} removed.{left}"
    )


def _moved(event: SyncEvent) -> tuple[int, int]:
    """Tracks a route or restore added and removed, over all its children."""
    writes = (event.details or {}).get("writes") or {}
    added = sum(int(w.get("added") or 0) for w in writes.values())
    removed = sum(int(w.get("removed") or 0) for w in writes.values())
    return added, removed
