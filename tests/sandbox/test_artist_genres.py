"""`artist_genres: false` in the sandbox's config: artists served with no genres, still valid
against the spec (the session's sandbox validates every response it sends)."""

from __future__ import annotations

import pytest

from tests.fixtures.sandbox import SandboxControlError


def artist_with_genres(demo) -> tuple[str, list[str]]:
    for item in demo.get("/me/tracks", limit=20).json()["items"]:
        artist_id = item["track"]["artists"][0]["id"]
        genres = demo.get(f"/artists/{artist_id}").json()["genres"]
        if genres:
            return artist_id, genres
    raise AssertionError("No artist with genres among the first 20 saved tracks.")


def test_artist_genres_can_be_withheld_at_run_time_and_served_again(sandbox, demo):
    sandbox.configure(mode="extended")
    artist_id, served = artist_with_genres(demo)

    assert sandbox.configure(artist_genres=False)["artist_genres"] is False
    assert demo.get(f"/artists/{artist_id}").json()["genres"] == []
    assert [artist["genres"] for artist in demo.get("/artists", ids=artist_id).json()["artists"]] == [[]]

    sandbox.configure(artist_genres=True)
    assert demo.get(f"/artists/{artist_id}").json()["genres"] == served


def test_artist_genres_must_be_true_or_false(sandbox):
    with pytest.raises(SandboxControlError):
        sandbox.configure(artist_genres="no")
    assert sandbox.control("GET", "config")["artist_genres"] is True
