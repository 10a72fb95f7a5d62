"""The response validator itself: it catches wrong shapes, and its documented exceptions hold per mode."""

from __future__ import annotations

import pathlib

import pytest

from sandbox.validation import DEVELOPMENT_MODE_EXCEPTIONS, SPEC_PATH, ResponseValidator

SHARED_SPEC = (
    pathlib.Path(__file__).resolve().parents[3] / "shared" / "spotify" / "spotify-web-api-openapi.yml"
)


@pytest.fixture(scope="module")
def validator() -> ResponseValidator:
    return ResponseValidator()


def album(**extra) -> dict:
    base = {
        "album_type": "album",
        "total_tracks": 1,
        "external_urls": {},
        "href": "h",
        "id": "i",
        "images": [],
        "name": "n",
        "release_date": "1999",
        "release_date_precision": "year",
        "type": "album",
        "uri": "u",
        "artists": [],
        "tracks": {
            "href": "h",
            "items": [],
            "limit": 50,
            "next": None,
            "offset": 0,
            "previous": None,
            "total": 0,
        },
        "copyrights": [],
        "external_ids": {},
        "genres": [],
    }
    return {**base, **extra}


def test_a_wrong_shape_is_reported_with_where_it_is(validator):
    problems = validator.validate(mode="development", method="GET", path="/me", status=200, body={"id": 5})

    assert problems and "id" in problems[0]


def test_an_undocumented_path_or_status_is_reported(validator):
    assert validator.validate(mode="development", method="GET", path="/nowhere", status=200, body={})
    assert validator.validate(mode="development", method="GET", path="/me", status=201, body={})


def test_album_fields_removed_in_february_2026_pass_only_in_development_mode(validator):
    slim = album()
    full = album(available_markets=["US"], label="Warp", popularity=50)

    assert validator.validate(mode="development", method="GET", path="/albums/x", status=200, body=slim) == []
    assert validator.validate(mode="extended", method="GET", path="/albums/x", status=200, body=slim)
    assert validator.validate(mode="extended", method="GET", path="/albums/x", status=200, body=full) == []


def test_unavailable_and_local_rows_and_batch_nulls_are_documented_exceptions(validator):
    page = {
        "href": "h",
        "limit": 2,
        "next": None,
        "offset": 0,
        "previous": None,
        "total": 2,
        "items": [
            {"added_at": "2020-01-01T00:00:00Z", "is_local": False, "item": None},
            {
                "added_at": "2020-01-01T00:00:00Z",
                "is_local": True,
                "item": {"id": None, "is_local": True, "type": "track"},
            },
        ],
    }

    assert (
        validator.validate(mode="development", method="GET", path="/playlists/x/items", status=200, body=page)
        == []
    )
    assert (
        validator.validate(mode="extended", method="GET", path="/tracks", status=200, body={"tracks": [None]})
        == []
    )


def test_error_bodies_must_carry_status_and_message(validator):
    assert (
        validator.validate(
            mode="development",
            method="GET",
            path="/me",
            status=401,
            body={"error": {"status": 401, "message": "No token provided"}},
        )
        == []
    )
    assert validator.validate(
        mode="development", method="GET", path="/me", status=401, body={"error": {"status": 401}}
    )


def test_the_exception_list_names_what_the_spec_really_requires():
    # Building the validator fails loudly if an exception no longer matches the spec.
    assert {name for name, _ in DEVELOPMENT_MODE_EXCEPTIONS} == {"AlbumBase", "AlbumObject", "ShowBase"}


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="no ../shared checkout beside the project")
def test_the_bundled_spec_matches_the_shared_copy():
    assert SPEC_PATH.read_bytes() == SHARED_SPEC.read_bytes()
