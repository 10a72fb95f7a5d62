"""The Redis cache stores JSON: plain data round-trips, anything else is refused when written, and a
pickled value planted in Redis is read as a miss, never unpickled."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from core.cache_serializer import StrictJSONSerializer
from tests.accounts.factories import UserFactory

serializer = StrictJSONSerializer(options={})

needs_redis_cache = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs the Redis cache (REDIS_URL); CI's PostgreSQL run has it"
)


@pytest.mark.parametrize(
    "value",
    ["text", 3, 2.5, True, None, ["a", 1, None], {"etag": '"abc"', "body": '{"count": 1}', "nested": {"x": [1]}}],
    ids=repr,
)
def test_plain_data_comes_back_as_it_went_in(value):
    assert serializer.loads(serializer.dumps(value)) == value


@pytest.mark.parametrize(
    "value", [datetime(2030, 1, 1, tzinfo=UTC), b"bytes", Decimal("1.5"), object(), {"when": datetime(2030, 1, 1)}]
)
def test_what_json_cannot_hold_is_refused_when_written_not_turned_into_a_string(value):
    with pytest.raises(TypeError):
        serializer.dumps(value)


class _WouldRunCode:
    """Unpickled, this would create a file: proof that a planted value ran code."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def test_a_pickled_value_is_read_as_a_miss_and_never_unpickled(tmp_path, caplog):
    planted = pickle.dumps(_WouldRunCode(tmp_path / "ran"))

    assert serializer.loads(planted) is None
    assert not (tmp_path / "ran").exists()
    assert "not JSON" in caplog.text


@needs_redis_cache
def test_the_redis_cache_writes_json_and_ignores_a_pickle_planted_under_our_key(tmp_path):
    cache.set("probe", {"genres": ["pop"], "unknown": False})
    client = cache.client.get_client()
    full_key = cache.client.make_key("probe")

    assert json.loads(client.get(full_key)) == {"genres": ["pop"], "unknown": False}

    client.set(full_key, pickle.dumps(_WouldRunCode(tmp_path / "ran")))
    assert cache.get("probe") is None
    assert not (tmp_path / "ran").exists()


@pytest.mark.django_db
def test_a_cached_api_answer_is_stored_as_json_and_served_byte_for_byte_again(settings):
    """core.conditional's cached renderings: text in the cache, the same bytes and ETag out."""
    api = APIClient()
    api.force_authenticate(UserFactory())

    first = api.get("/api/library/playlists/", HTTP_ACCEPT="application/json")
    second = api.get("/api/library/playlists/", HTTP_ACCEPT="application/json")

    assert first.status_code == 200 and second.status_code == 200
    assert first.content == second.content and first["ETag"] == second["ETag"]
    assert api.get("/api/library/playlists/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
