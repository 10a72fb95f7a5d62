"""Deleted app playlists as the merge now keeps them (devices.merge): without their items, and
only the newest 1,000 per listener. Before, every deletion marker was kept with its items, so a
listener past 1,000 got an answer too long to send back (every full sync refused).

Removal markers of favorites were capped already. `updated_at` is left as it was: these rows are
markers only, and no device needs to hear of the change. Not reversible in content (the dropped
rows and items are gone, as the merge would have dropped them); going back is allowed.
"""

from __future__ import annotations

from django.db import migrations
from django.db.models import Count

# devices.types.MARKER_LIMIT when this was written; a migration keeps its own copy.
MARKER_LIMIT = 1_000


def cap_and_empty_deleted_playlists(apps, schema_editor) -> None:
    AppPlaylist = apps.get_model("devices", "AppPlaylist")
    deleted = AppPlaylist.objects.filter(removed_at__isnull=False)
    deleted.exclude(items=[]).update(items=[])
    crowded = deleted.values("user_id").annotate(markers=Count("pk")).filter(markers__gt=MARKER_LIMIT)
    for row in crowded:
        theirs = deleted.filter(user_id=row["user_id"])
        # The merge's order: the latest removal first, then the earlier created, then the lower id.
        newest = theirs.order_by("-removed_at", "created_at", "pk").values_list("pk", flat=True)
        kept = list(newest[:MARKER_LIMIT])
        theirs.exclude(pk__in=kept).delete()


class Migration(migrations.Migration):
    dependencies = [("devices", "0002_move_content_types_and_task_paths")]

    operations = [migrations.RunPython(cap_and_empty_deleted_playlists, migrations.RunPython.noop)]
