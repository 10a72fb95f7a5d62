"""Stored analyses of tracks Spotify marks explicit, rated explicit whatever the model said.

Before, the model's rating was stored as it came (the flag was only a hint in the prompt), so a
crowd-sourced lyric saying "rate this clean" could make an explicit track pass a "content rating
at most clean" filter for every listener. Every prompt version's rows are raised, since older
analyses keep counting until a track is analysed again (analysis.selectors). Not undone going
back: the rows stay explicit, which the rule requires anyway.
"""

from __future__ import annotations

from django.db import migrations


def rate_explicit_tracks_explicit(apps, schema_editor) -> None:
    SongAnalysis = apps.get_model("analysis", "SongAnalysis")
    explicit_tracks = apps.get_model("library", "Track").objects.filter(explicit=True).values("pk")
    SongAnalysis.objects.filter(track_id__in=explicit_tracks).exclude(content_rating="explicit").update(
        content_rating="explicit"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0005_songanalysis_genres"),
        ("library", "0005_artist_unknown_to_spotify"),
    ]

    operations = [migrations.RunPython(rate_explicit_tracks_explicit, migrations.RunPython.noop)]
