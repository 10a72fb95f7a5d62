"""Development Mode (Spotify's February 2026 rules) against Extended Quota Mode (the older full surface)."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import playlists_of

REMOVED_IN_DEVELOPMENT = {
    "track": {"popularity", "available_markets"},
    "album": {"available_markets"},
    "artist": {"popularity", "followers"},
}


def first_track(demo) -> dict:
    return demo.get("/me/tracks", limit=1).json()["items"][0]["track"]


def followed_playlist(sandbox) -> str:
    return playlists_of(sandbox, "demo")["followed_playlists"][0]


def test_the_sandbox_starts_in_development_mode_and_switches_at_run_time(sandbox):
    assert sandbox.control("GET", "config")["mode"] == "development"

    assert sandbox.configure(mode="extended")["mode"] == "extended"
    assert sandbox.control("GET", "health")["mode"] == "extended"


@pytest.mark.parametrize(
    "path, ids", [("/tracks", 3), ("/artists", 3), ("/albums", 3), ("/audio-features", 3)]
)
def test_batch_lookups_are_forbidden_in_development_and_served_in_extended(sandbox, demo, path, ids):
    track = first_track(demo)
    kind_ids = {
        "/tracks": [track["id"]],
        "/audio-features": [track["id"]],
        "/artists": [track["artists"][0]["id"]],
        "/albums": [track["album"]["id"]],
    }[path] * ids

    forbidden = demo.get(path, ids=",".join(kind_ids))
    sandbox.configure(mode="extended")
    served = demo.get(path, ids=",".join(kind_ids))

    assert forbidden.status_code == 403
    assert forbidden.json() == {"error": {"status": 403, "message": "Forbidden"}}
    assert served.status_code == 200
    assert len(next(iter(served.json().values()))) == ids


def test_batch_lookups_cap_their_ids_and_answer_null_for_unknown_ones(extended, demo):
    track_id = first_track(demo)["id"]

    too_many = demo.get("/tracks", ids=",".join([track_id] * 51))
    albums_too_many = demo.get("/albums", ids=",".join([first_track(demo)["album"]["id"]] * 21))
    with_unknown = demo.get("/tracks", ids=f"{track_id},0000000000000000000000").json()

    assert too_many.status_code == 400 and albums_too_many.status_code == 400
    assert with_unknown["tracks"][1] is None


def test_development_mode_leaves_out_the_removed_fields_and_extended_has_them(sandbox, demo):
    track_id = first_track(demo)["id"]
    development = demo.get(f"/tracks/{track_id}").json()
    dev_artist = demo.get(f"/artists/{development['artists'][0]['id']}").json()
    dev_album = demo.get(f"/albums/{development['album']['id']}").json()
    dev_me = demo.get("/me").json()
    sandbox.configure(mode="extended")
    extended = demo.get(f"/tracks/{track_id}").json()
    ext_artist = demo.get(f"/artists/{development['artists'][0]['id']}").json()
    ext_album = demo.get(f"/albums/{development['album']['id']}").json()
    ext_me = demo.get("/me").json()

    assert not REMOVED_IN_DEVELOPMENT["track"] & development.keys()
    assert not REMOVED_IN_DEVELOPMENT["album"] & development["album"].keys()
    assert not {"popularity", "followers"} & dev_artist.keys()
    assert not {"label", "popularity", "available_markets"} & dev_album.keys()
    assert not {"country", "email", "product", "followers", "explicit_content"} & dev_me.keys()
    assert REMOVED_IN_DEVELOPMENT["track"] <= extended.keys()
    assert {"popularity", "followers"} <= ext_artist.keys()
    assert {"label", "popularity", "available_markets"} <= ext_album.keys()
    assert (ext_me["country"], ext_me["product"]) == ("US", "premium")
    # Reverted in March 2026: ISRCs stay in both modes; genres stay on artists.
    assert development["external_ids"]["isrc"] == extended["external_ids"]["isrc"]
    assert dev_artist["genres"] == ext_artist["genres"]


def test_audio_features_exist_only_in_extended_mode(sandbox, demo):
    track_id = first_track(demo)["id"]

    assert demo.get(f"/audio-features/{track_id}").status_code == 403
    sandbox.configure(mode="extended")
    features = demo.get(f"/audio-features/{track_id}").json()

    assert features["id"] == track_id and 0 <= features["energy"] <= 1
    assert features == demo.get(f"/audio-features/{track_id}").json()


def test_the_legacy_tracks_path_is_forbidden_in_development_and_works_in_extended(sandbox, demo):
    playlist_id = playlists_of(sandbox, "demo")["owned_playlists"][0]

    forbidden = demo.get(f"/playlists/{playlist_id}/tracks")
    sandbox.configure(mode="extended")
    legacy = demo.get(f"/playlists/{playlist_id}/tracks", limit=100)

    assert forbidden.status_code == 403
    assert legacy.status_code == 200 and legacy.json()["limit"] == 100


def test_development_mode_uses_items_and_item_and_extended_carries_the_old_names_too(sandbox, demo):
    playlist_id = playlists_of(sandbox, "demo")["owned_playlists"][0]
    dev_list = demo.get("/me/playlists", limit=1).json()["items"][0]
    dev_playlist = demo.get(f"/playlists/{playlist_id}").json()
    sandbox.configure(mode="extended")
    ext_list = demo.get("/me/playlists", limit=1).json()["items"][0]
    ext_playlist = demo.get(f"/playlists/{playlist_id}").json()

    assert "items" in dev_list and "tracks" not in dev_list
    assert "items" in dev_playlist and "tracks" not in dev_playlist
    assert {"item"} <= dev_playlist["items"]["items"][0].keys() and "track" not in dev_playlist["items"][
        "items"
    ][0]
    assert dev_playlist["items"]["next"] is None or "/items?" in dev_playlist["items"]["next"]
    assert {"items", "tracks"} <= ext_list.keys() and {"items", "tracks"} <= ext_playlist.keys()
    assert ext_playlist["tracks"]["items"][0]["track"] == ext_playlist["tracks"]["items"][0]["item"]


def test_a_followed_playlists_items_are_403_in_development_and_200_in_extended(sandbox, demo):
    playlist_id = followed_playlist(sandbox)

    forbidden = demo.get(f"/playlists/{playlist_id}/items")
    metadata = demo.get(f"/playlists/{playlist_id}").json()
    sandbox.configure(mode="extended")
    served = demo.get(f"/playlists/{playlist_id}/items")

    assert forbidden.status_code == 403
    assert metadata["name"] and "items" not in metadata
    assert served.status_code == 200 and served.json()["total"] > 0


def test_a_collaborator_reads_the_items_of_someone_elses_collaborative_playlist(sandbox, demo):
    shared = [
        pid
        for pid in playlists_of(sandbox, "demo")["collaborative_playlists"]
        if pid not in playlists_of(sandbox, "demo")["owned_playlists"]
    ]

    answer = demo.get(f"/playlists/{shared[0]}/items")

    assert answer.status_code == 200 and answer.json()["total"] > 0


def test_creating_a_playlist_for_a_user_id_is_extended_only(sandbox, demo):
    forbidden = demo.request("POST", "/users/demo/playlists", json={"name": "Old style"})
    sandbox.configure(mode="extended")
    created = demo.request("POST", "/users/demo/playlists", json={"name": "Old style"})
    for_someone_else = demo.request("POST", "/users/other/playlists", json={"name": "Not mine"})

    assert forbidden.status_code == 403
    assert created.status_code == 201 and created.json()["owner"]["id"] == "demo"
    assert for_someone_else.status_code == 403
