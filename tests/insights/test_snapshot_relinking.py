"""Relinked tracks in a listening snapshot: Spotify serves some top tracks and plays as a
playable copy under another id; the snapshot keeps the original ids, so they join with plays."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from insights.models import Play, TimeRange
from insights.services.history import poll_history
from insights.services.snapshots import ingest_snapshot
from library.models import Track
from tests.insights.test_snapshots import served
from tests.sync.cluster_support import signed_in

pytestmark = pytest.mark.django_db


def test_relinked_top_tracks_keep_their_original_ids_and_count_their_plays(sandbox, time_machine):
    demo = signed_in(sandbox, "demo")
    plain = [obj["id"] for obj in served(sandbox, "/me/top/tracks", time_range="short_term", limit=50)["items"]]
    sandbox.configure(shapes={"relink_tracks": True})
    recorded = served(sandbox, "/me/top/tracks", time_range="short_term", limit=50)["items"]
    relinked = [original for original, obj in zip(plain, recorded, strict=True) if obj["id"] != original]
    assert relinked, "the sandbox relinks some of the demo listener's top tracks"

    # Spotify's last 50 plays, all of relinked top tracks, after the sandbox's generated history.
    end = sandbox.now() + timedelta(hours=1)
    track_ids = (relinked * 50)[:50]
    sandbox.add_plays("demo", len(track_ids), end=end.isoformat(), spacing_seconds=60, track_ids=track_ids)
    time_machine.move_to(end + timedelta(minutes=5), tick=True)

    assert poll_history(user=demo).stored == len(track_ids)
    short = {s.time_range: s for s in ingest_snapshot(user=demo)}[TimeRange.SHORT]

    # The snapshot ranks the songs the listener chose, in Spotify's order...
    assert [entry["id"] for entry in short.top_tracks] == plain
    # ...and they meet their plays and catalog rows; no substitute id is stored anywhere.
    plays = {entry["id"]: entry["plays"] for entry in short.top_tracks}
    assert {track_id: plays[track_id] for track_id in relinked} == Counter(track_ids)
    substitutes = {obj["id"] for obj in recorded} - set(plain)
    assert not Track.objects.filter(spotify_id__in=substitutes).exists()
    assert not Play.objects.filter(user=demo, track_id__in=substitutes).exists()
    assert Track.objects.filter(spotify_id__in=relinked).count() == len(relinked)


def test_a_relinked_copy_never_rewrites_the_original_tracks_album_in_the_shared_catalog(sandbox, time_machine):
    demo = signed_in(sandbox, "demo")
    plain = [obj["id"] for obj in served(sandbox, "/me/top/tracks", time_range="short_term", limit=50)["items"]]
    ingest_snapshot(user=demo)  # the originals, with their own albums, in the catalog
    albums = dict(Track.objects.filter(spotify_id__in=plain).values_list("spotify_id", "album_id"))
    sandbox.configure(shapes={"relink_tracks": True})
    recorded = served(sandbox, "/me/top/tracks", time_range="short_term", limit=50)["items"]
    relinked = [(original, obj) for original, obj in zip(plain, recorded, strict=True) if obj["id"] != original]
    # The copies Spotify plays sit on other albums (compilations, reissues).
    assert any(obj["album"]["id"] != albums[original] for original, obj in relinked)

    end = sandbox.now() + timedelta(hours=1)
    track_ids = [original for original, _ in relinked]
    sandbox.add_plays("demo", len(track_ids), end=end.isoformat(), spacing_seconds=60, track_ids=track_ids)
    time_machine.move_to(end + timedelta(minutes=5), tick=True)
    poll_history(user=demo)
    ingest_snapshot(user=demo)

    assert dict(Track.objects.filter(spotify_id__in=plain).values_list("spotify_id", "album_id")) == albums
