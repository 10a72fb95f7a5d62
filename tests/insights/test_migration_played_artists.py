"""insights 0010: snapshots taken before it get their most played artists counted from the
stored plays of their window, as their ingest would have counted them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("insights", "0009_listening_ingest_runs"), ("library", "0005_artist_unknown_to_spotify")]


def test_stored_snapshots_get_every_played_artist_of_their_window():
    old = migrate_to(BEFORE)
    User = old.get_model("accounts", "User")
    Artist, Track = old.get_model("library", "Artist"), old.get_model("library", "Track")
    TrackArtist = old.get_model("library", "TrackArtist")
    Play, Snapshot = old.get_model("insights", "Play"), old.get_model("insights", "ListeningSnapshot")
    user = User.objects.create(username="listener")
    now = timezone.now()
    unlisted, listed = Artist.objects.create(spotify_id="yuki", name="Yuki"), Artist.objects.create(
        spotify_id="crystal", name="Crystal"
    )
    solo, duet = Track.objects.create(spotify_id="solo", name="Solo"), Track.objects.create(
        spotify_id="duet", name="Duet"
    )
    TrackArtist.objects.create(track=solo, artist=unlisted, position=0)
    TrackArtist.objects.create(track=duet, artist=listed, position=0)
    TrackArtist.objects.create(track=duet, artist=unlisted, position=1)
    for track, days_ago in ((solo, 1), (solo, 2), (duet, 3), (duet, 100), (duet, 400)):
        Play.objects.create(user=user, track=track, played_at=now - timedelta(days=days_ago))
    ids = {
        time_range: Snapshot.objects.create(
            user=user, snapshot_date=timezone.localdate(), time_range=time_range, play_count=plays,
            top_artists=[{"id": "crystal", "rank": 1, "plays": 1}],
        ).pk
        for time_range, plays in (("short_term", 3), ("medium_term", 4), ("long_term", 5))
    }  # fmt: skip

    migrate_to_latest()

    from insights.models import ListeningSnapshot

    counted = {r: ListeningSnapshot.objects.get(pk=pk).played_artists for r, pk in ids.items()}
    assert counted == {
        "short_term": [{"id": "yuki", "plays": 3}, {"id": "crystal", "plays": 1}],
        "medium_term": [{"id": "yuki", "plays": 4}, {"id": "crystal", "plays": 2}],
        "long_term": [{"id": "yuki", "plays": 5}, {"id": "crystal", "plays": 3}],
    }
