"""Song analyses, lyrics and batches now belong to the `analysis` app (its 0001 takes them on).

State only: the tables stay as they are, under their old names (db_table), with every row.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('insights', '0005_insight_basis_queued_at'),
        ('analysis', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name='analysisbatchtrack', name='batch'),
                migrations.RemoveField(model_name='analysisbatchtrack', name='track'),
                migrations.RemoveField(model_name='analysisclaim', name='track'),
                migrations.RemoveField(model_name='lyrics', name='track'),
                migrations.RemoveField(model_name='songanalysis', name='track'),
                migrations.DeleteModel(name='AnalysisBatch'),
                migrations.DeleteModel(name='AnalysisBatchTrack'),
                migrations.DeleteModel(name='AnalysisClaim'),
                migrations.DeleteModel(name='Lyrics'),
                migrations.DeleteModel(name='SongAnalysis'),
            ],
            database_operations=[],
        ),
    ]
