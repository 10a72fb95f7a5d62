"""The constraints of routing safety (see 0004), once the existing set-up is claimed (0005)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):

    dependencies = [
        ("sync", "0005_claim_existing_routing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="childplaylist",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddConstraint(
            model_name="baseplaylist",
            constraint=models.UniqueConstraint(fields=("user", "spotify_id"), name="base_playlist_unique_per_user"),
        ),
        migrations.AddConstraint(
            model_name="childplaylist",
            constraint=models.UniqueConstraint(fields=("user", "spotify_id"), name="child_playlist_one_base"),
        ),
        migrations.AddConstraint(
            model_name="routedplaylist",
            constraint=models.UniqueConstraint(fields=("user", "spotify_id"), name="routed_playlist_one_part"),
        ),
        migrations.AddConstraint(
            model_name="routedplaylist",
            constraint=models.CheckConstraint(
                condition=Q(base__isnull=False, child__isnull=True) | Q(base__isnull=True, child__isnull=False),
                name="routed_playlist_base_or_child",
            ),
        ),
    ]
