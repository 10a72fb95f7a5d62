"""Backups of child playlists: stored before a run's first write to each, pruned by age and count.

A backup is written (and committed) before the write it protects, so a run killed
mid-write still leaves the child's previous contents behind for "Restore". A resumed run
keeps the first backup of each child: "before this run" is before its first write.
Retention: a child's newest ROUTE_BACKUPS_KEEP backups, and every backup younger than
ROUTE_BACKUP_DAYS days.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from library.selectors import track_names
from routing.models import ChildBackup, ChildPlaylist
from routing.services.child_reads import ChildContents

__all__ = ["backup_document", "prune_backups", "record_backup"]


def record_backup(
    *,
    run_id: int,
    user_id: int,
    child: ChildPlaylist | None,
    spotify_id: str,
    name: str,
    contents: ChildContents,
) -> ChildBackup:
    """Store what the child holds before `run_id` first writes to it; the first one stays."""
    backup, _ = ChildBackup.objects.get_or_create(
        run_id=run_id,
        spotify_id=spotify_id,
        defaults={
            "user_id": user_id,
            "child": child,
            "name": name,
            "uris": list(contents.uris),
            "snapshot_id": contents.snapshot_id,
        },
    )
    return backup


def prune_backups(*, now=None) -> int:
    """Delete backups beyond each child's newest ROUTE_BACKUPS_KEEP that are older than
    ROUTE_BACKUP_DAYS days. Returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ROUTE_BACKUP_DAYS)
    ranked = ChildBackup.objects.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("user_id"), F("spotify_id")],
            order_by=[F("created_at").desc(), F("id").desc()],
        )
    )
    # Django filters on a window in an outer query, on SQLite and PostgreSQL alike.
    doomed = list(
        ranked.filter(rank__gt=settings.ROUTE_BACKUPS_KEEP, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    if not doomed:
        return 0
    deleted, _ = ChildBackup.objects.filter(pk__in=doomed).delete()
    return deleted


def backup_document(backup: ChildBackup) -> dict[str, Any]:
    """A backup as the listener downloads it: the playlist, when, and every row with its name."""
    names = track_names(uris=backup.uris)
    rows = []
    for position, uri in enumerate(backup.uris):
        name, artists = names.get(uri, ("", ""))
        rows.append({"position": position, "uri": uri, "name": name, "artists": artists})
    return {
        "playlist": {"spotify_id": backup.spotify_id, "name": backup.name},
        "run": backup.run_id,
        "taken_at": backup.created_at.isoformat(),
        "snapshot_id": backup.snapshot_id,
        "tracks": backup.track_count,
        "rows": rows,
    }
