"""The device library moves from the library app to this one; its tables and rows stay where they are.

State only: the seven models are created here with the library app's table names (db_table),
and library 0004 drops them from its own state. The database is not touched.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("library", "0003_playlist_missing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='Queue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('items', models.JSONField(blank=True, default=list)),
                ('device', models.CharField(blank=True, max_length=200)),
                ('changed_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='device_queue', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'library_queue',
            },
        ),
        migrations.CreateModel(
            name='AppPlaylist',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('local_id', models.CharField(blank=True, max_length=100, null=True)),
                ('name', models.CharField(max_length=500)),
                ('name_updated_at', models.DateTimeField()),
                ('description', models.TextField(blank=True)),
                ('description_updated_at', models.DateTimeField()),
                ('is_public', models.BooleanField(default=False)),
                ('is_public_updated_at', models.DateTimeField()),
                ('items', models.JSONField(blank=True, default=list)),
                ('items_updated_at', models.DateTimeField()),
                ('created_at', models.DateTimeField()),
                ('removed_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='app_playlists', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'library_appplaylist',
                'indexes': [models.Index(fields=['user', 'updated_at'], name='app_playlist_user_updated')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('local_id__isnull', False)), fields=('user', 'local_id'), name='app_playlist_unique_local_id')],
            },
        ),
        migrations.CreateModel(
            name='DeviceSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('session_id', models.CharField(max_length=100)),
                ('device', models.CharField(blank=True, max_length=200)),
                ('last_seen', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='device_sessions', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'library_devicesession',
                'indexes': [models.Index(fields=['last_seen'], name='device_session_last_seen')],
                'constraints': [models.UniqueConstraint(fields=('user', 'session_id'), name='device_session_unique_id')],
            },
        ),
        migrations.CreateModel(
            name='Favorite',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('track', models.CharField(max_length=64)),
                ('title', models.CharField(blank=True, max_length=500)),
                ('artist', models.CharField(blank=True, max_length=500)),
                ('artwork_url', models.CharField(blank=True, max_length=1000)),
                ('duration_ms', models.PositiveIntegerField(blank=True, null=True)),
                ('added_at', models.DateTimeField()),
                ('removed_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='favorites', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'library_favorite',
                'indexes': [models.Index(fields=['user', 'updated_at'], name='favorite_user_updated')],
                'constraints': [models.UniqueConstraint(fields=('user', 'track'), name='favorite_unique_track')],
            },
        ),
        migrations.CreateModel(
            name='HistoryEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('track', models.CharField(max_length=64)),
                ('title', models.CharField(blank=True, max_length=500)),
                ('artist', models.CharField(blank=True, max_length=500)),
                ('artwork_url', models.CharField(blank=True, max_length=1000)),
                ('duration_ms', models.PositiveIntegerField(blank=True, null=True)),
                ('played_at', models.DateTimeField()),
                ('completion', models.FloatField(blank=True, null=True)),
                ('source', models.CharField(blank=True, max_length=50)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='history_entries', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'history entries',
                'db_table': 'library_historyentry',
                'indexes': [models.Index(fields=['user', '-played_at'], name='history_user_played'), models.Index(fields=['user', 'updated_at'], name='history_user_updated')],
                'constraints': [models.UniqueConstraint(fields=('user', 'track', 'played_at'), name='history_entry_unique_play'), models.CheckConstraint(condition=models.Q(('completion__isnull', True), models.Q(('completion__gte', 0), ('completion__lte', 1)), _connector='OR'), name='history_entry_completion_0_1')],
            },
        ),
        migrations.CreateModel(
            name='Preferences',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('shuffle', models.BooleanField(default=False)),
                ('repeat', models.CharField(choices=[('off', 'Off'), ('one', 'Repeat one'), ('all', 'Repeat all')], default='off', max_length=3)),
                ('volume', models.FloatField(default=1.0)),
                ('changed_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='device_preferences', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'preferences',
                'db_table': 'library_preferences',
                'constraints': [models.CheckConstraint(condition=models.Q(('volume__gte', 0), ('volume__lte', 1)), name='preferences_volume_0_1'), models.CheckConstraint(condition=models.Q(('repeat__in', ['off', 'one', 'all'])), name='preferences_repeat_mode')],
            },
        ),
        migrations.CreateModel(
            name='RecentSearch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.CharField(max_length=200)),
                ('query_key', models.CharField(max_length=400)),
                ('searched_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recent_searches', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'library_recentsearch',
                'indexes': [models.Index(fields=['user', '-searched_at'], name='recent_search_user_searched')],
                'constraints': [models.UniqueConstraint(fields=('user', 'query_key'), name='recent_search_unique_query')],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[])
    ]
