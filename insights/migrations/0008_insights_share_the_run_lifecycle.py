"""Written insights take core.runs' lifecycle: one status vocabulary (a written insight is
"succeeded", as every finished run; "done" before), the claim's worker and heartbeat, and the
two times queued_at stood for: when its task was handed over (enqueued_at) and, for a
postponed row, when it is due (resume_at). Reversible; stored rows keep their meaning."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone


def forward(apps, schema_editor):
    insights = apps.get_model("insights", "GeneratedInsight")
    insights.objects.filter(status="done").update(status="succeeded")
    now = timezone.now()
    # queued_at was the due time of a postponed row (in the future) and the enqueue time otherwise.
    insights.objects.filter(queued_at__gt=now, status="queued").update(resume_at=F("queued_at"))
    insights.objects.filter(queued_at__lte=now).update(enqueued_at=F("queued_at"))
    insights.objects.filter(status="succeeded").update(finished_at=F("generated_at"))


def backward(apps, schema_editor):
    insights = apps.get_model("insights", "GeneratedInsight")
    insights.objects.filter(status="succeeded").update(status="done")
    insights.objects.exclude(status__in=["queued", "running", "done", "failed"]).update(status="failed")
    insights.objects.update(queued_at=Coalesce("resume_at", "enqueued_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('insights', '0007_move_jobrecord_to_core'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='generatedinsight',
            name='insight_status_valid',
        ),
        migrations.AddField(
            model_name='generatedinsight',
            name='claimed_by',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='generatedinsight',
            name='enqueued_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='generatedinsight',
            name='finished_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='generatedinsight',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='generatedinsight',
            name='resume_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='generatedinsight',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('waiting', 'Needs your confirmation'), ('succeeded', 'Done'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='queued', max_length=20),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(
            model_name='generatedinsight',
            name='queued_at',
        ),
        migrations.AddConstraint(
            model_name='generatedinsight',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'])), name='insight_status_valid'),
        ),
    ]
