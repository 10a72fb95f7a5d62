"""The Web API's common behaviour: bearer auth, errors, paging, the personal listening endpoints."""

from __future__ import annotations

import time
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.sandbox.conftest import Api, playlists_of


def test_a_request_without_a_token_is_401_no_token_provided(sandbox):
    answer = requests.get(f"{sandbox.api_url}/me", timeout=10)

    assert answer.status_code == 401
    assert answer.json() == {"error": {"status": 401, "message": "No token provided"}}


def test_an_unknown_token_is_401_invalid_access_token(sandbox):
    answer = Api(api_url=sandbox.api_url, token="BQ-made-up").get("/me")

    assert answer.status_code == 401
    assert answer.json() == {"error": {"status": 401, "message": "Invalid access token"}}


def test_an_expired_token_is_401_the_access_token_expired(sandbox):
    api = Api(api_url=sandbox.api_url, token=sandbox.issue_token(expires_in=1)["access_token"])
    assert api.get("/me").status_code == 200
    time.sleep(1.1)

    answer = api.get("/me")

    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "The access token expired"


def test_the_token_is_read_from_the_authorization_header_only(sandbox, demo):
    answer = requests.get(f"{sandbox.api_url}/me", params={"access_token": demo.token}, timeout=10)

    assert answer.status_code == 401


def test_me_describes_the_demo_listener(demo):
    me = demo.get("/me").json()

    assert (me["id"], me["display_name"], me["type"]) == ("demo", "Demo Listener", "user")
    assert me["uri"] == "spotify:user:demo"


def test_an_unknown_path_is_404_in_spotify_error_shape(demo):
    answer = demo.get("/no/such/endpoint")

    assert answer.status_code == 404
    assert answer.json() == {"error": {"status": 404, "message": "Service not found"}}


def test_an_unknown_playlist_is_404_and_a_malformed_id_400(demo):
    assert demo.get("/playlists/0000000000000000000000").status_code == 404
    assert demo.get("/playlists/not-an-id").json() == {
        "error": {"status": 400, "message": "Invalid base62 id"}
    }


def test_my_playlists_page_with_absolute_next_and_previous_urls_to_the_end(sandbox, demo):
    seen, url = [], f"{sandbox.api_url}/me/playlists?limit=20"
    pages = []
    while url:
        page = demo.request("GET", url).json()
        pages.append(page)
        seen += [item["id"] for item in page["items"]]
        url = page["next"]

    assert [len(p["items"]) for p in pages] == [20, 20, 20, 15]
    assert len(set(seen)) == pages[0]["total"] == 75
    assert pages[0]["previous"] is None
    assert pages[0]["href"] == f"{sandbox.api_url}/me/playlists?offset=0&limit=20"
    assert pages[1]["previous"] == f"{sandbox.api_url}/me/playlists?offset=0&limit=20"
    assert pages[2]["next"] == f"{sandbox.api_url}/me/playlists?offset=60&limit=20"


def test_paging_urls_follow_the_host_the_client_used(sandbox, demo):
    localhost = sandbox.api_url.replace("127.0.0.1", "localhost")

    page = demo.request("GET", f"{localhost}/me/playlists?limit=5").json()

    assert page["next"].startswith(f"{localhost}/me/playlists?")


@pytest.mark.parametrize(
    "path", ["/me/playlists", "/me/tracks", "/me/top/tracks", "/me/player/recently-played"]
)
def test_a_limit_above_50_is_400_invalid_limit(demo, path):
    answer = demo.get(path, limit=51)

    assert answer.status_code == 400
    assert answer.json() == {"error": {"status": 400, "message": "Invalid limit"}}


def test_playlist_items_page_through_a_big_playlist_in_order(sandbox, demo):
    biggest = max(
        playlists_of(sandbox, "demo")["owned_playlists"],
        key=lambda pid: demo.get(f"/playlists/{pid}/items", limit=1).json()["total"],
    )
    first = demo.get(f"/playlists/{biggest}/items", limit=50).json()
    second = demo.request("GET", first["next"]).json()

    assert first["total"] > 1000
    assert second["offset"] == 50 and second["previous"].endswith("offset=0&limit=50")
    assert demo.get(f"/playlists/{biggest}/items", limit=51).status_code == 400


def test_liked_songs_hold_a_few_hundred_tracks_newest_first(demo):
    page = demo.get("/me/tracks", limit=50).json()
    added = [item["added_at"] for item in page["items"]]

    assert 200 <= page["total"] <= 800
    assert added == sorted(added, reverse=True)
    assert page["items"][0]["track"]["type"] == "track"


def test_top_items_differ_by_time_range_and_reject_unknown_ranges(demo):
    short = [t["id"] for t in demo.get("/me/top/tracks", time_range="short_term", limit=10).json()["items"]]
    long = [t["id"] for t in demo.get("/me/top/tracks", time_range="long_term", limit=10).json()["items"]]
    artists = demo.get("/me/top/artists", limit=5).json()

    assert short != long
    assert artists["items"][0]["type"] == "artist" and artists["total"] > 5
    assert demo.get("/me/top/tracks", time_range="forever").status_code == 400


def _ms(played_at: str) -> int:
    return int(datetime.fromisoformat(played_at).timestamp() * 1000)


def _recent(api, **params) -> list[str]:
    return [item["played_at"] for item in api.get("/me/player/recently-played", **params).json()["items"]]


def test_recently_played_reaches_only_the_newest_50_plays_as_on_spotify(sandbox, demo):
    played_at, pages = [], 0
    page = demo.get("/me/player/recently-played", limit=20).json()
    while True:
        pages += 1
        played_at += [item["played_at"] for item in page["items"]]
        if page["next"] is None:
            break
        assert parse_qs(urlsplit(page["next"]).query)["before"] == [page["cursors"]["before"]]
        page = demo.request("GET", page["next"]).json()
    beyond = demo.get("/me/player/recently-played", limit=50, before=_ms(played_at[-1])).json()

    assert pages == 3 and len(played_at) == 50 == len(set(played_at))
    assert played_at == sorted(played_at, reverse=True)
    assert beyond["items"] == [] and beyond["next"] is None and beyond["cursors"] is None
    # The generated history is much longer; only its newest 50 plays are reachable.
    assert sandbox.stats()["users"]["demo"]["plays"] > 50


def test_recently_played_after_returns_the_plays_just_after_the_cursor(demo):
    window = _recent(demo, limit=50)
    cursor = _ms(window[30])

    newer = demo.get("/me/player/recently-played", limit=5, after=cursor).json()
    rest = demo.request("GET", newer["next"]).json()

    assert [item["played_at"] for item in newer["items"]] == window[25:30]
    assert [item["played_at"] for item in rest["items"]] == window[20:25]
    # With room for all of them, every play after the cursor comes back and there is no next page.
    everything = demo.get("/me/player/recently-played", limit=50, after=cursor).json()
    assert [item["played_at"] for item in everything["items"]] == window[:30]
    assert everything["next"] is None
    assert demo.get("/me/player/recently-played", before=1, after=1).status_code == 400


def test_added_plays_go_on_top_and_push_the_oldest_out_of_reach(sandbox, demo):
    before = _recent(demo, limit=50)

    added = sandbox.add_plays("demo", 10, spacing_seconds=200)
    after = _recent(demo, limit=50)

    assert added["added"] == 10
    assert [play["played_at"] for play in added["plays"]] == after[:10]
    assert after[10:] == before[:40]
    gaps = {_ms(a) - _ms(b) for a, b in zip(after[:10], after[1:10], strict=False)}
    assert gaps == {200_000}
    assert _ms(after[0]) == pytest.approx(time.time() * 1000, abs=5000)  # the newest is "now"
    # Default tracks are the listener's own, deterministic for the same history.
    sandbox.reset()
    assert (
        sandbox.add_plays("demo", 10, spacing_seconds=200)["plays"][0]["track_id"]
        == (added["plays"][0]["track_id"])
    )


def test_added_plays_cycle_through_given_tracks_and_end_where_asked(sandbox, demo):
    tracks = [item["track"]["id"] for item in demo.get("/me/tracks", limit=2).json()["items"]]

    added = sandbox.add_plays("demo", 3, end="2030-01-01T10:00:00Z", spacing_seconds=60, track_ids=tracks)
    items = demo.get("/me/player/recently-played", limit=3).json()["items"]

    assert [play["played_at"] for play in added["plays"]] == [
        "2030-01-01T10:00:00.000Z",
        "2030-01-01T09:59:00.000Z",
        "2030-01-01T09:58:00.000Z",
    ]
    assert [item["track"]["id"] for item in items] == [play["track_id"] for play in added["plays"]]
    assert {play["track_id"] for play in added["plays"]} == set(tracks)


def test_reset_restores_the_generated_history(sandbox, demo):
    generated = _recent(demo, limit=50)
    sandbox.add_plays("demo", 60)

    sandbox.reset()

    # A reset forgets tokens too: ask again with a new one.
    again = Api(api_url=sandbox.api_url, token=sandbox.issue_token(user="demo")["access_token"])
    assert _recent(again, limit=50) == generated


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "count must be an integer from 1 to 5000."),
        ({"count": 0}, "count must be an integer >= 1."),
        ({"count": 5001}, "count must be an integer from 1 to 5000."),
        ({"count": "3"}, "count must be an integer >= 1."),
        ({"count": 3, "spacing_seconds": 0}, "spacing_seconds must be an integer >= 1."),
        ({"count": 3, "end": "yesterday"}, "end must be an ISO-8601 time"),
        ({"count": 3, "end": "2030-01-01T10:00:00"}, "end needs a time zone"),
        ({"count": 3, "end": "2020-01-01T10:00:00Z"}, "not after the newest play"),
        ({"count": 3, "track_ids": []}, "track_ids must be a non-empty list of track ids."),
        (
            {"count": 3, "track_ids": ["0000000000000000000000"]},
            "Unknown track id(s): 0000000000000000000000.",
        ),
        ({"count": 3, "colour": "red"}, "Unknown field(s): colour."),
    ],
)
def test_bad_play_instructions_are_400_with_what_is_wrong(sandbox, body, message):
    answer = requests.post(f"{sandbox.url}/_sandbox/users/demo/plays", json=body, timeout=10)

    assert answer.status_code == 400
    assert message in answer.json()["error"]


def test_plays_for_an_unknown_user_are_404(sandbox):
    answer = requests.post(f"{sandbox.url}/_sandbox/users/nobody/plays", json={"count": 1}, timeout=10)

    assert answer.status_code == 404 and answer.json() == {"error": "Unknown user 'nobody'."}


def test_an_endpoint_outside_the_tokens_scopes_is_403(sandbox):
    token = sandbox.issue_token(scope="playlist-read-private")["access_token"]

    answer = Api(api_url=sandbox.api_url, token=token).get("/me/top/tracks")

    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == "Insufficient client scope"
