"""The parts of test_pages' world that show what went wrong or what was guessed: songs analysed by
the LLM sandbox (one read from its lyrics, one guessed without), an import and a route that
failed, and a base deleted after its route failed. Each goes through the services and the
sandboxes, as the listener's and the workers' own requests would."""

from __future__ import annotations

from types import SimpleNamespace

from django.test import override_settings

from accounts.models import User
from analysis.models import SongAnalysis
from analysis.services.analysis import Outcome, analyse_track
from core.runs import RunStatus
from library.models import ItemsStatus, Playlist, PlaylistItem, Track
from routing.models import BasePlaylist, RouteRun
from routing.services.route import run_route
from routing.services.setup import add_child_playlist, create_base_playlist, delete_base
from routing.services.triggers import request_route
from sandbox.llm.lyrics import LYRICS, MISSING, bucket
from sync.models import SyncEvent
from tests.routing.route_support import SpotifyAs
from tests.sync.import_support import import_library


def analyse_songs(*, listener: User, llm_sandbox, skip: set[str]) -> dict[str, SongAnalysis]:
    """{"song-analysed": read from its lyrics, "song-guess": guessed without any}: the first
    tracks of the listener's library (not in `skip`) that LRCLIB-on-the-sandbox has lyrics for and
    does not know, analysed by the first provider."""
    wanted = {"song-analysed": LYRICS, "song-guess": MISSING}
    tracks = Track.objects.filter(
        pk__in=PlaylistItem.objects.filter(playlist__user=listener, track__isnull=False).values("track_id")
    ).exclude(pk__in=skip)
    analysed = {}
    # The lyrics come from the LLM sandbox's LRCLIB only while the songs are analysed.
    with override_settings(LYRICS_API_URL=llm_sandbox.lrclib_url):
        for page, kind in wanted.items():
            # bucket() reads only the id: which lyrics the sandbox serves for this track.
            track = next(
                t for t in tracks.order_by("spotify_id") if bucket(SimpleNamespace(id=t.spotify_id)) == kind
            )
            assert analyse_track(track_id=track.pk, worker="pages") == Outcome.ANALYSED, page
            analysed[page] = SongAnalysis.objects.get(track=track)
    assert analysed["song-analysed"].guess == "" and analysed["song-guess"].guess == "no_lyrics"
    return analysed


def fail_an_import(*, sandbox_server, listener: User) -> SyncEvent:
    """An import Spotify answers with 502s while it lists the playlists (a try and two retries):
    it fails, and the mirror stays as the last import left it."""
    sandbox_server.fail_next(method="GET", path="/v1/me/playlists", status=502, count=3)
    event = import_library(listener)
    sandbox_server.control("DELETE", "faults")  # none left for the modules after this one
    assert event.status == RunStatus.FAILED, event.error
    return event


def fail_and_delete_a_base(*, sandbox_server, listener: User, taken: set[str]) -> RouteRun:
    """A second base of demo's own (none of the playlists in `taken`) whose one route fails on
    Spotify's 503s at its first write, then deleted: its run stays, under the base's kept name."""
    source = (
        Playlist.objects.filter(user=listener, owner_spotify_id="demo", items_status=ItemsStatus.AVAILABLE)
        .filter(track_count__range=(20, 400))
        .exclude(spotify_id__in=taken)
        .order_by("track_count")
        .first()
    )
    base = create_base_playlist(user=listener, playlist=source)
    spotify_id = SpotifyAs(sandbox_server, user="demo").create_playlist("Everything")
    add_child_playlist(
        base=base, spotify_id=spotify_id, name="Everything", mode="rebuild",
        filters={"match": "all", "conditions": []}, known_empty=True,
    )  # fmt: skip
    for method in ("POST", "PUT"):  # a small child gets one PUT, a big one POSTs
        sandbox_server.fail_next(method=method, path=f"/v1/playlists/{spotify_id}/items", status=503, count=5)
    run, _ = request_route(base=base, trigger="button")
    failed = run_route(run_id=run.pk)
    sandbox_server.control("DELETE", "faults")  # whichever write it did not try
    assert failed.status == RunStatus.FAILED, failed.error
    delete_base(base=BasePlaylist.objects.get(pk=base.pk))
    failed.refresh_from_db()
    assert failed.base_id is None and failed.base_name == source.name
    return failed
