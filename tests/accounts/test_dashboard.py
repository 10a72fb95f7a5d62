"""The dashboard shows what is stored and never asks Spotify: the connection's state and the
library's totals as the last import left them (a page that answers on every load must not spend
the app's Spotify quota)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from library.models import Playlist, PlaylistKind
from tests.accounts.conftest import credential_from_sandbox
from tests.accounts.factories import SpotifyCredentialFactory
from tests.library.factories import PlaylistFactory
from tests.sync.factories import SyncEventFactory
from tests.sync.import_support import import_library

pytestmark = pytest.mark.django_db


def _spotify_requests(sandbox) -> int:
    return sum(n for route, n in sandbox.counters()["by_route"].items() if " /v1/" in route)


def test_the_dashboard_shows_the_stored_totals_of_the_last_import_and_asks_spotify_nothing(client, sandbox):
    credential = credential_from_sandbox(sandbox, user__display_name="Demo Listener")
    import_library(credential.user)
    playlists = Playlist.objects.filter(user=credential.user)
    items = sum(playlists.values_list("track_count", flat=True))
    client.force_login(credential.user)
    before = _spotify_requests(sandbox)

    html = client.get("/dashboard/").content.decode()

    assert "Demo Listener" in html and "Connected" in html
    assert f"{playlists.count()} playlists · {items:,} items" in html and "as of the last import" in html
    # The count is the mirror's, Liked Songs included: the card says how it relates to Spotify's.
    listed = playlists.exclude(kind=PlaylistKind.LIKED_SONGS).count()
    assert f"That is the {listed} playlists Spotify lists for you, plus your Liked Songs." in html
    assert _spotify_requests(sandbox) == before  # not one request
    assert credential.access_token not in html and credential.refresh_token not in html


def test_a_stranger_sees_their_own_totals_not_the_owners(client):
    owner = SpotifyCredentialFactory(user__display_name="Demo Listener").user
    stranger = SpotifyCredentialFactory(user__display_name="Other Listener").user
    stamp = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    for _ in range(3):
        PlaylistFactory(user=owner, track_count=10, items_imported_at=stamp)
    PlaylistFactory(user=stranger, track_count=4, items_imported_at=stamp)
    client.force_login(stranger)

    html = client.get("/dashboard/").content.decode()

    assert "Other Listener" in html and "1 playlist · 4 items" in html
    assert "Demo Listener" not in html and "3 playlists" not in html


def test_the_card_names_the_spotify_account_by_its_display_name_never_its_id(client):
    named = SpotifyCredentialFactory(user__display_name="Ada Lovelace", spotify_user_id="ada1815")
    unnamed = SpotifyCredentialFactory(user__display_name="", spotify_user_id="bare2026")

    client.force_login(named.user)
    html = client.get("/dashboard/").content.decode()
    assert "as <strong>Ada Lovelace</strong>" in html and "ada1815" not in html

    client.force_login(unnamed.user)
    html = client.get("/dashboard/").content.decode()
    assert "Connected</span>." in html and "bare2026" not in html


def test_before_the_first_import_the_card_says_so(client):
    client.force_login(SpotifyCredentialFactory().user)

    html = client.get("/dashboard/").content.decode()

    assert "Nothing imported yet" in html and "Connected" in html


# --- what next, and where scripts go --------------------------------------------------------------
NEXT_STEPS = [
    ("Route your playlists", "/routing/"),
    ("See your insights", "/insights/"),
    ("Connect your devices", "/library/devices/"),
    ("Read the API docs", "/api/docs/"),
]


def next_steps(html: str) -> list[tuple[str, str]] | None:
    """The next-steps card's links, or None when the dashboard has no such card."""
    if 'id="next-steps"' not in html:
        return None
    start = html.index('id="next-steps"')
    card = html[start : html.index("</section>", start)]
    return [(text, href) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', card)]


@pytest.mark.parametrize("runs", [[], ["running"], ["failed"], ["failed", "running"]])
def test_before_the_first_import_completes_the_dashboard_has_no_next_steps(client, runs):
    user = SpotifyCredentialFactory().user
    for trait in runs:
        SyncEventFactory(user=user, **{trait: True})
    client.force_login(user)

    assert next_steps(client.get("/dashboard/").content.decode()) is None


@pytest.mark.parametrize("runs", [["completed"], ["completed", "failed"], ["completed", "running"]])
def test_once_an_import_has_completed_the_dashboard_points_to_the_next_steps(client, runs):
    user = SpotifyCredentialFactory().user
    for trait in runs:
        SyncEventFactory(user=user, **{trait: True})
    client.force_login(user)

    assert next_steps(client.get("/dashboard/").content.decode()) == NEXT_STEPS


def test_a_strangers_completed_import_shows_no_next_steps_to_a_newcomer(client):
    SyncEventFactory(user=SpotifyCredentialFactory().user, completed=True)
    client.force_login(SpotifyCredentialFactory().user)

    assert next_steps(client.get("/dashboard/").content.decode()) is None


def test_the_api_tokens_card_sends_scripts_to_the_api_and_its_docs(client):
    client.force_login(SpotifyCredentialFactory().user)

    html = client.get("/dashboard/").content.decode()

    card = html[html.index('id="api-tokens"') :]
    assert '<a href="/api/"><code>/api/</code></a>' in card and '<a href="/api/docs/">API docs</a>' in card
    assert client.get("/api/").status_code == 200 and client.get("/api/docs/").status_code == 200
