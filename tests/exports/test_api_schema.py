"""The API's schema documents the exports as files: text/csv and application/json answers, the
JSON rows' columns with their types, the format as a path parameter of two values."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from exports.columns import HISTORY_COLUMNS, PLAYLIST_COLUMNS

PATHS = [
    "/api/exports/library.{file_format}",
    "/api/exports/playlists/{id}.{file_format}",
    "/api/exports/history.{file_format}",
    "/api/exports/song-analyses.{file_format}",
]


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("path", PATHS)
def test_every_export_answers_csv_or_json_and_names_its_format_in_the_path(schema, path):
    operation = schema["paths"][path]["get"]

    assert set(operation["responses"]["200"]["content"]) == {"text/csv", "application/json"}
    assert operation["responses"]["200"]["content"]["text/csv"]["schema"] == {"type": "string"}
    (file_format,) = [p for p in operation["parameters"] if p["name"] == "file_format"]
    assert file_format["in"] == "path" and file_format["schema"]["enum"] == ["csv", "json"]
    assert {"400", "401"} <= set(operation["responses"])
    assert "byte order mark" in operation["responses"]["200"]["description"]


def test_the_json_rows_are_documented_column_by_column(schema):
    rows = schema["paths"]["/api/exports/playlists/{id}.{file_format}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    assert rows["type"] == "array"
    properties = rows["items"]["properties"]
    assert list(properties) == [column.name for column in PLAYLIST_COLUMNS]
    assert properties["artist_genres"] == {
        "type": "array", "items": {"type": "string"}, "description": properties["artist_genres"]["description"],
    }  # fmt: skip
    assert properties["release_year"]["type"] == "integer" and properties["isrc"]["nullable"] is True
    history = schema["paths"]["/api/exports/history.{file_format}"]["get"]["responses"]["200"]["content"]
    assert list(history["application/json"]["schema"]["items"]["properties"]) == [
        c.name for c in HISTORY_COLUMNS
    ]
    assert history["application/json"]["schema"]["items"]["properties"]["played_at"]["format"] == "date-time"
