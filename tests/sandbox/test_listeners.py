"""Listeners created at run time (POST /_sandbox/users), for benchmarks of many listeners.

The session sandbox validates every /v1 answer against Spotify's spec and fails the session on a
violation; the tests here also check `violations()` right after their calls, so a failure points
at the listener calls that caused it.
"""

from __future__ import annotations

import datetime as dt
import tempfile

import pytest
import requests

from sandbox.catalog import build_catalog
from sandbox.catalog.library import Pools
from sandbox.catalog.listeners import build_listener
from tests.fixtures.sandbox import SandboxControlError, _start
from tests.support.processes import stop
from tests.sandbox.conftest import Api, playlists_of
from tests.sandbox.test_accounts import REDIRECT_URI, FormReader, authorize_params, consent, exchange

SMALL = [0, 1, 7, 50, 51, 120]


def create(sandbox, **request) -> dict:
    return sandbox.control("POST", "users", request)


def as_listener(sandbox, user: str) -> Api:
    return Api(api_url=sandbox.api_url, token=sandbox.issue_token(user=user)["access_token"])


def every_page(api: Api, path: str, *, limit: int) -> list[dict]:
    """Walk a paging object by its `next` links: every page, each checked for its limit and total."""
    pages, url, params = [], path, {"limit": limit}
    while url:
        answer = api.get(url, **params) if params else api.get(url)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) <= limit
        pages.append(page)
        url, params = page["next"], None
    assert all(page["total"] == pages[0]["total"] for page in pages)
    return pages


def test_creating_a_listener_answers_201_with_its_playlists_and_counts(sandbox):
    answer = requests.post(
        f"{sandbox.url}/_sandbox/users",
        json={
            "id": "listener_07",
            "display_name": "Listener Seven",
            "playlists": SMALL,
            "liked": 30,
            "plays": 80,
        },
        timeout=10,
    )

    assert answer.status_code == 201
    body = answer.json()
    assert body["id"] == "listener_07" and body["display_name"] == "Listener Seven"
    assert len(body["playlists"]) == len(SMALL) == len(set(body["playlists"]))
    assert body["items"] == sum(SMALL) == body["distinct_tracks"]
    assert body["liked"] == 30 and body["plays"] == 80
    assert body["catalog_tracks"] > 30_000 and body["elapsed_ms"] >= 0
    listed = next(u for u in sandbox.control("GET", "users")["users"] if u["id"] == "listener_07")
    assert listed["created"] is True and listed["signable"] is True
    assert listed["owned_playlists"] == body["playlists"]
    assert create(sandbox, id="listener_08", playlists=[3])["display_name"] == "Listener 08"


@pytest.mark.parametrize("mode", ["development", "extended"])
def test_a_created_listener_is_served_like_demo_and_validates_against_the_spec(sandbox, mode):
    sandbox.configure(mode=mode)
    made = create(sandbox, id="listener_07", playlists=SMALL, liked=30, plays=80)
    api = as_listener(sandbox, "listener_07")
    anchor = sandbox.now()

    me = api.get("/me").json()
    assert me["id"] == "listener_07" and me["display_name"] == "Listener 07" and me["account_id"]

    listing = [p for page in every_page(api, "/me/playlists", limit=2) for p in page["items"]]
    assert [p["id"] for p in listing] == made["playlists"]  # in the order of the sizes
    totals_key = "items" if mode == "development" else "tracks"
    assert [p[totals_key]["total"] for p in listing] == SMALL
    assert all(p["owner"]["id"] == "listener_07" and p["name"] and p["snapshot_id"] for p in listing)

    items_path = "items" if mode == "development" else "tracks"
    for playlist_id, size in zip(made["playlists"], SMALL, strict=True):
        full = api.get(f"/playlists/{playlist_id}").json()
        assert full[totals_key]["total"] == size
        pages = every_page(api, f"/playlists/{playlist_id}/{items_path}", limit=50)
        rows = [row for page in pages for row in page["items"]]
        assert len(rows) == size and len(pages) == max(1, -(-size // 50))
        assert all(row["added_by"]["id"] == "listener_07" for row in rows)
        assert all(dt.datetime.fromisoformat(row["added_at"]) < anchor for row in rows)
        track = rows[0]["item"] if rows and mode == "development" else rows[0]["track"] if rows else None
        if track is not None:
            assert api.get(f"/tracks/{track['id']}").status_code == 200
            assert api.get(f"/artists/{track['artists'][0]['id']}").status_code == 200
            assert api.get(f"/albums/{track['album']['id']}").status_code == 200

    liked = every_page(api, "/me/tracks", limit=50)
    assert liked[0]["total"] == 30
    for kind in ("tracks", "artists"):
        top = api.get(f"/me/top/{kind}", time_range="long_term", limit=50).json()
        assert top["total"] > 0 and top["items"]
    recent = api.get("/me/player/recently-played", limit=50).json()
    assert len(recent["items"]) == 50
    assert all(dt.datetime.fromisoformat(p["played_at"]) < anchor for p in recent["items"])
    assert sandbox.violations() == []


def test_a_listener_without_plays_or_likes_gets_empty_answers_that_validate(sandbox):
    create(sandbox, id="quiet", playlists=[], liked=0, plays=0)
    api = as_listener(sandbox, "quiet")

    assert api.get("/me/playlists").json()["total"] == 0
    assert api.get("/me/tracks").json()["total"] == 0
    assert api.get("/me/top/tracks").json()["items"] == []
    assert api.get("/me/top/artists").json()["items"] == []
    assert api.get("/me/player/recently-played").json()["items"] == []
    assert sandbox.add_plays("quiet", 3, track_ids=[_any_track_id(sandbox)])["added"] == 3
    assert len(api.get("/me/player/recently-played").json()["items"]) == 3
    assert sandbox.violations() == []


def _any_track_id(sandbox) -> str:
    return as_listener(sandbox, "demo").get("/me/top/tracks").json()["items"][0]["id"]


def test_a_big_playlist_pages_50_at_a_time_up_to_its_size(sandbox):
    made = create(sandbox, id="big_one", playlists=[10_000, 2_345])
    api = as_listener(sandbox, "big_one")
    big, odd = made["playlists"]

    first = api.get(f"/playlists/{big}/items", limit=50).json()
    last = api.get(f"/playlists/{big}/items", limit=50, offset=9_950).json()
    tail = api.get(f"/playlists/{odd}/items", limit=50, offset=2_300).json()

    assert first["total"] == 10_000 and len(first["items"]) == 50 and first["next"]
    assert len(last["items"]) == 50 and last["next"] is None
    assert tail["total"] == 2_345 and len(tail["items"]) == 45 and tail["next"] is None
    assert api.get(f"/playlists/{big}/items", limit=51).status_code == 400  # Development mode's cap
    assert sandbox.stats()["users"]["big_one"]["items"] == 12_345
    assert sandbox.violations() == []


def snapshot(sandbox, user: str) -> dict:
    api = as_listener(sandbox, user)
    made = playlists_of(sandbox, user)["owned_playlists"]
    return {
        "playlists": [api.get(f"/playlists/{pid}").json() for pid in made],
        "first_rows": [api.get(f"/playlists/{pid}/items", limit=50).json()["items"] for pid in made],
        "liked": api.get("/me/tracks", limit=50).json()["items"],
        "top": api.get("/me/top/tracks", limit=50, time_range="long_term").json()["items"],
        "recent": api.get("/me/player/recently-played", limit=50).json()["items"],
    }


def test_the_same_request_on_the_same_seed_gives_the_same_listener(sandbox):
    request = {"id": "listener_07", "playlists": [12, 300, 45], "liked": 20, "plays": 60}
    first = create(sandbox, **request)
    before = snapshot(sandbox, "listener_07")

    sandbox.reset()
    create(sandbox, id="someone_else", playlists=[500, 20], liked=10, plays=40)  # another one first
    again = create(sandbox, **request)

    assert again["playlists"] == first["playlists"]
    assert {k: v for k, v in again.items() if k != "elapsed_ms"} == {
        k: v for k, v in first.items() if k != "elapsed_ms"
    }
    assert snapshot(sandbox, "listener_07") == before
    other = playlists_of(sandbox, "someone_else")["owned_playlists"]
    assert not set(other) & set(first["playlists"])


def test_a_listener_signs_in_through_the_consent_page(sandbox):
    create(sandbox, id="listener_07", display_name="Listener Seven", playlists=[5])
    page = requests.get(f"{sandbox.accounts_url}/authorize", params=authorize_params(sandbox), timeout=10)
    form = FormReader()
    form.feed(page.text)
    assert "listener_07" in form.radios and "Listener Seven" in page.text

    query = consent(sandbox, authorize_params(sandbox), user="listener_07")
    tokens = exchange(
        sandbox,
        auth=(sandbox.client_id, sandbox.client_secret),
        grant_type="authorization_code",
        code=query["code"],
        redirect_uri=REDIRECT_URI,
    ).json()
    api = Api(api_url=sandbox.api_url, token=tokens["access_token"])

    assert api.get("/me").json()["id"] == "listener_07"
    assert api.get("/me/playlists").json()["total"] == 1
    sandbox.configure(allowlist=["listener_07"])
    assert api.get("/me").status_code == 200
    assert as_listener(sandbox, "demo").get("/me").status_code == 403


def test_reset_removes_created_listeners_their_playlists_and_tokens(sandbox):
    made = create(sandbox, id="listener_07", playlists=[5, 6])
    api = as_listener(sandbox, "listener_07")
    demo = as_listener(sandbox, "demo")
    assert demo.get(f"/playlists/{made['playlists'][0]}").status_code == 200

    answer = sandbox.control("POST", "reset")

    assert answer["removed_users"] == ["listener_07"]
    listed = [u["id"] for u in sandbox.control("GET", "users")["users"]]
    assert listed == ["demo", "other", "crate_digger", "nightbus"]
    assert "listener_07" not in sandbox.stats()["users"]
    assert api.get("/me").status_code == 401
    with pytest.raises(SandboxControlError) as refused:
        sandbox.issue_token(user="listener_07")
    assert refused.value.status == 400
    demo = as_listener(sandbox, "demo")
    assert demo.get(f"/playlists/{made['playlists'][0]}").status_code == 404
    assert create(sandbox, id="listener_07", playlists=[5, 6])["playlists"] == made["playlists"]


@pytest.mark.parametrize(
    ("request_body", "status", "field"),
    [
        ({"id": "x", "playlists": [1], "colour": "red"}, 400, "colour"),
        ({"playlists": [1]}, 400, "id"),
        ({"id": "Listener", "playlists": [1]}, 400, "id"),
        ({"id": "a" * 41, "playlists": [1]}, 400, "id"),
        ({"id": "", "playlists": [1]}, 400, "id"),
        ({"id": "no-dash", "playlists": [1]}, 400, "id"),
        ({"id": "x\n", "playlists": [1]}, 400, "id"),
        ({"id": 7, "playlists": [1]}, 400, "id"),
        ({"id": "demo", "playlists": [1]}, 409, "id"),
        ({"id": "x", "display_name": "", "playlists": [1]}, 400, "display_name"),
        ({"id": "x", "display_name": 5, "playlists": [1]}, 400, "display_name"),
        ({"id": "x"}, 400, "playlists"),
        ({"id": "x", "playlists": 5}, 400, "playlists"),
        ({"id": "x", "playlists": [1, 2.5]}, 400, "playlists[1]"),
        ({"id": "x", "playlists": ["3"]}, 400, "playlists[0]"),
        ({"id": "x", "playlists": [True]}, 400, "playlists[0]"),
        ({"id": "x", "playlists": [-1]}, 400, "playlists[0]"),
        ({"id": "x", "playlists": [10_001]}, 400, "playlists[0]"),
        ({"id": "x", "playlists": [1] * 201}, 400, "playlists"),
        ({"id": "x", "playlists": [10_000] * 20 + [1]}, 400, "playlists"),
        ({"id": "x", "playlists": [1], "liked": -1}, 400, "liked"),
        ({"id": "x", "playlists": [1], "liked": 10**6}, 400, "liked"),
        ({"id": "x", "playlists": [1], "plays": "many"}, 400, "plays"),
        ({"id": "x", "playlists": [1], "plays": 100_001}, 400, "plays"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(sandbox, request_body, status, field):
    answer = requests.post(f"{sandbox.url}/_sandbox/users", json=request_body, timeout=10)

    assert answer.status_code == status
    assert field in answer.json()["error"]
    assert not [u for u in sandbox.control("GET", "users")["users"] if u["created"]]


def test_a_body_that_is_not_an_object_and_a_second_creation_are_refused(sandbox):
    assert requests.post(f"{sandbox.url}/_sandbox/users", json=[1], timeout=10).status_code == 400
    assert requests.post(f"{sandbox.url}/_sandbox/users", timeout=10).status_code == 400
    create(sandbox, id="listener_07", playlists=[1])
    again = requests.post(
        f"{sandbox.url}/_sandbox/users", json={"id": "listener_07", "playlists": [2]}, timeout=10
    )
    assert again.status_code == 409 and "id" in again.json()["error"]
    assert create(sandbox, id="many", playlists=[0] * 200)["items"] == 0
    assert create(sandbox, id="largest", playlists=[10_000])["distinct_tracks"] == 10_000


# --- the draw itself, in process -----------------------------------------------------------
@pytest.fixture(scope="module")
def small_catalog():
    return build_catalog(seed=3, scale=0.1, now=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))


def test_tracks_repeat_across_playlists_only_once_the_catalog_is_used_up(small_catalog):
    pools = Pools(artists=small_catalog.artists, tracks=small_catalog.tracks)
    catalog_size = len(small_catalog.tracks)
    assert 3_000 < catalog_size < 5_000
    listener = build_listener(
        catalog=small_catalog, pools=pools, user_id="l", display_name="L",
        sizes=[1_000, 2_000, 3_000, 5_000], liked=100, plays=200,
    )  # fmt: skip

    refs = [[entry.ref for entry in playlist.entries] for playlist in listener.playlists]
    assert [len(r) for r in refs] == [1_000, 2_000, 3_000, 5_000]
    assert len(set(refs[0] + refs[1])) == 3_000  # still inside the catalog: no repeats
    assert listener.distinct_tracks == catalog_size  # every track, then repeats
    assert all(len(set(r)) == len(r) for r in refs[:3])  # none inside a playlist smaller than the catalog
    assert len(set(refs[3])) == catalog_size  # the one bigger than the catalog holds all of it
    assert len({ref for ref, _ in listener.library.liked}) == 100


def test_a_library_of_30000_at_scale_1_holds_30000_distinct_tracks():
    catalog = build_catalog(seed=1, scale=1.0, now=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    pools = Pools(artists=catalog.artists, tracks=catalog.tracks)
    listener = build_listener(
        catalog=catalog, pools=pools, user_id="l", display_name="L", sizes=[10_000, 10_000, 9_000, 1_000],
        liked=0, plays=0,
    )  # fmt: skip

    assert listener.distinct_tracks == 30_000
    again = build_listener(
        catalog=catalog, pools=pools, user_id="l", display_name="L", sizes=[10_000, 10_000, 9_000, 1_000],
        liked=0, plays=0,
    )  # fmt: skip
    assert again == listener


# --- the benchmark's case: 50,000 items at --scale 2 --------------------------------------
def test_a_50000_item_listener_at_scale_2_beside_9_small_ones():
    with tempfile.TemporaryFile() as log:
        process, server = _start(log, "--scale", "2")
        try:
            big = server.control(
                "POST", "users", {"id": "big", "playlists": [10_000] * 5, "liked": 500, "plays": 500}
            )
            small = [
                server.control("POST", "users", {"id": f"small_{n}", "playlists": [20, 80, 150], "plays": 60})
                for n in range(9)
            ]
            api = Api(api_url=server.api_url, token=server.issue_token(user="big")["access_token"])
            totals = [api.get(f"/playlists/{p}/items", limit=50).json()["total"] for p in big["playlists"]]
            violations = server.violations()
        finally:
            stop(process, timeout=5)

    assert big["catalog_tracks"] > 75_000
    assert big["items"] == 50_000 and big["distinct_tracks"] == 50_000
    assert big["elapsed_ms"] < 5_000  # about 0.5 s on one core
    assert totals == [10_000] * 5
    assert all(s["items"] == 250 == s["distinct_tracks"] for s in small)
    assert violations == []
