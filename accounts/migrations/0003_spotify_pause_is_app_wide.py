"""A rate limit stops the whole deployment, not one listener: SpotifyPause replaces
SpotifyCredential.rate_limited_until. A limit still in force is carried over as a pause (the
latest one, with the listener who met it), so nothing calls Spotify early after migrating;
going back gives every listener the pause in force."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def carry_limits_over(apps, schema_editor):
    from django.utils import timezone

    now = timezone.now()
    Credential = apps.get_model("accounts", "SpotifyCredential")
    latest = Credential.objects.filter(rate_limited_until__gt=now).order_by("-rate_limited_until").first()
    if latest is not None:
        apps.get_model("accounts", "SpotifyPause").objects.create(
            until=latest.rate_limited_until, reason="rate_limit", user_id=latest.user_id,
            retry_after=int((latest.rate_limited_until - now).total_seconds()),
            message="Carried over from a listener's rate limit when pauses became app-wide.",
        )  # fmt: skip


def give_limits_back(apps, schema_editor):
    from django.utils import timezone

    pause = apps.get_model("accounts", "SpotifyPause").objects.filter(until__gt=timezone.now()).order_by("-until").first()
    if pause is not None:
        apps.get_model("accounts", "SpotifyCredential").objects.update(rate_limited_until=pause.until)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_spotifycredential'),
    ]

    operations = [
        migrations.CreateModel(
            name='SpotifyPause',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('until', models.DateTimeField(db_index=True)),
                ('reason', models.CharField(choices=[('quota', 'Quota exceeded'), ('rate_limit', 'Rate limit (long Retry-After)')], max_length=12)),
                ('retry_after', models.PositiveIntegerField()),
                ('message', models.CharField(blank=True, max_length=255)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-until'],
            },
        ),
        migrations.RunPython(carry_limits_over, give_limits_back),
        migrations.RemoveField(
            model_name='spotifycredential',
            name='rate_limited_until',
        ),
    ]
