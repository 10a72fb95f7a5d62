"""spotipy 2.26, unchanged but for its prefix and token URLs, works against the sandbox."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import requests
import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyOAuth, SpotifyPKCE

REDIRECT_URI = "http://127.0.0.1:8000/callback/"
SCOPE = "playlist-read-private playlist-modify-private user-top-read user-read-recently-played"


def client(sandbox, token: str | None = None) -> spotipy.Spotify:
    # spotipy 2.26 takes no `prefix` argument; the attribute set after construction is its only knob.
    sp = spotipy.Spotify(auth=token or sandbox.issue_token()["access_token"], retries=0)
    sp.prefix = sandbox.api_url + "/"
    return sp


def code_from(sandbox, authorize_url: str) -> str:
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def point_at(auth_manager, sandbox):
    # Instance attributes, so no other test sees a changed class.
    auth_manager.OAUTH_AUTHORIZE_URL = f"{sandbox.accounts_url}/authorize"
    auth_manager.OAUTH_TOKEN_URL = f"{sandbox.accounts_url}/api/token"
    return auth_manager


def test_spotipy_reads_the_profile_and_pages_through_playlists_with_next(sandbox):
    sp = client(sandbox)

    me = sp.current_user()
    page = sp.current_user_playlists(limit=50)
    rest = sp.next(page)

    assert me["id"] == "demo"
    assert len(page["items"]) + len(rest["items"]) == page["total"] == 75
    assert sp.next(rest) is None


def test_spotipy_reads_and_adds_playlist_items(sandbox):
    sp = client(sandbox)
    playlist_id = sp.current_user_playlists(limit=50)["items"][0]["id"]
    owned = next(p for p in sp.current_user_playlists(limit=50)["items"] if p["owner"]["id"] == "demo")
    track_uri = sp.current_user_top_tracks(limit=1)["items"][0]["uri"]

    items = sp.playlist_items(owned["id"], limit=50)
    added = sp.playlist_add_items(owned["id"], [track_uri], position=0)
    after = sp.playlist_items(owned["id"], limit=1)

    assert playlist_id
    assert items["total"] == owned["items"]["total"]
    assert added["snapshot_id"]
    assert after["items"][0]["item"]["uri"] == track_uri and after["total"] == items["total"] + 1


def test_spotipy_reads_top_tracks_and_recently_played(sandbox):
    sp = client(sandbox)

    top = sp.current_user_top_tracks(limit=20, time_range="short_term")
    sandbox.add_plays("demo", 5)
    recent = sp.current_user_recently_played(limit=50)
    older = sp.current_user_recently_played(limit=50, before=recent["cursors"]["before"])
    sixth = datetime.fromisoformat(recent["items"][5]["played_at"])
    newer = sp.current_user_recently_played(limit=50, after=int(sixth.timestamp() * 1000))

    assert len(top["items"]) == 20
    assert len(recent["items"]) == 50 and recent["next"] is None
    # Spotify keeps only the last 50 plays: nothing lies beyond them.
    assert older["items"] == [] and older["next"] is None
    assert [item["played_at"] for item in newer["items"]] == [
        item["played_at"] for item in recent["items"][:5]
    ]


def test_spotipy_oauth_exchanges_a_code_and_refreshes(sandbox):
    sandbox.configure(auto_approve=True)
    oauth = point_at(
        SpotifyOAuth(
            client_id=sandbox.client_id,
            client_secret=sandbox.client_secret,
            redirect_uri=REDIRECT_URI,
            scope=SCOPE,
            cache_handler=MemoryCacheHandler(),
            open_browser=False,
        ),
        sandbox,
    )

    access_token = oauth.get_access_token(
        code_from(sandbox, oauth.get_authorize_url(state="xyz")), as_dict=False, check_cache=False
    )
    refreshed = oauth.refresh_access_token(oauth.cache_handler.get_cached_token()["refresh_token"])

    assert client(sandbox, access_token).current_user()["id"] == "demo"
    assert refreshed["access_token"] != access_token


def test_spotipy_pkce_exchanges_a_code_without_a_secret(sandbox):
    sandbox.configure(auto_approve=True)
    pkce = point_at(
        SpotifyPKCE(
            client_id=sandbox.client_id,
            redirect_uri=REDIRECT_URI,
            scope=SCOPE,
            cache_handler=MemoryCacheHandler(),
            open_browser=False,
        ),
        sandbox,
    )

    access_token = pkce.get_access_token(code_from(sandbox, pkce.get_authorize_url()), check_cache=False)
    refreshed = pkce.refresh_access_token(pkce.cache_handler.get_cached_token()["refresh_token"])

    assert client(sandbox, access_token).current_user()["id"] == "demo"
    assert refreshed["refresh_token"] == pkce.cache_handler.get_cached_token()["refresh_token"]
