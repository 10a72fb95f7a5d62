"""Every SyncEvent of kind route or restore is copied into routing.RouteRun with its id (so backups,
schedules, links and URLs naming a run keep pointing at it) and its counters renamed
(playlists_total/done -> children_total/done, items_done -> tracks); resume schedules of
postponed runs take RouteRun's name. Going back copies them into sync_syncevent again (after
sync 0010 gave it back its columns)."""

from django.db import migrations

COPIED = (
    "id", "status", "created_at", "started_at", "finished_at", "heartbeat_at", "resume_at", "enqueued_at",
    "task_id", "claimed_by", "error", "kind", "user_id", "base_id", "trigger", "spotify_requests",
    "rate_limited", "retries", "details",
)  # fmt: skip
RENAMED = {"playlists_total": "children_total", "playlists_done": "children_done", "items_done": "tracks"}


def _reset_sequence(model, schema_editor):
    # Rows inserted with their ids: PostgreSQL's sequence must move past them (SQLite needs nothing).
    from django.core.management.color import no_style

    with schema_editor.connection.cursor() as cursor:
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def _rename_schedules(apps, *, old: str, new: str) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    for schedule in Schedule.objects.filter(name__regex=rf"^{old}-(route|restore)-resume-[0-9]+$"):
        schedule.name = schedule.name.replace(f"{old}-", f"{new}-", 1)
        schedule.save(update_fields=["name"])


def copy_to_route_runs(apps, schema_editor):
    SyncEvent = apps.get_model("sync", "SyncEvent")
    RouteRun = apps.get_model("routing", "RouteRun")
    events = SyncEvent.objects.filter(kind__in=["route", "restore"]).order_by("id")
    fields = (*COPIED, *RENAMED, "retry_of_id", "restore_of_id")
    links = []
    for row in events.values(*fields).iterator(chunk_size=500):
        copy = {name: row[name] for name in COPIED}
        copy.update({new: row[old] for old, new in RENAMED.items()})
        RouteRun.objects.create(**copy)
        links.append((row["id"], row["created_at"], row["retry_of_id"], row["restore_of_id"]))
    # The links between runs once every run exists; and created_at, which auto_now_add set anew.
    for run_id, created_at, retry_of, restore_of in links:
        RouteRun.objects.filter(pk=run_id).update(
            created_at=created_at, retry_of_id=retry_of, restore_of_id=restore_of
        )
    _reset_sequence(RouteRun, schema_editor)
    _rename_schedules(apps, old="sync", new="routing")


def copy_back_to_sync_events(apps, schema_editor):
    SyncEvent = apps.get_model("sync", "SyncEvent")
    RouteRun = apps.get_model("routing", "RouteRun")
    links = []
    for row in RouteRun.objects.order_by("id").values(*COPIED, *RENAMED.values(), "retry_of_id", "restore_of_id"):
        copy = {name: row[name] for name in COPIED}
        copy.update({old: row[new] for old, new in RENAMED.items()})
        SyncEvent.objects.create(**copy)
        links.append((row["id"], row["created_at"], row["retry_of_id"], row["restore_of_id"]))
    for run_id, created_at, retry_of, restore_of in links:
        SyncEvent.objects.filter(pk=run_id).update(
            created_at=created_at, retry_of_id=retry_of, restore_of_id=restore_of
        )
    _reset_sequence(SyncEvent, schema_editor)
    _rename_schedules(apps, old="routing", new="sync")


class Migration(migrations.Migration):

    dependencies = [
        ("routing", "0004_route_runs_have_their_own_table"),
        ("sync", "0008_runs_share_the_lifecycle"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(copy_to_route_runs, copy_back_to_sync_events)]
