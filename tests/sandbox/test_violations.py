"""Every response checked against Spotify's OpenAPI spec: a broad mix of calls leaves no violation."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import playlists_of


def exercise(sandbox, api) -> int:
    """Walk most of the surface once; returns how many calls were made."""
    ids = playlists_of(sandbox, "demo")
    # Plays added by the control API (with their playlist contexts) are checked too.
    sandbox.add_plays("demo", 5)
    calls = [
        ("GET", "/me", None),
        ("GET", "/me/playlists?limit=50", None),
        ("GET", "/me/tracks?limit=50", None),
        ("GET", "/me/top/tracks?time_range=long_term&limit=50", None),
        ("GET", "/me/top/artists?limit=50", None),
        ("GET", "/me/player/recently-played?limit=50", None),
        ("GET", "/me/player/recently-played?after=0&limit=3", None),
        ("GET", "/me/player/recently-played?before=1", None),
        ("GET", "/me/playlists?limit=99", None),
        ("GET", "/nothing/here", None),
        ("POST", "/me/playlists", {"name": "Validated", "public": False}),
    ]
    for playlist_id in [*ids["owned_playlists"], *ids["followed_playlists"], *ids["collaborative_playlists"]]:
        calls += [
            ("GET", f"/playlists/{playlist_id}?additional_types=track,episode", None),
            ("GET", f"/playlists/{playlist_id}/items?limit=50&additional_types=track,episode", None),
            ("GET", f"/playlists/{playlist_id}/items?limit=50", None),
        ]
    made = 0
    for method, path, body in calls:
        api.request(method, path, json=body)
        made += 1
    tracks = api.get("/me/tracks", limit=20).json()["items"]
    for row in tracks:
        track = row["track"]
        for path in (
            f"/tracks/{track['id']}",
            f"/albums/{track['album']['id']}",
            f"/albums/{track['album']['id']}/tracks?limit=2&offset=1",
            f"/artists/{track['artists'][0]['id']}",
            f"/audio-features/{track['id']}",
        ):
            api.get(path)
            made += 1
    joined = ",".join(row["track"]["id"] for row in tracks)
    for path in (
        f"/tracks?ids={joined},0000000000000000000000",
        f"/audio-features?ids={joined}",
        f"/artists?ids={tracks[0]['track']['artists'][0]['id']}",
        f"/albums?ids={tracks[0]['track']['album']['id']}",
        f"/playlists/{ids['owned_playlists'][0]}/tracks?limit=100",
        "/users/other",
        "/users/other/playlists",
    ):
        api.get(path)
        made += 1
    playlist_id = ids["owned_playlists"][1]
    uri = tracks[0]["track"]["uri"]
    for method, body in (
        ("POST", {"uris": [uri]}),
        ("PUT", {"range_start": 0, "insert_before": 2}),
        ("DELETE", {"items": [{"uri": uri}]}),
    ):
        api.request(method, f"/playlists/{playlist_id}/items", json=body)
        made += 1
    return made


@pytest.mark.parametrize("mode", ["development", "extended"])
def test_a_broad_mix_of_calls_records_no_spec_violation(sandbox, demo, mode):
    sandbox.configure(mode=mode)

    made = exercise(sandbox, demo)

    assert made > 300
    assert sandbox.counters()["total"] >= made
    assert sandbox.violations() == []


def test_the_sandbox_runs_with_response_validation_on(sandbox):
    assert sandbox.control("GET", "health")["validate_responses"] is True
