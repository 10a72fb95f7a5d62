"""Analyses stored before the rule: those of tracks Spotify marks explicit become explicit, every
prompt version's; the others keep the model's rating."""

from __future__ import annotations

import pytest

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("analysis", "0005_songanalysis_genres")]
AFTER = [("analysis", "0006_explicit_tracks_rated_explicit")]


def test_stored_analyses_of_explicit_tracks_are_rated_explicit_and_the_others_stay():
    old = migrate_to(BEFORE)
    Track, SongAnalysis = old.get_model("library", "Track"), old.get_model("analysis", "SongAnalysis")
    explicit = Track.objects.create(spotify_id="explicit0001", name="Loud", duration_ms=1, explicit=True)
    clean = Track.objects.create(spotify_id="clean0000001", name="Soft", duration_ms=1, explicit=False)

    def analysed(track, rating: str, version: str):
        return SongAnalysis.objects.create(
            track=track, prompt_version=version, mood="calm", energy=0.3, content_rating=rating,
            summary="s", confidence=0.8, provider="p", model="m", lyrics_status="found",
        )  # fmt: skip

    planted = [analysed(explicit, "clean", "v3"), analysed(explicit, "mild", "v2")]
    honest = [analysed(explicit, "explicit", "v1"), analysed(clean, "clean", "v3")]
    try:
        new = migrate_to(AFTER).get_model("analysis", "SongAnalysis").objects

        assert [new.get(pk=row.pk).content_rating for row in planted] == ["explicit", "explicit"]
        assert [new.get(pk=row.pk).content_rating for row in honest] == ["explicit", "clean"]
    finally:
        migrate_to_latest()
