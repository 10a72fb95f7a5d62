"""The token refresh task moved from insights.tasks to spotify.tasks: its stored schedule and
the job records of earlier runs follow it, and going back restores the old path."""

from __future__ import annotations

import pytest

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

SPOTIFY_MOVE = ("spotify", "0001_refresh_task_moves_to_spotify")
ALSO_READ = [
    ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ("insights", "0006_move_analysis_to_analysis_app"),
]


def test_the_token_refresh_schedule_and_its_job_records_follow_the_task_to_spotify_and_back():
    old = migrate_to([("spotify", None)], state_of=ALSO_READ)
    Schedule = old.get_model("django_q", "Schedule")
    JobRecord = old.get_model("insights", "JobRecord")
    Schedule.objects.create(
        name="refresh expiring tokens", func="insights.tasks.refresh_expiring_tokens", schedule_type="I"
    )
    Schedule.objects.create(name="unrelated", func="insights.tasks.poll_all_histories", schedule_type="I")
    JobRecord.objects.create(
        task_id="t1", func="insights.tasks.refresh_expiring_tokens", label="Token refresh"
    )

    new = migrate_to([SPOTIFY_MOVE], state_of=[SPOTIFY_MOVE, *ALSO_READ])
    Schedule = new.get_model("django_q", "Schedule")
    JobRecord = new.get_model("insights", "JobRecord")
    moved = Schedule.objects.get(name="refresh expiring tokens")
    assert moved.func == "spotify.tasks.refresh_expiring_tokens"
    assert Schedule.objects.get(name="unrelated").func == "insights.tasks.poll_all_histories"
    assert JobRecord.objects.get(task_id="t1").func == "spotify.tasks.refresh_expiring_tokens"

    back = migrate_to([("spotify", None)], state_of=ALSO_READ)
    assert back.get_model("django_q", "Schedule").objects.get(name="refresh expiring tokens").func == (
        "insights.tasks.refresh_expiring_tokens"
    )
    # Leave the database as the rest of the suite expects it.
    migrate_to_latest()
