"""The song-analysis models, moved here from `insights` with their tables and rows.

State only: the tables exist already (insights 0001..0005 created them, under the names
kept by db_table); insights 0006 drops the same models from its own state.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('insights', '0005_insight_basis_queued_at'),
        ('library', '0003_playlist_missing'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AnalysisBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('prompt_version', models.CharField(max_length=40)),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('completed', 'Completed'), ('failed', 'Failed')], default='queued', max_length=20)),
                        ('track_total', models.PositiveIntegerField(default=0)),
                        ('analysed', models.PositiveIntegerField(default=0)),
                        ('skipped', models.PositiveIntegerField(default=0)),
                        ('deferred', models.PositiveIntegerField(default=0)),
                        ('failed', models.PositiveIntegerField(default=0)),
                        ('runs', models.PositiveIntegerField(default=0)),
                        ('next_position', models.PositiveIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('task_id', models.CharField(blank=True, max_length=64)),
                        ('claimed_by', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('resume_at', models.DateTimeField(blank=True, null=True)),
                        ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name_plural': 'analysis batches',
                        'db_table': 'insights_analysisbatch',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='AnalysisBatchTrack',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveIntegerField()),
                        ('batch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='analysis.analysisbatch')),
                        ('track', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='library.track')),
                    ],
                    options={
                        'db_table': 'insights_analysisbatchtrack',
                        'ordering': ['batch', 'position'],
                    },
                ),
                migrations.AddField(
                    model_name='analysisbatch',
                    name='tracks',
                    field=models.ManyToManyField(related_name='+', through='analysis.AnalysisBatchTrack', to='library.track'),
                ),
                migrations.CreateModel(
                    name='AnalysisClaim',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('prompt_version', models.CharField(max_length=40)),
                        ('claimed_by', models.CharField(max_length=200)),
                        ('claimed_at', models.DateTimeField()),
                        ('track', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='library.track')),
                    ],
                    options={
                        'db_table': 'insights_analysisclaim',
                    },
                ),
                migrations.CreateModel(
                    name='Lyrics',
                    fields=[
                        ('track', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='lyrics', serialize=False, to='library.track')),
                        ('status', models.CharField(choices=[('found', 'Found'), ('instrumental', 'Instrumental'), ('not_found', 'Not found'), ('error', 'Could not fetch')], max_length=20)),
                        ('plain', models.TextField(blank=True)),
                        ('source', models.CharField(blank=True, max_length=200)),
                        ('hash', models.CharField(blank=True, max_length=64)),
                        ('error', models.CharField(blank=True, max_length=500)),
                        ('fetched_at', models.DateTimeField()),
                    ],
                    options={
                        'verbose_name_plural': 'lyrics',
                        'db_table': 'insights_lyrics',
                        'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['found', 'instrumental', 'not_found', 'error'])), name='lyrics_status_valid')],
                    },
                ),
                migrations.CreateModel(
                    name='SongAnalysis',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('prompt_version', models.CharField(max_length=40)),
                        ('mood', models.CharField(choices=[('happy', 'Happy'), ('sad', 'Sad'), ('calm', 'Calm'), ('energetic', 'Energetic'), ('angry', 'Angry'), ('romantic', 'Romantic'), ('melancholic', 'Melancholic'), ('hopeful', 'Hopeful'), ('dark', 'Dark'), ('playful', 'Playful'), ('nostalgic', 'Nostalgic'), ('tense', 'Tense')], max_length=20)),
                        ('energy', models.FloatField()),
                        ('themes', models.JSONField(default=list)),
                        ('flag_profanity', models.BooleanField(default=False)),
                        ('flag_violence', models.BooleanField(default=False)),
                        ('flag_sexual', models.BooleanField(default=False)),
                        ('flag_drugs', models.BooleanField(default=False)),
                        ('content_rating', models.CharField(choices=[('clean', 'Clean'), ('mild', 'Mild'), ('explicit', 'Explicit')], max_length=10)),
                        ('language', models.CharField(blank=True, max_length=8)),
                        ('summary', models.CharField(max_length=300)),
                        ('confidence', models.FloatField()),
                        ('provider', models.CharField(max_length=64)),
                        ('model', models.CharField(max_length=200)),
                        ('lyrics_status', models.CharField(choices=[('found', 'Found'), ('instrumental', 'Instrumental'), ('not_found', 'Not found'), ('error', 'Could not fetch')], max_length=20)),
                        ('lyrics_hash', models.CharField(blank=True, max_length=64)),
                        ('latency_ms', models.PositiveIntegerField(default=0)),
                        ('prompt_tokens', models.PositiveIntegerField(blank=True, null=True)),
                        ('completion_tokens', models.PositiveIntegerField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('track', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='analyses', to='library.track')),
                    ],
                    options={
                        'verbose_name_plural': 'song analyses',
                        'db_table': 'insights_songanalysis',
                    },
                ),
                migrations.AddConstraint(
                    model_name='analysisbatchtrack',
                    constraint=models.UniqueConstraint(fields=('batch', 'track'), name='analysis_batch_track_unique'),
                ),
                migrations.AddConstraint(
                    model_name='analysisbatch',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'running', 'completed', 'failed'])), name='analysis_batch_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='analysisclaim',
                    constraint=models.UniqueConstraint(fields=('track', 'prompt_version'), name='analysis_claim_one_per_prompt'),
                ),
                migrations.AddConstraint(
                    model_name='songanalysis',
                    constraint=models.UniqueConstraint(fields=('track', 'prompt_version'), name='song_analysis_one_per_prompt'),
                ),
                migrations.AddConstraint(
                    model_name='songanalysis',
                    constraint=models.CheckConstraint(condition=models.Q(('energy__gte', 0), ('energy__lte', 1)), name='song_analysis_energy_0_1'),
                ),
                migrations.AddConstraint(
                    model_name='songanalysis',
                    constraint=models.CheckConstraint(condition=models.Q(('confidence__gte', 0), ('confidence__lte', 1)), name='song_analysis_confidence_0_1'),
                ),
                migrations.AddConstraint(
                    model_name='songanalysis',
                    constraint=models.CheckConstraint(condition=models.Q(('mood__in', ('happy', 'sad', 'calm', 'energetic', 'angry', 'romantic', 'melancholic', 'hopeful', 'dark', 'playful', 'nostalgic', 'tense'))), name='song_analysis_mood_known'),
                ),
                migrations.AddConstraint(
                    model_name='songanalysis',
                    constraint=models.CheckConstraint(condition=models.Q(('content_rating__in', ('clean', 'mild', 'explicit'))), name='song_analysis_rating_known'),
                ),
            ],
            database_operations=[],
        ),
    ]
