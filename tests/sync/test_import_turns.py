"""A big import gives its worker to other listeners between playlists (IMPORT_TURN_SECONDS), reads
no item page twice for it, and still announces every playlist it changed when it finishes.

All on the small `other` listener (Liked Songs, Mix, Rainy Mondays, Road Trip, Drafts, Gym 2025,
Shared), with Drafts grown on the sandbox so its pages fill the read-ahead window.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import SpotifyPause
from analysis.models import AnalysisBatch
from core import runs
from core.runs import RunStatus
from library.models import Playlist
from sync.models import SyncEvent
from sync.services.import_state import CARRIED_OVER
from sync.services.importer import run_import
from tests.accounts.factories import UserFactory
from tests.routing.factories import RouteRunFactory
from tests.sync.factories import SyncEventFactory
from tests.sync.import_support import (
    ITEMS_ROUTE,
    RUN_IMPORT,
    LIKED_ROUTE,
    LISTING_ROUTE,
    assert_mirror_matches,
    connect,
    pages,
    requests_since,
    route_counts,
    run_turn,
    set_mode,
    someone_waiting,
    spotify_library,
)
from tests.sync.test_import_concurrency import grow_drafts

pytestmark = pytest.mark.django_db

def test_an_import_gives_its_turn_between_playlists_while_another_listener_waits_and_reads_each_page_once(
    sandbox, sliced, queue, heard, django_capture_on_commit_callbacks, client
):
    grow_drafts(sandbox, tracks=400)  # 8 pages: more than the read-ahead window of 2 x 4
    user = connect(sandbox)
    library = spotify_library(sandbox)
    someone_waiting()
    event = SyncEventFactory(user=user)
    before = route_counts(sandbox)

    first = run_turn(event.pk, django_capture_on_commit_callbacks)

    # It stopped early, queued again at the back with its task sent again, nothing announced.
    assert first.status == RunStatus.QUEUED, first.error
    assert (first.claimed_by, first.finished_at, first.resume_at) == ("", None, None)
    assert first.enqueued_at is not None
    assert 1 <= first.playlists_changed < len(library.playlists) + 1
    assert queue.of(RUN_IMPORT) == [(RUN_IMPORT, event.pk, 1)]  # the turn: claims so far
    assert heard == []
    # The listener sees an import under way, not one that "has not started".
    client.force_login(user)
    card = html.unescape(client.get(reverse("accounts:dashboard")).content.decode())
    assert "it takes turns with other listeners' runs and goes on in a moment." in card
    assert "The playlists imported so far are kept" in card and "It has not started" not in card
    assert re.search(r'<progress data-role="bar"[^>]*value="\d+"\s*>', card)  # shown, not hidden

    turns = 1
    while (current := SyncEvent.objects.get(pk=event.pk)).status == RunStatus.QUEUED:
        assert turns < 10, "each turn imports at least one playlist"
        current = run_turn(event.pk, django_capture_on_commit_callbacks)
        turns += 1
    sent = requests_since(before, sandbox)

    assert current.status == RunStatus.SUCCEEDED, current.error
    assert turns >= 2
    assert len(queue.of(RUN_IMPORT)) == turns - 1
    assert_mirror_matches(user, library)
    # Every item page once, as a run in one go: pages read ahead before a turn ended were used.
    assert sent[ITEMS_ROUTE] == sum(pages(library.total(obj["id"]), 50) for obj in library.playlists)
    # What a turn costs: the listing and Liked Songs' first page, read again by each turn.
    assert sent[LISTING_ROUTE] == turns
    assert sent[LIKED_ROUTE] == pages(len(library.liked), 50) + turns - 1
    assert current.spotify_requests == sum(sent.values())
    assert current.playlists_done == current.playlists_total == len(library.playlists) + 1
    # Announced once, with every playlist stored over all the turns (a first import: all new).
    assert len(heard) == 1
    stored = Playlist.objects.filter(user=user).values_list("pk", flat=True)
    assert sorted(heard[0]["changed_playlist_ids"]) == sorted(stored)
    assert not set(CARRIED_OVER) & set(current.details)


def test_a_listener_who_starts_waiting_after_pages_were_read_ahead_gets_the_turn_once_those_are_written(
    sandbox, sliced, queue, monkeypatch, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    library = spotify_library(sandbox)
    # Nobody waits at first, so pages of the next playlists are read ahead; another listener's
    # import is queued (a real row) while Liked Songs is still being read.
    checks, real = [], runs.others_waiting

    def others_waiting(**kwargs) -> bool:
        checks.append(kwargs)
        if len(checks) == 3:
            someone_waiting()
        return real(**kwargs)

    monkeypatch.setattr(runs, "others_waiting", others_waiting)
    event = SyncEventFactory(user=user)
    before = route_counts(sandbox)

    first = run_turn(event.pk, django_capture_on_commit_callbacks)
    assert first.status == RunStatus.QUEUED, first.error
    # More than Liked Songs: the playlists whose pages were sent before the turn ended.
    assert first.playlists_changed > 1
    while (current := SyncEvent.objects.get(pk=event.pk)).status == RunStatus.QUEUED:
        current = run_turn(event.pk, django_capture_on_commit_callbacks)
    sent = requests_since(before, sandbox)

    assert current.status == RunStatus.SUCCEEDED, current.error
    assert_mirror_matches(user, library)
    assert sent[ITEMS_ROUTE] == sum(pages(library.total(obj["id"]), 50) for obj in library.playlists)


def test_an_import_runs_to_its_end_in_one_turn_when_nobody_else_waits_on_the_interactive_queue(
    sandbox, sliced, queue, heard, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    library = spotify_library(sandbox)
    # None of these is another listener waiting for an interactive worker:
    later = timezone.now() + timedelta(hours=1)
    SyncEventFactory(user=UserFactory(), enqueued_at=timezone.now(), resume_at=later)  # postponed
    SyncEventFactory(user=UserFactory())  # created, its task not handed over yet
    RouteRunFactory(user=user, base=None, enqueued_at=timezone.now())  # the listener's own route
    AnalysisBatch.objects.create(  # the bulk queue's
        user=UserFactory(), prompt_version="v", enqueued_at=timezone.now()
    )
    event = SyncEventFactory(user=user)

    done = run_turn(event.pk, django_capture_on_commit_callbacks)

    assert done.status == RunStatus.SUCCEEDED, done.error
    assert queue.of(RUN_IMPORT) == []
    assert_mirror_matches(user, library)
    assert len(heard) == 1


def test_another_listeners_waiting_route_takes_a_turn_from_an_import_too(
    sandbox, sliced, queue, django_capture_on_commit_callbacks
):
    sliced.SPOTIFY_FETCH_CONCURRENCY = 1  # one page at a time: nothing read ahead to finish first
    user = connect(sandbox)
    RouteRunFactory(user=UserFactory(), base=None, enqueued_at=timezone.now())
    event = SyncEventFactory(user=user)

    first = run_turn(event.pk, django_capture_on_commit_callbacks)

    assert first.status == RunStatus.QUEUED, first.error
    assert first.playlists_changed == 1  # Liked Songs, the one playlist every turn does
    assert queue.of(RUN_IMPORT) == [(RUN_IMPORT, event.pk, 1)]  # the turn: claims so far


def test_the_playlists_changed_before_a_long_retry_after_are_announced_when_the_resumed_import_ends(
    sandbox, settings, queue, heard, django_capture_on_commit_callbacks
):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    run_turn(SyncEventFactory(user=user).pk, django_capture_on_commit_callbacks)
    heard.clear()
    library = spotify_library(sandbox)
    ids = [obj["id"] for obj in library.playlists]
    donor = [row["item"]["uri"] for row in library.items[ids[-1]][:2]]
    for playlist_id in ids:
        sandbox.mutate_playlist(playlist_id, op="add", uris=donor)
    renamed = ids[0]
    sandbox.mutate_playlist(renamed, op="rename", name="Mix, renamed")
    *earlier, gym, _shared = ids
    path = f"/v1/playlists/{gym}/items"
    sandbox.fail_next(method="GET", path=path, kind="latency", latency_ms=0)
    sandbox.fail_next(method="GET", path=path, status=429, retry_after=7200)

    event = run_turn(SyncEventFactory(user=user).pk, django_capture_on_commit_callbacks)
    assert event.status == RunStatus.QUEUED  # postponed after the playlists before Gym 2025
    SpotifyPause.objects.update(until=timezone.now() - timedelta(seconds=1))
    SyncEvent.objects.filter(pk=event.pk).update(resume_at=timezone.now() - timedelta(seconds=1))
    resumed = run_turn(event.pk, django_capture_on_commit_callbacks)

    assert resumed.status == RunStatus.SUCCEEDED, resumed.error
    (call,) = heard
    changed = Playlist.objects.filter(user=user, spotify_id__in=ids).values_list("pk", flat=True)
    assert sorted(call["changed_playlist_ids"]) == sorted(changed)
    assert call["renamed_spotify_ids"] == [renamed]
    assert len(earlier) == 4  # the ones written before the pause are among them
