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


def _ids_start_after(model, schema_editor, *, last: int) -> None:
    """The table's next generated id is past `last` and past every row it holds."""
    connection = schema_editor.connection
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        last = max(last, cursor.fetchone()[0])
        if not last:
            return
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, true)", [table, last])
        elif connection.vendor == "sqlite":
            # AUTOINCREMENT tables keep their counter in sqlite_sequence (a row once the table had one).
            cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [last, table])
            if not cursor.rowcount:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last])
        else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
            raise RuntimeError(f"routing 0005 does not know how to move {connection.vendor}'s id sequences")


def _last_id(model) -> int:
    return model.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _rename_schedules(apps, *, old: str, new: str, ids: dict[int, int] | None = None) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    for schedule in Schedule.objects.filter(name__regex=rf"^{old}-(route|restore)-resume-[0-9]+$"):
        prefix, _, run_id = schedule.name.replace(f"{old}-", f"{new}-", 1).rpartition("-")
        moved_to = (ids or {}).get(int(run_id), int(run_id))
        schedule.name = f"{prefix}-{moved_to}"
        if moved_to != int(run_id):
            schedule.args = f"({moved_to},)"
        schedule.save(update_fields=["name", "args"])


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
    # New route runs take ids past every run of the old shared table, imports included, so no
    # route run made after this shares an id with an import made before it.
    _ids_start_after(RouteRun, schema_editor, last=_last_id(SyncEvent))
    _rename_schedules(apps, old="sync", new="routing")


def copy_back_to_sync_events(apps, schema_editor):
    """Route runs go back into the shared table. The two tables counted ids apart since the move, so a
    route run whose id an import took since is given a new id, and everything naming it (the runs it
    retried or restored, its backups, its resume schedule) follows."""
    SyncEvent = apps.get_model("sync", "SyncEvent")
    RouteRun = apps.get_model("routing", "RouteRun")
    Backup = apps.get_model("routing", "ChildBackup")
    taken = set(SyncEvent.objects.values_list("id", flat=True))
    rows = list(RouteRun.objects.order_by("id").values(*COPIED, *RENAMED.values(), "retry_of_id", "restore_of_id"))
    ids: dict[int, int] = {}

    def copy_back(row, *, keep_id: bool) -> None:
        copy = {name: row[name] for name in COPIED if keep_id or name != "id"}
        copy.update({old: row[new] for old, new in RENAMED.items()})
        ids[row["id"]] = SyncEvent.objects.create(**copy).pk

    # Rows keeping their ids go first, then the counter moves past every id of both tables, then
    # the rows an import displaced take fresh ones.
    for row in rows:
        if row["id"] not in taken:
            copy_back(row, keep_id=True)
    _ids_start_after(SyncEvent, schema_editor, last=_last_id(RouteRun))
    for row in rows:
        if row["id"] in taken:
            copy_back(row, keep_id=False)
    for row in rows:
        SyncEvent.objects.filter(pk=ids[row["id"]]).update(
            created_at=row["created_at"],
            retry_of_id=ids.get(row["retry_of_id"]),
            restore_of_id=ids.get(row["restore_of_id"]),
        )
    # Every backup belongs to a route run: re-point those whose run changed id (new ids lie past
    # every old one, so one update never moves a backup onto an id another still reads).
    for old_id, new_id in ids.items():
        if old_id != new_id:
            Backup.objects.filter(run_id=old_id).update(run_id=new_id)
    _rename_schedules(apps, old="routing", new="sync", ids=ids)


class Migration(migrations.Migration):

    dependencies = [
        ("routing", "0004_route_runs_have_their_own_table"),
        ("sync", "0008_runs_share_the_lifecycle"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(copy_to_route_runs, copy_back_to_sync_events)]
