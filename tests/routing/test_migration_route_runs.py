"""Route runs move from sync.SyncEvent to routing.RouteRun (routing 0004, sync 0009) keeping every
run: its id, statuses, counters under their route names, the links between runs, its backups and
the resume schedule of a postponed one; and back, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("sync", "0008_runs_share_the_lifecycle"), ("routing", "0003_bases_wait_for_analyses")]
ALSO_READ = [("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _runs_as_they_were(old):
    User = old.get_model("accounts", "User")
    Playlist = old.get_model("library", "Playlist")
    Base = old.get_model("routing", "BasePlaylist")
    Event = old.get_model("sync", "SyncEvent")
    Backup = old.get_model("routing", "ChildBackup")
    user = User.objects.create(username="before")
    base = Base.objects.create(user=user, playlist=Playlist.objects.create(user=user, spotify_id="base0001"))
    an_import = Event.objects.create(user=user, kind="import", status="succeeded", playlists_done=7)
    route = Event.objects.create(
        user=user, kind="route", base=base, status="succeeded", trigger="button", playlists_total=2,
        playlists_done=2, items_done=140, spotify_requests=9, details={"writes": {"c1": {"added": 3}}},
        finished_at=AT,
    )  # fmt: skip
    Event.objects.filter(pk=route.pk).update(created_at=AT)
    failed = Event.objects.create(user=user, kind="route", base=base, status="failed", error="HTTP 502")
    retry = Event.objects.create(user=user, kind="route", base=base, status="queued", retry_of=failed,
                                 resume_at=AT)  # fmt: skip
    restore = Event.objects.create(user=user, kind="restore", base=base, status="succeeded", restore_of=route)
    backup = Backup.objects.create(user=user, run=route, spotify_id="c1", name="Clean", uris=["spotify:track:a"])
    old.get_model("django_q", "Schedule").objects.create(
        name=f"sync-route-resume-{retry.pk}", func="routing.tasks.run_route", args=f"({retry.pk},)",
        schedule_type="O",
    )  # fmt: skip
    return an_import, route, failed, retry, restore, backup


def test_route_runs_move_to_their_own_table_with_every_run_kept_and_back():
    old = migrate_to(BEFORE, state_of=[*BEFORE, *ALSO_READ])
    an_import, route, failed, retry, restore, backup = _runs_as_they_were(old)

    migrate_to_latest()

    from django_q.models import Schedule

    from routing.models import ChildBackup, RouteRun
    from sync.models import SyncEvent

    assert list(SyncEvent.objects.values_list("pk", "kind")) == [(an_import.pk, "import")]
    moved = RouteRun.objects.get(pk=route.pk)
    assert (moved.kind, moved.status, moved.trigger, moved.base_id, moved.created_at) == (
        "route", "succeeded", "button", route.base_id, AT,
    )  # fmt: skip
    assert (moved.children_total, moved.children_done, moved.tracks, moved.spotify_requests) == (2, 2, 140, 9)
    assert moved.details == {"writes": {"c1": {"added": 3}}}
    assert RouteRun.objects.get(pk=retry.pk).retry_of_id == failed.pk
    assert RouteRun.objects.get(pk=restore.pk).restore_of_id == route.pk
    assert RouteRun.objects.get(pk=failed.pk).error == "HTTP 502"
    assert ChildBackup.objects.get(pk=backup.pk).run == moved
    assert Schedule.objects.get(func="routing.tasks.run_route").name == f"routing-route-resume-{retry.pk}"
    # New runs take ids past the moved ones.
    fresh = RouteRun.objects.create(user_id=moved.user_id, base_id=moved.base_id, status="failed")
    assert fresh.pk > restore.pk

    back = migrate_to(BEFORE, state_of=[*BEFORE, *ALSO_READ])
    Event = back.get_model("sync", "SyncEvent")
    again = Event.objects.get(pk=route.pk)
    assert (again.kind, again.playlists_done, again.items_done, again.base_id) == ("route", 2, 140, route.base_id)
    assert Event.objects.get(pk=restore.pk).restore_of_id == route.pk
    assert back.get_model("routing", "ChildBackup").objects.get(pk=backup.pk).run_id == route.pk
    schedule = back.get_model("django_q", "Schedule").objects.get(func="routing.tasks.run_route")
    assert schedule.name == f"sync-route-resume-{retry.pk}"
    migrate_to_latest()


def test_route_runs_made_after_the_move_never_share_an_id_with_an_import_and_go_back_without_one():
    """The tables count ids apart once moved: a new route run starts past the last import, and on the
    way back a route run whose id an import took since gets a new id, its links, backup and resume
    schedule following it."""
    old = migrate_to(BEFORE, state_of=[*BEFORE, *ALSO_READ])
    _an_import, route, _failed, _retry, _restore, _backup = _runs_as_they_were(old)
    late_import = old.get_model("sync", "SyncEvent").objects.create(user_id=route.user_id, kind="import", status="succeeded")
    assert late_import.pk > route.pk  # the last row of the shared table is an import

    migrate_to_latest()

    from django_q.models import Schedule

    from routing.models import ChildBackup, RouteRun
    from sync.models import SyncEvent

    first = RouteRun.objects.create(user_id=route.user_id, base_id=route.base_id, status="failed")
    assert first.pk > late_import.pk
    # Imports go on counting from their own table, so one soon takes the new route run's id.
    imports = [SyncEvent.objects.create(user_id=route.user_id, status="succeeded") for _ in range(first.pk - late_import.pk)]
    assert imports[-1].pk == first.pk
    retry = RouteRun.objects.create(user_id=route.user_id, base_id=route.base_id, retry_of=first, status="succeeded")
    ChildBackup.objects.create(user_id=route.user_id, run=first, spotify_id="c9", name="Kept", uris=["spotify:track:z"])
    Schedule.objects.create(name=f"routing-route-resume-{first.pk}", func="routing.tasks.run_route",
                            args=f"({first.pk},)", schedule_type="O")  # fmt: skip

    back = migrate_to(BEFORE, state_of=[*BEFORE, *ALSO_READ])
    Event = back.get_model("sync", "SyncEvent")
    assert Event.objects.get(pk=first.pk).kind == "import"  # the import keeps its id
    moved = Event.objects.get(kind="route", status="failed", error="", pk__gt=late_import.pk)
    assert moved.pk not in {first.pk, retry.pk} and moved.pk > max(imports[-1].pk, retry.pk)
    assert Event.objects.get(pk=retry.pk).retry_of_id == moved.pk
    assert back.get_model("routing", "ChildBackup").objects.get(spotify_id="c9").run_id == moved.pk
    schedule = back.get_model("django_q", "Schedule").objects.get(name=f"sync-route-resume-{moved.pk}")
    assert schedule.args == f"({moved.pk},)"
    # Ids made after going back clash with nothing.
    assert Event.objects.create(user_id=route.user_id, kind="import", status="failed").pk > moved.pk
    migrate_to_latest()
