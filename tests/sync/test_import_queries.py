"""Database queries of an import: a constant per playlist, whatever its length."""

from __future__ import annotations

import pytest
import requests
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from library.models import Playlist
from core.runs import RunStatus
from tests.sync.import_support import (
    ITEMS_ROUTE,
    connect,
    import_library,
    requests_since,
    route_counts,
    set_mode,
    sqlite_batches,
)

pytestmark = pytest.mark.django_db

# One incremental run in which a single playlist changed, counted from the factory's insert
# of the event (1): claim and load the event (2), credential (2), known playlists (1), the
# listing's transaction (savepoint, playlists not listed or marked, progress, release: 4), the playlist's
# transaction (savepoint, artists, albums, tracks, credits, playlist row, delete items,
# insert items, progress, release: 10), the final status and reload (2), and, once the import
# is committed, what its listeners look at (sync.signals.import_completed): the look for
# bases to route automatically (1, only when a playlist changed), the raise of the changed
# playlists' analyses to explicit where Spotify marks the track so (1, likewise), the look for an enabled
# LLM provider before queueing song analyses (1; none here, so nothing more), the look for the
# listener's active analysis batches, to announce analysis.signals.analyses_settled when there
# are none (1), the look for today's listening snapshot before queueing the after-import refresh (1)
# and at the listener's analyses, which it would wait for (1), the look for bases and children
# to link to their playlist again (1), and what the receivers of analyses_settled look at: a
# listening refresh waiting for it (1) and bases waiting for it (1).
QUERIES_FOR_ONE_CHANGED_PLAYLIST = 31
QUERIES_FOR_NO_CHANGE = QUERIES_FOR_ONE_CHANGED_PLAYLIST - 12
# Besides those, the deployment's Spotify pause is read (one indexed query on a tiny table)
# before every request sent and before every dispatch of prefetched pages, because another
# process may have met Spotify's quota a moment ago: at most two reads per request.
PAUSE_TABLE = "accounts_spotifypause"


def distinct_track_uris(sandbox, count: int) -> list[str]:
    """`count` different track URIs, read from the demo listener's biggest playlist."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {sandbox.issue_token(user='demo')['access_token']}"
    listing = http.get(f"{sandbox.api_url}/me/playlists?limit=50", timeout=10).json()["items"]
    biggest = max(listing, key=lambda obj: obj["items"]["total"])
    uris: dict[str, None] = {}
    url = f"{sandbox.api_url}/playlists/{biggest['id']}/items?limit=50"
    while url and len(uris) < count:
        page = http.get(url, timeout=10).json()
        for row in page["items"]:
            item = row["item"]
            if item and item["type"] == "track" and not row["is_local"]:
                uris[item["uri"]] = None
        url = page["next"]
    return list(uris)[:count]


@pytest.fixture
def imported(sandbox, settings, queue):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    import_library(user)
    return user


def reimport_counting(user, sandbox) -> tuple[int, dict[str, int]]:
    """The import's queries other than pause reads, and the requests it sent (by route)."""
    counts = route_counts(sandbox)
    with CaptureQueriesContext(connection) as queries:
        # As on a worker, the import's listeners run once it is committed (import_completed).
        with TestCase.captureOnCommitCallbacks(execute=True):
            event = import_library(user)
    assert event.status == RunStatus.SUCCEEDED, event.error
    sent = requests_since(counts, sandbox)
    pause_reads = sum(PAUSE_TABLE in query["sql"] for query in queries.captured_queries)
    assert 1 <= pause_reads <= 2 * sum(sent.values())
    return len(queries) - pause_reads, sent


def test_queries_for_a_changed_playlist_do_not_grow_with_its_number_of_pages(sandbox, imported):
    user = imported
    rainy = Playlist.objects.get(user=user, name="Songs For Rainy Mondays")
    drafts = Playlist.objects.get(user=user, name="Drafts")
    uris = distinct_track_uris(sandbox, 500)

    sandbox.mutate_playlist(rainy.spotify_id, op="add", uris=uris[:1])
    small_queries, small_sent = reimport_counting(user, sandbox)
    assert small_queries <= QUERIES_FOR_ONE_CHANGED_PLAYLIST

    for start in range(0, 500, 100):
        sandbox.mutate_playlist(drafts.spotify_id, op="add", uris=uris[start : start + 100])
    # On PostgreSQL the same bound; on SQLite only Django's 999-variable batches on top.
    big_queries, big_sent = reimport_counting(user, sandbox)
    assert big_queries <= QUERIES_FOR_ONE_CHANGED_PLAYLIST + sqlite_batches(515)

    assert (small_sent[ITEMS_ROUTE], big_sent[ITEMS_ROUTE]) == (1, 11)
    assert Playlist.objects.get(pk=drafts.pk).track_count == 515
    if connection.vendor == "postgresql":
        assert big_queries == small_queries


def test_an_unchanged_reimport_costs_a_handful_of_queries(sandbox, imported):
    queries, sent = reimport_counting(imported, sandbox)
    assert queries <= QUERIES_FOR_NO_CHANGE
    assert ITEMS_ROUTE not in sent
