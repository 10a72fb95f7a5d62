"""Reads of a listener's history imports; another listener's import is None, like a missing one."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from insights.models import HistoryImport, TrackLookup


def get_history_import(*, user: User, import_id: int) -> HistoryImport | None:
    return HistoryImport.objects.filter(user=user, pk=import_id).first()


def list_history_imports(*, user: User, limit: int = 10) -> QuerySet[HistoryImport]:
    """The listener's latest imports, newest first."""
    return HistoryImport.objects.filter(user=user).order_by("-created_at", "-id")[:limit]


def latest_history_import(*, user: User) -> HistoryImport | None:
    return HistoryImport.objects.filter(user=user).order_by("-created_at", "-id").first()


def latest_track_lookup(*, user: User) -> TrackLookup | None:
    """The lookup of the tracks the listener's imports named first, if any was queued."""
    return TrackLookup.objects.filter(user=user).order_by("-created_at", "-id").first()
