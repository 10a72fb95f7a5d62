"""The generated catalog: a power user's library, realistic shapes, determinism, and fast resets."""

from __future__ import annotations

import random

import pytest
import requests

from sandbox.catalog import build_catalog
from sandbox.catalog.library import long_tail_sizes
from tests.sandbox.conftest import Api, playlists_of


def test_the_demo_listener_owns_70_playlists_with_exactly_11629_items(sandbox):
    demo = sandbox.stats()["users"]["demo"]

    assert demo["playlists_owned"] == 70
    assert demo["items"] == 11_629
    assert demo["playlists_followed"] == 4 and demo["playlists_listed"] == 75
    assert 1 <= demo["playlists_collaborative"] <= 2


def test_playlist_sizes_are_long_tailed_and_tracks_recur_across_playlists(sandbox):
    demo = sandbox.stats()["users"]["demo"]

    assert 3 <= demo["playlist_sizes"]["over_1000"] <= 5
    assert demo["playlist_sizes"]["under_50"] >= 20
    assert demo["unique_tracks"] < demo["items_by_kind"]["track"] * 0.8


@pytest.mark.parametrize("total", [70, 116, 1163, 11_629, 23_258])
def test_playlist_sizes_sum_to_exactly_the_target_at_any_scale(total):
    sizes = long_tail_sizes(rng=random.Random(5), count=70, total=total)

    assert sum(sizes) == total and len(sizes) == 70 and min(sizes) >= 1


def test_the_library_has_local_files_unavailable_rows_and_episodes(sandbox):
    kinds = sandbox.stats()["users"]["demo"]["items_by_kind"]

    assert kinds["local"] > 50 and kinds["unavailable"] > 20 and kinds["episode"] > 20


def test_the_catalog_has_about_3000_artists_150_genres_and_15_percent_explicit(sandbox):
    stats = sandbox.stats()

    assert 2800 <= stats["artists"] <= 3200
    assert 140 <= stats["genres"]["count"] <= 170 and len(stats["genres"]["families"]) >= 10
    assert 0.12 <= stats["explicit_share"] <= 0.18
    assert stats["release_years"]["min"] >= 1960 and stats["release_years"]["max"] <= 2026
    assert set(stats["release_date_precision"]) == {"year", "month", "day"}
    assert stats["generation_ms"] > 0  # reported; how fast is no unit test's business (bench/)


def test_the_second_listener_owns_a_few_playlists_some_followed_by_demo(sandbox):
    other = playlists_of(sandbox, "other")["owned_playlists"]
    demo_follows = playlists_of(sandbox, "demo")["followed_playlists"]

    assert 3 <= len(other) <= 8
    assert len(set(other) & set(demo_follows)) == 2


def test_the_same_seed_gives_the_same_ids_and_another_seed_different_ones(sandbox, demo):
    served = [item["id"] for item in demo.get("/me/playlists", limit=50).json()["items"]]

    same = build_catalog(seed=1)
    other_seed = build_catalog(seed=2, scale=0.05)

    assert served == list(same.libraries["demo"].playlists)[:50]
    assert not set(served) & set(other_seed.playlists)


def test_tracks_carry_isrcs_and_rows_include_local_and_unavailable_shapes(sandbox, demo):
    rows = []
    for playlist_id in playlists_of(sandbox, "demo")["owned_playlists"][:30]:
        rows += demo.get(f"/playlists/{playlist_id}/items", limit=50).json()["items"]
    local = next(row for row in rows if row["is_local"])
    unavailable = next(row for row in rows if row["item"] is None)
    track = next(row["item"] for row in rows if row["item"] and not row["is_local"])

    assert local["item"]["uri"].startswith("spotify:local:") and local["item"]["id"] is None
    assert unavailable["added_at"] and unavailable["is_local"] is False
    assert len(track["external_ids"]["isrc"]) == 12
    assert track["album"]["release_date_precision"] in {"year", "month", "day"}


def test_reset_restores_a_mutated_playlist_and_is_fast(sandbox, demo):
    playlist_id = playlists_of(sandbox, "demo")["owned_playlists"][0]
    original = demo.get(f"/playlists/{playlist_id}").json()
    sandbox.mutate_playlist(playlist_id, op="remove", positions=[0, 1])
    sandbox.mutate_playlist(playlist_id, op="rename", name="Changed")

    sandbox.reset()
    # Reset forgets tokens too, so ask again with a fresh one.
    fresh = Api(api_url=sandbox.api_url, token=sandbox.issue_token()["access_token"])
    restored = fresh.get(f"/playlists/{playlist_id}").json()

    assert restored == original


def test_reset_forgets_tokens_faults_and_counters(sandbox, demo):
    sandbox.fail_next(method="GET", path="/v1/me", status=500)

    sandbox.reset()

    assert demo.get("/me").status_code == 401
    assert sandbox.control("GET", "faults")["faults"] == []
    assert sandbox.counters()["by_route"] == {"GET /v1/me": 1}


def test_the_sandbox_serves_cover_images_offline(sandbox, demo):
    image = demo.get("/me/playlists", limit=1).json()["items"][0]["images"][0]

    answer = requests.get(image["url"], timeout=10)

    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("image/svg+xml")
