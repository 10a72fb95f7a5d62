"""The device library's limits against the database and the API: deletion markers kept to the
newest MARKER_LIMIT (a deleted playlist without its items), so a library answered can always be
sent back; sessions per listener capped, the least recently seen evicted; and the README naming
every limit. The merge rules' own properties: test_merge.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from devices import serializers as wire
from devices import types
from devices.models import AppPlaylist, DeviceSession
from devices.services import ping_session
from tests.accounts.factories import UserFactory
from tests.devices.factories import DeviceSessionFactory

pytestmark = pytest.mark.django_db

SYNC = "/api/me/library/sync"
README = Path(__file__).resolve().parents[2] / "README.md"


def deleted_playlist(n: int, *, day: int) -> dict:
    """A playlist the device made and deleted, still holding its tracks as the device last saw them."""
    when = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day, seconds=n)).isoformat()
    items = [{"track": f"{n:022d}", "added_at": "2026-01-01T00:00:00Z"}]
    return {
        "local_id": f"p{n}", "name": f"P{n}", "description": "", "is_public": False, "items": items,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": when, "removed_at": when,
    }  # fmt: skip


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


# --- deletion markers ---------------------------------------------------------------------------
def test_two_syncs_of_a_thousand_deleted_playlists_keep_the_newest_thousand_and_the_answer_goes_back(
    api, owner
):
    first = api.post(SYNC, {"playlists": [deleted_playlist(n, day=1) for n in range(1_000)]}, format="json")
    second = api.post(
        SYNC, {"playlists": [deleted_playlist(n, day=2) for n in range(1_000, 2_000)]}, format="json"
    )

    assert (first.status_code, second.status_code) == (200, 200)
    stored = AppPlaylist.objects.filter(user=owner)
    assert stored.count() == types.MARKER_LIMIT == 1_000
    assert set(stored.values_list("local_id", flat=True)) == {f"p{n}" for n in range(1_000, 2_000)}
    assert not stored.exclude(items=[]).exists()  # a deleted playlist keeps no items
    answered = second.json()["library"]["playlists"]
    assert len(answered) == 1_000 and all(p["items"] == [] for p in answered)
    # A full sync of what the server answered is never refused, and changes nothing.
    again = api.post(SYNC, second.json()["library"], format="json")
    assert again.status_code == 200 and again.json()["library"] == second.json()["library"]


def test_a_playlist_deleted_later_drops_its_items_in_the_database_and_the_answer(api, owner):
    made = api.post(SYNC, {"playlists": [{**deleted_playlist(1, day=1), "removed_at": None}]}, format="json")
    assert made.json()["library"]["playlists"][0]["items"] != []

    deleted = api.post(SYNC, {"playlists": [deleted_playlist(1, day=2)]}, format="json")

    assert deleted.json()["library"]["playlists"][0]["items"] == []
    assert AppPlaylist.objects.get(user=owner, local_id="p1").items == []


# --- sessions -----------------------------------------------------------------------------------
def test_a_ping_past_the_session_limit_evicts_the_least_recently_seen_of_that_listener_only():
    user, other = UserFactory(), UserFactory()
    now = timezone.now()
    for n in range(types.SESSIONS_LIMIT):
        DeviceSessionFactory(user=user, session_id=f"s{n:02d}", last_seen=now - timedelta(seconds=60 - n))
    theirs = DeviceSessionFactory(user=other, last_seen=now - timedelta(hours=1))

    summary = ping_session(user=user, session_id="new", device="Phone")

    kept = set(DeviceSession.objects.filter(user=user).values_list("session_id", flat=True))
    assert len(kept) == types.SESSIONS_LIMIT == 50
    assert "s00" not in kept and {"new", "s01", "s49"} <= kept
    assert len(summary.active_sessions) == 50 and summary.active_sessions[0].session_id == "new"
    assert DeviceSession.objects.filter(pk=theirs.pk).exists()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pings=st.lists(st.sampled_from([f"s{n}" for n in range(6)]), min_size=1, max_size=15))
def test_whatever_the_pings_a_listener_keeps_the_most_recently_seen_sessions_up_to_the_limit(pings):
    user = UserFactory()  # a fresh listener per example: the examples share one test transaction
    with mock.patch.object(types, "SESSIONS_LIMIT", 3):
        for session_id in pings:
            summary = ping_session(user=user, session_id=session_id, device="d")
            assert summary.active_sessions[0].session_id == session_id

    most_recent = list(dict.fromkeys(reversed(pings)))[:3]
    kept = DeviceSession.objects.filter(user=user).order_by("-last_seen").values_list("session_id", flat=True)
    assert list(kept) == most_recent


def test_a_ping_within_the_limit_deletes_nothing():
    user = UserFactory()
    DeviceSessionFactory(user=user, session_id="quiet", last_seen=timezone.now() - timedelta(days=3))

    ping_session(user=user, session_id="new", device="Phone")

    assert DeviceSession.objects.filter(user=user).count() == 2


# --- the README ---------------------------------------------------------------------------------
def test_the_readme_states_every_device_library_limit_in_one_place():
    section = README.read_text().split("## Device library API", 1)[1].split("\n## ", 1)[0]
    limits = section.split("Limits", 1)[1]
    numbers = {
        "body": "2 MB",
        "favorites": f"{types.FAVORITES_LIMIT:,}",
        "history": f"{types.HISTORY_LIMIT}",
        "queue": f"{wire.QUEUE_LIMIT}",
        "playlists": f"{types.PLAYLISTS_LIMIT}",
        "playlist items": f"{wire.PLAYLIST_ITEMS_LIMIT:,}",
        "searches": f"{types.SEARCH_LIMIT}",
        "markers": f"{types.MARKER_LIMIT:,}",
        "sessions": f"{types.SESSIONS_LIMIT}",
        "session ttl": f"{types.SESSION_TTL.seconds // 60} minutes",
        "clock skew": f"{wire.MAX_CLOCK_SKEW.seconds // 60} minutes",
        "nesting": "32",
    }
    missing = {
        name: number for name, number in numbers.items() if not re.search(rf"\b{re.escape(number)}\b", limits)
    }
    assert not missing, f"the README's device limits do not name {missing}"
