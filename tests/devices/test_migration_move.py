"""Moving the device library out of library keeps its rows, and takes along what names it:
content types (so permissions follow), the stored schedule and job records of the moved task.
Going back restores the old names, with the rows still there."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

LIBRARY_BEFORE = ("library", "0003_playlist_missing")
# The other apps the test writes to, at the state they are in then.
ALSO_READ = [
    ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("insights", "0006_move_analysis_to_analysis_app"),
]
MODELS = ("favorite", "historyentry", "queue", "appplaylist", "preferences", "recentsearch", "devicesession")
AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
OLD_TASK, NEW_TASK = "library.tasks.prune_device_sessions", "devices.tasks.prune_device_sessions"


def _library_as_it_was(old):
    """One row in each of the seven tables, written through library's historical models."""
    user = old.get_model("accounts", "User").objects.create(username="before")
    rows = {
        "favorite": old.get_model("library", "Favorite").objects.create(
            user=user, track="t1", title="Harbour Lights", added_at=AT
        ),
        "historyentry": old.get_model("library", "HistoryEntry").objects.create(
            user=user, track="t1", played_at=AT, completion=0.5
        ),
        "queue": old.get_model("library", "Queue").objects.create(
            user=user, items=[{"track": "t2"}], changed_at=AT
        ),
        "appplaylist": old.get_model("library", "AppPlaylist").objects.create(
            user=user, local_id="p1", name="Road", name_updated_at=AT, description_updated_at=AT,
            is_public_updated_at=AT, items_updated_at=AT, created_at=AT,
        ),  # fmt: skip
        "preferences": old.get_model("library", "Preferences").objects.create(
            user=user, volume=0.4, changed_at=AT
        ),
        "recentsearch": old.get_model("library", "RecentSearch").objects.create(
            user=user, query="Abba", query_key="abba", searched_at=AT
        ),
        "devicesession": old.get_model("library", "DeviceSession").objects.create(
            user=user, session_id="s1", device="Pixel 8", last_seen=AT
        ),
    }
    return user, rows


def test_the_move_keeps_the_rows_and_relabels_content_types_schedules_and_job_records_and_back():
    old = migrate_to([LIBRARY_BEFORE, ("devices", None)], state_of=[LIBRARY_BEFORE, *ALSO_READ])
    user, rows = _library_as_it_was(old)
    Schedule = old.get_model("django_q", "Schedule")
    JobRecord = old.get_model("insights", "JobRecord")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    Schedule.objects.create(name="prune device sessions", func=OLD_TASK, schedule_type="I")
    JobRecord.objects.create(task_id="t1", func=OLD_TASK, label="Prune device sessions")
    JobRecord.objects.create(task_id="t2", func="insights.tasks.poll_history", label="Listening history poll")
    # Content types as a database that ran with the old layout has them: the device models'
    # under library, with a permission someone may hold. A fresh devices row, as post_migrate
    # may have made already, must not win over it.
    ContentType.objects.filter(model="favorite").delete()
    old_type = ContentType.objects.create(app_label="library", model="favorite")
    ContentType.objects.create(app_label="devices", model="favorite")
    permission = Permission.objects.create(
        content_type=old_type, codename="view_favorite", name="Can view favorite"
    )

    migrate_to_latest()

    from django.contrib.auth.models import Permission as CurrentPermission
    from django.contrib.contenttypes.models import ContentType as CurrentContentType
    from django_q.models import Schedule as CurrentSchedule

    from devices import models as moved
    from core.models import JobRecord as CurrentJobRecord

    CurrentContentType.objects.clear_cache()
    assert moved.Favorite.objects.get(pk=rows["favorite"].pk).title == "Harbour Lights"
    assert moved.HistoryEntry.objects.get(pk=rows["historyentry"].pk).completion == 0.5
    assert moved.Queue.objects.get(pk=rows["queue"].pk).items == [{"track": "t2"}]
    assert moved.AppPlaylist.objects.get(pk=rows["appplaylist"].pk).local_id == "p1"
    assert moved.Preferences.objects.get(pk=rows["preferences"].pk).volume == 0.4
    assert moved.RecentSearch.objects.get(pk=rows["recentsearch"].pk).query_key == "abba"
    assert moved.DeviceSession.objects.get(pk=rows["devicesession"].pk).user_id == user.pk
    moved_type = CurrentPermission.objects.get(pk=permission.pk).content_type
    assert (moved_type.pk, moved_type.app_label) == (old_type.pk, "devices")
    assert CurrentContentType.objects.get_for_model(moved.Favorite).pk == old_type.pk
    assert set(CurrentContentType.objects.filter(model__in=MODELS).values_list("app_label", flat=True)) == {
        "devices"
    }
    assert CurrentSchedule.objects.get(name="prune device sessions").func == NEW_TASK
    assert dict(CurrentJobRecord.objects.values_list("task_id", "func")) == {
        "t1": NEW_TASK,
        "t2": "insights.tasks.poll_history",
    }

    back = migrate_to([LIBRARY_BEFORE, ("devices", None)], state_of=[LIBRARY_BEFORE, *ALSO_READ])
    assert back.get_model("library", "Favorite").objects.get(pk=rows["favorite"].pk).title == "Harbour Lights"
    back_session = back.get_model("library", "DeviceSession").objects.get(pk=rows["devicesession"].pk)
    assert back_session.device == "Pixel 8"
    back_types = back.get_model("contenttypes", "ContentType").objects.filter(model__in=MODELS)
    assert set(back_types.values_list("app_label", flat=True)) == {"library"}
    assert back.get_model("auth", "Permission").objects.get(pk=permission.pk).content_type_id == old_type.pk
    assert back.get_model("django_q", "Schedule").objects.get(name="prune device sessions").func == OLD_TASK
    assert back.get_model("insights", "JobRecord").objects.get(task_id="t1").func == OLD_TASK
    # Leave the database as the rest of the suite expects it.
    migrate_to_latest()
