"""Moving the analysis models out of insights keeps their rows, and takes along what names them:
content types (so permissions follow), stored schedules and job records of the moved tasks."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

INSIGHTS_BEFORE = ("insights", "0005_insight_basis_queued_at")
# The other apps the test writes to, at the state they are in then.
ALSO_READ = [
    ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("contenttypes", "0002_remove_content_type_name"),
]



def test_the_move_keeps_the_rows_and_relabels_content_types_schedules_and_job_records():
    old = migrate_to([INSIGHTS_BEFORE, ("analysis", None)], state_of=[INSIGHTS_BEFORE, *ALSO_READ])
    User = old.get_model("accounts", "User")
    Track = old.get_model("library", "Track")
    SongAnalysis = old.get_model("insights", "SongAnalysis")
    AnalysisBatch = old.get_model("insights", "AnalysisBatch")
    JobRecord = old.get_model("insights", "JobRecord")
    Schedule = old.get_model("django_q", "Schedule")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    user = User.objects.create(username="before")
    track = Track.objects.create(spotify_id="track0001", name="Harbour Lights", duration_ms=200_000)
    analysis = SongAnalysis.objects.create(
        track=track, prompt_version="song-analysis-v2", mood="calm", energy=0.3, content_rating="clean",
        summary="A quiet song.", confidence=0.8, provider="primary", model="m", lyrics_status="found",
    )  # fmt: skip
    batch = AnalysisBatch.objects.create(user=user, prompt_version="song-analysis-v2", status="queued")
    JobRecord.objects.create(task_id="t1", func="insights.tasks.analyse_batch", label="Song analysis batch")
    JobRecord.objects.create(task_id="t2", func="insights.tasks.poll_history", label="Listening history poll")
    Schedule.objects.create(
        name="recover analysis batches", func="insights.tasks.recover_analysis_batches", schedule_type="I"
    )
    Schedule.objects.create(
        name=f"insights-batch-resume-{batch.pk}", func="insights.tasks.analyse_batch",
        args=str(batch.pk), schedule_type="O", next_run=timezone.now(),
    )  # fmt: skip
    # Content types as a database that ran with the old layout has them: the analysis models'
    # under insights, with a permission someone may hold. A fresh analysis row, as post_migrate
    # may have made already, must not win over it.
    ContentType.objects.filter(model="songanalysis").delete()
    old_type = ContentType.objects.create(app_label="insights", model="songanalysis")
    ContentType.objects.create(app_label="analysis", model="songanalysis")
    permission = Permission.objects.create(
        content_type=old_type, codename="view_songanalysis", name="Can view song analysis"
    )

    migrate_to_latest()

    from django.contrib.auth.models import Permission as CurrentPermission
    from django.contrib.contenttypes.models import ContentType as CurrentContentType
    from django_q.models import Schedule as CurrentSchedule

    from analysis.models import AnalysisBatch as MovedBatch
    from analysis.models import SongAnalysis as MovedAnalysis
    from core.models import JobRecord as CurrentJobRecord

    CurrentContentType.objects.clear_cache()
    assert MovedAnalysis.objects.get(pk=analysis.pk).track_id == "track0001"
    assert MovedBatch.objects.get(pk=batch.pk).user_id == user.pk
    moved_type = CurrentPermission.objects.get(pk=permission.pk).content_type
    assert (moved_type.pk, moved_type.app_label) == (old_type.pk, "analysis")
    assert CurrentContentType.objects.get_for_model(MovedAnalysis).pk == old_type.pk
    assert not CurrentContentType.objects.filter(app_label="insights", model="songanalysis").exists()
    assert dict(CurrentSchedule.objects.values_list("name", "func")) == {
        "recover analysis batches": "analysis.tasks.recover_analysis_batches",
        f"analysis-batch-resume-{batch.pk}": "analysis.tasks.analyse_batch",
    }
    assert dict(CurrentJobRecord.objects.values_list("task_id", "func")) == {
        "t1": "analysis.tasks.analyse_batch",
        "t2": "insights.tasks.poll_history",
    }
