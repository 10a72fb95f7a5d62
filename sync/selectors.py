"""Reads for sync, always for one user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from sync.models import SyncEvent, SyncKind
from core.runs import ACTIVE_STATUSES, RunStatus


def list_sync_events(
    *, user: User, kind: str | None = None, status: str | None = None
) -> QuerySet[SyncEvent]:
    """The user's sync events, newest first, optionally of one kind and status."""
    events = SyncEvent.objects.filter(user=user)
    if kind:
        events = events.filter(kind=kind)
    if status:
        events = events.filter(status=status)
    return events.order_by("-created_at", "-id")


def get_sync_event(*, user: User, event_id: int) -> SyncEvent | None:
    """One of the user's events; None for a missing one and for another user's alike."""
    return SyncEvent.objects.filter(user=user, pk=event_id).first()


@dataclass(frozen=True)
class ImportOverview:
    """What the dashboard's import card shows."""

    latest: SyncEvent | None  # the active import if there is one, else the newest
    last_completed: SyncEvent | None

    @property
    def active(self) -> bool:
        return self.latest is not None and self.latest.status in ACTIVE_STATUSES

    @property
    def retryable(self) -> bool:
        return self.latest is not None and self.latest.status in (RunStatus.FAILED, RunStatus.CANCELLED)


def get_import_overview(*, user: User) -> ImportOverview:
    imports = SyncEvent.objects.filter(user=user, kind=SyncKind.IMPORT)
    # The active import is the newest one anyway (no import can start while it is
    # active); asking for it first keeps that reasoning out of the page.
    newest_first = imports.order_by("-created_at", "-id")
    latest = imports.filter(status__in=ACTIVE_STATUSES).first() or newest_first.first()
    last_completed = None
    if latest is not None and latest.status != RunStatus.SUCCEEDED:
        last_completed = imports.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at", "-id").first()
    elif latest is not None:
        last_completed = latest
    return ImportOverview(latest=latest, last_completed=last_completed)
