"""One sentence about an import, the same on the page and in the API (the page's script shows it).
Counts have thousands separators, as the pages' other counts do (12,097 items)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from core.runs import RunStatus
from sync.models import SyncEvent


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def _skipped_note(event: SyncEvent) -> str:
    # Spotify sometimes sends a null where a row, artist or image should be: passed over,
    # not a failure, but the listener may wonder about a missing credit, so say how many.
    skipped = int((event.details or {}).get("skipped_nulls") or 0)
    if not skipped:
        return ""
    entries = "entry" if skipped == 1 else "entries"
    return f" Spotify sent {skipped} empty {entries} (a missing row, artist or image), skipped."


def describe_event(event: SyncEvent) -> str:
    """One sentence about an import, the same on the dashboard and in the API."""
    if event.status == RunStatus.QUEUED:
        if event.resume_at and event.resume_at > timezone.now():
            return f"Paused by Spotify's rate limit until {_when(event.resume_at)}; it resumes by itself."
        if event.started_at is not None and event.playlists_total:
            # It gave its turn to another listener's import (sync.services.importer, "Turns").
            return (
                f"Importing: {event.playlists_done:,} of {event.playlists_total:,} playlists so far; "
                "it takes turns with other listeners' runs and goes on in a moment."
            )
        return "Queued: it starts as soon as a worker is free."
    if event.status == RunStatus.RUNNING:
        if not event.playlists_total:
            return "Importing: listing your playlists…"
        return (
            f"Importing: {event.playlists_done:,} of {event.playlists_total:,} playlists, "
            f"{event.items_done:,} items so far."
        )
    if event.status == RunStatus.SUCCEEDED:
        unchanged = event.playlists_done - event.playlists_changed
        note = f" ({unchanged:,} unchanged)" if unchanged > 0 else ""
        return (
            f"Completed {_when(event.finished_at)}: {event.playlists_done:,} playlists{note}, "
            f"{event.items_done:,} items imported.{_skipped_note(event)}"
        )
    # The card's badge already says Failed or Cancelled: the sentence says when, and what is kept.
    if event.status == RunStatus.FAILED:
        return f"Stopped {_when(event.finished_at)} before the end."
    return f"Stopped on request {_when(event.finished_at)}."
