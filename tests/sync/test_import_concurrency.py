"""Reading item pages ahead on a few threads: the same mirror, the same requests, the same failures.

All on the small `other` listener (Mix, Rainy Mondays, Road Trip, Drafts, Gym 2025, Shared,
and 60 liked songs); where many pages are wanted, Drafts is grown on the sandbox first.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import requests
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from library.models import Playlist
from core.runs import RunStatus
from spotify.http import SpotifySession
from spotify.prefetch import PagePrefetcher
from spotify.reader import SpotifyReader
from tests.accounts.factories import SpotifyCredentialFactory
from tests.sync.import_support import (
    ITEMS_ROUTE,
    LIKED_ROUTE,
    LISTING_ROUTE,
    assert_mirror_matches,
    connect,
    expected_item,
    import_library,
    item_ids,
    mirrored_items,
    pages,
    requests_since,
    route_counts,
    set_mode,
    spotify_library,
)

pytestmark = pytest.mark.django_db

SAVED_SO_FAR = "Playlists already read are kept; a retry goes on from there."
ANY_ITEMS_PAGE = "/v1/playlists/*/items"


@pytest.fixture
def development(sandbox, settings):
    set_mode(sandbox, settings, "development")
    settings.SPOTIFY_FETCH_CONCURRENCY = 4
    return settings


def minimum_requests(library) -> dict[str, int]:
    """What a sequential import of `other` sends: the listing, Liked Songs, 50 items a page."""
    return {
        LISTING_ROUTE: pages(len(library.playlists), 50),
        LIKED_ROUTE: pages(len(library.liked), 50),
        ITEMS_ROUTE: sum(pages(library.total(obj["id"]), 50) for obj in library.playlists),
    }


def grow_drafts(sandbox, *, tracks: int) -> str:
    """Add `tracks` different songs (from the demo listener's biggest playlist) to Drafts."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {sandbox.issue_token(user='demo')['access_token']}"
    listing = http.get(f"{sandbox.api_url}/me/playlists?limit=50", timeout=10).json()["items"]
    biggest = max(listing, key=lambda obj: obj["items"]["total"])
    uris: dict[str, None] = {}
    url = f"{sandbox.api_url}/playlists/{biggest['id']}/items?limit=50"
    while url and len(uris) < tracks:
        page = http.get(url, timeout=10).json()
        rows = [row for row in page["items"] if row["item"] and not row["is_local"]]
        uris.update((row["item"]["uri"], None) for row in rows)
        url = page["next"]
    drafts = spotify_library(sandbox).playlist("Drafts")["id"]
    chosen = list(uris)[:tracks]
    for start in range(0, len(chosen), 100):
        sandbox.mutate_playlist(drafts, op="add", uris=chosen[start : start + 100])
    return drafts


def state_of(user) -> dict[str, tuple[str, list[int]]]:
    return {p.spotify_id: (p.snapshot_id, item_ids(p)) for p in Playlist.objects.filter(user=user)}


def test_reading_ahead_mirrors_the_sandbox_with_exactly_the_requests_of_one_page_at_a_time(
    sandbox, development, monkeypatch
):
    grow_drafts(sandbox, tracks=400)  # Drafts: 10 pages, more than the look-ahead window
    user = connect(sandbox)
    library = spotify_library(sandbox)
    # Spy on the two things the worker threads must never do: open a database
    # connection, or hold more pages than the window allows.
    threads_on_database: set[str] = set()
    real_ensure = BaseDatabaseWrapper.ensure_connection

    def ensure_connection(self):
        threads_on_database.add(threading.current_thread().name)
        return real_ensure(self)

    most_outstanding = 0
    real_dispatch = PagePrefetcher._dispatch

    def dispatch(self, job, group, token):
        nonlocal most_outstanding
        real_dispatch(self, job, group, token)
        most_outstanding = max(most_outstanding, self._outstanding)

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", ensure_connection)
    monkeypatch.setattr(PagePrefetcher, "_dispatch", dispatch)

    before = route_counts(sandbox)
    event = import_library(user)
    sent = requests_since(before, sandbox)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert_mirror_matches(user, library)
    assert sent == minimum_requests(library)
    assert sent[ITEMS_ROUTE] > 8  # more pages than the window of 2 x 4
    assert event.spotify_requests == sum(sent.values())
    assert (event.retries, event.rate_limited) == (0, 0)
    assert not [name for name in threads_on_database if name.startswith("spotify-prefetch")]
    # The window (8), plus as many again for the playlist being read.
    assert 0 < most_outstanding <= 16

    # The same import one page at a time: the same requests, and no thread pool at all.
    development.SPOTIFY_FETCH_CONCURRENCY = 1
    Playlist.objects.filter(user=user).delete()

    def no_pool(*args, **kwargs):
        raise AssertionError("SPOTIFY_FETCH_CONCURRENCY=1 must not read ahead")

    monkeypatch.setattr(PagePrefetcher, "__init__", no_pool)
    before = route_counts(sandbox)
    sequential = import_library(user)

    assert sequential.status == RunStatus.SUCCEEDED, sequential.error
    assert requests_since(before, sandbox) == sent
    assert_mirror_matches(user, library)


@pytest.mark.parametrize(
    ("fault", "rate_limited", "refreshes"),
    [
        pytest.param({"status": 503}, 0, 0, id="503"),
        pytest.param({"status": 429, "retry_after": 1}, 1, 0, id="429-short-retry-after"),
        pytest.param(
            {"status": 401, "body": {"error": {"status": 401, "message": "The access token expired"}}},
            0,
            1,
            id="401",
        ),
        pytest.param({"kind": "malformed"}, 0, 0, id="garbled-body"),
        pytest.param({"kind": "reset"}, 0, 0, id="connection-reset"),
    ],
)
def test_a_page_a_worker_could_not_get_is_fetched_again_through_the_client_and_the_import_converges(
    sandbox, development, fault, rate_limited, refreshes, monkeypatch
):
    user = connect(sandbox)
    library = spotify_library(sandbox)
    resumed = []
    real_request = SpotifySession.request

    def request(self, method, url, *args, resume=None, **kwargs):
        if resume is not None:
            resumed.append(resume)
        return real_request(self, method, url, *args, resume=resume, **kwargs)

    monkeypatch.setattr(SpotifySession, "request", request)
    # The first item page requested (always by a worker) gets the fault.
    sandbox.fail_next(method="GET", path=ANY_ITEMS_PAGE, **fault)

    before = route_counts(sandbox)
    event = import_library(user)
    sent = requests_since(before, sandbox)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert_mirror_matches(user, library)
    minimum = minimum_requests(library)
    assert sent == {
        **minimum,
        ITEMS_ROUTE: minimum[ITEMS_ROUTE] + 1,  # the failed attempt, once more
        **({"POST /api/token": refreshes} if refreshes else {}),
    }
    assert (event.retries, event.rate_limited) == (1, rate_limited)
    # A worker met the fault; the client's policy carried on from its attempt.
    assert len(resumed) == 1
    # What the event records is what the sandbox saw, the worker's attempt included.
    assert event.spotify_requests == sum(sent.values())


def test_a_token_that_expires_before_the_pages_read_ahead_is_refreshed_once(
    sandbox, development, monkeypatch
):
    # Spotify's token dies in a second; our clock believes it has an hour left.
    grant = sandbox.issue_token(user="other", expires_in=1)
    issued = time.monotonic()
    user = SpotifyCredentialFactory(
        spotify_user_id="other",
        access_token=grant["access_token"],
        refresh_token=grant["refresh_token"],
        expires_at=timezone.now() + timedelta(hours=1),
    ).user
    library = spotify_library(sandbox)
    real_read_ahead = SpotifyReader.read_ahead

    def after_expiry(self, **kwargs):
        # The listing went through; every page read ahead meets the expired token.
        time.sleep(max(0.0, issued + 1.2 - time.monotonic()))
        return real_read_ahead(self, **kwargs)

    monkeypatch.setattr(SpotifyReader, "read_ahead", after_expiry)
    before = route_counts(sandbox)
    counters_before = sandbox.counters()["by_status"].get("401", 0)
    event = import_library(user)
    sent = requests_since(before, sandbox)
    refused = sandbox.counters()["by_status"].get("401", 0) - counters_before

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert_mirror_matches(user, library)
    assert refused >= 1
    # One refresh however many workers met the dead token; each refused page sent once more.
    assert sent.pop("POST /api/token") == 1
    minimum = minimum_requests(library)
    assert sent[LISTING_ROUTE] == minimum[LISTING_ROUTE]
    assert sent[LIKED_ROUTE] + sent[ITEMS_ROUTE] == minimum[LIKED_ROUTE] + minimum[ITEMS_ROUTE] + refused
    assert event.retries == refused
    assert event.spotify_requests == sum(sent.values()) + 1


@pytest.fixture
def edited_everywhere(sandbox, development):
    """`other` imported once, then every playlist edited on Spotify, so each needs reading again."""
    user = connect(sandbox)
    import_library(user)
    library = spotify_library(sandbox)
    ids = [obj["id"] for obj in library.playlists]
    donor = [row["item"]["uri"] for row in library.items[ids[-1]][:2]]
    for playlist_id in ids:
        sandbox.mutate_playlist(playlist_id, op="add", uris=donor)
    return user, ids, state_of(user)


def test_a_lasting_outage_in_one_playlist_leaves_it_and_the_ones_read_ahead_after_it_as_they_were(
    sandbox, edited_everywhere
):
    user, ids, before = edited_everywhere
    mix, rainy, *after_rainy = ids
    library = spotify_library(sandbox)
    sandbox.fail_next(method="GET", path=f"/v1/playlists/{rainy}/items", status=503, count=1000)

    counts = route_counts(sandbox)
    event = import_library(user)
    sent = requests_since(counts, sandbox)

    assert event.status == RunStatus.FAILED
    assert event.error == (
        'Could not read the playlist "Songs For Rainy Mondays": Spotify is not answering properly '
        "(error 503 while reading a playlist's items). " + SAVED_SO_FAR
    )
    # The worker's try, then the client's two retries.
    assert event.retries == 2
    after = state_of(user)
    # Mix, before it, written with its new items.
    assert after[mix][0] == next(obj["snapshot_id"] for obj in library.playlists if obj["id"] == mix)
    assert after[mix][1] != before[mix][1]
    # Rainy Mondays, and every playlist whose pages were read ahead of it, untouched.
    for playlist_id in (rainy, *after_rainy):
        assert after[playlist_id] == before[playlist_id]
    # Pages fetched ahead for playlists never written still count, on both sides.
    assert event.spotify_requests == sum(sent.values())

    sandbox.control("DELETE", "faults")
    retry = import_library(user)

    assert retry.status == RunStatus.SUCCEEDED, retry.error
    assert_mirror_matches(user, spotify_library(sandbox))


@pytest.mark.parametrize("change", ["grown", "shrunk"])
def test_a_playlist_edited_between_the_listing_and_its_pages_is_read_to_its_actual_end(
    sandbox, development, monkeypatch, change
):
    user = connect(sandbox)
    library = spotify_library(sandbox)
    gym = library.playlist("Gym 2025")  # 62 items: 2 pages planned from the listing
    real_read_ahead = SpotifyReader.read_ahead

    def edited_meanwhile(self, **kwargs):
        if change == "grown":
            donor = [row["track"]["uri"] for row in library.liked[:45]]
            sandbox.mutate_playlist(gym["id"], op="add", uris=donor)  # 107: a third page
        else:
            sandbox.mutate_playlist(gym["id"], op="remove", positions=list(range(20)))  # 42: one page
        return real_read_ahead(self, **kwargs)

    monkeypatch.setattr(SpotifyReader, "read_ahead", edited_meanwhile)
    event = import_library(user)

    assert event.status == RunStatus.SUCCEEDED, event.error
    served = spotify_library(sandbox).items[gym["id"]]
    mirrored = Playlist.objects.get(user=user, spotify_id=gym["id"])
    assert mirrored_items(mirrored) == [expected_item(row, n) for n, row in enumerate(served)]
    assert mirrored.track_count == mirrored.items_total == len(served)

    # The snapshot kept is the listing's, so the next import reads it again and converges.
    monkeypatch.undo()
    assert import_library(user).status == RunStatus.SUCCEEDED
    assert_mirror_matches(user, spotify_library(sandbox))
