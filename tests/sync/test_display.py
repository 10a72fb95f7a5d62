"""The one-sentence summaries of route runs (imports are covered with their card and API)."""

from __future__ import annotations

import pytest

from sync.display import describe_event
from sync.models import SyncKind
from core.runs import RunStatus
from tests.factories import SyncEventFactory

pytestmark = pytest.mark.django_db


def test_a_route_is_described_in_child_playlists_and_tracks_not_playlists_and_items():
    planning = SyncEventFactory(kind=SyncKind.ROUTE, running=True, playlists_total=0, playlists_done=0)
    running = SyncEventFactory(
        kind=SyncKind.ROUTE, running=True, playlists_total=3, playlists_done=1, items_done=420
    )
    done = SyncEventFactory(
        kind=SyncKind.ROUTE,
        completed=True,
        playlists_total=2,
        playlists_done=2,
        items_done=420,
        details={"writes": {"a": {"added": 30, "removed": 2}, "b": {"added": 5, "removed": 0}}},
    )

    assert describe_event(planning) == "Routing: reading the base playlist and the children's filters…"
    assert describe_event(running) == "Routing 420 tracks: 1 of 3 child playlists done."
    assert describe_event(done).startswith("Completed ")
    assert describe_event(done).endswith(": 420 tracks routed into 2 child playlists; 35 added, 2 removed.")
    assert describe_event(SyncEventFactory(kind=SyncKind.ROUTE, status=RunStatus.QUEUED)).startswith(
        "Queued"
    )
