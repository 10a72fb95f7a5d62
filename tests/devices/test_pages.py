"""The "Devices & library" page: the owner's active sessions and merged library; a stranger sees
only their own; anonymous visitors are sent to sign in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from devices.models import DeviceSession
from devices.services import merge_device_library, ping_session
from devices.types import (
    SESSION_TTL,
    AppPlaylistRecord,
    DeviceLibrary,
    FavoriteRecord,
    HistoryEntryRecord,
    PreferencesRecord,
    QueueState,
    RecentSearchRecord,
    TrackRef,
)
from tests.accounts.factories import UserFactory
from tests.library.factories import TrackFactory
from tests.support.tables import stacked_table_problems

pytestmark = pytest.mark.django_db

URL = "/library/devices/"
AT = datetime(2025, 3, 1, 12, tzinfo=UTC)


def ref(n: int) -> TrackRef:
    return TrackRef(track=f"track{n:017d}", title=f"Owner Song {n}", artist="The Owners")


def owners_library() -> DeviceLibrary:
    later = AT + timedelta(days=1)
    road = AppPlaylistRecord(
        id=None, local_id="p1", name="Owner Road Trip", name_updated_at=AT, description="For the car",
        description_updated_at=AT, is_public=True, is_public_updated_at=AT, items=(),
        items_updated_at=AT, created_at=AT,
    )  # fmt: skip
    return DeviceLibrary(
        favorites=(
            FavoriteRecord(ref=ref(1), added_at=AT),
            FavoriteRecord(ref=ref(2), added_at=AT, removed_at=later),
        ),
        history=(HistoryEntryRecord(ref=ref(3), played_at=AT, completion=0.5, source="album"),),
        queue=QueueState(items=(ref(4),), updated_at=AT, device="Kitchen"),
        playlists=(
            road,
            AppPlaylistRecord(**{**road.__dict__, "local_id": "p2", "name": "Gone", "removed_at": later}),
        ),
        preferences=PreferencesRecord(shuffle=True, repeat="all", volume=0.75, updated_at=AT),
        recent_searches=(RecentSearchRecord(query="owner search", searched_at=AT),),
    )


@pytest.fixture
def owner():
    user = UserFactory()
    merge_device_library(user=user, incoming=owners_library())
    ping_session(user=user, session_id="owner-phone-session", device="Owner's phone")
    ping_session(user=user, session_id="owner-laptop-session", device="Owner's laptop")
    return user


def test_the_owner_sees_active_sessions_and_the_merged_library(client, owner, django_assert_max_num_queries):
    client.force_login(owner)

    # session, user, one read per collection (six), the active sessions: whatever the library holds
    with django_assert_max_num_queries(9):
        response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Devices &amp; library" in html and f'href="{URL}"' in html  # the nav link
    assert "Playing on 2 devices" in html
    assert "Owner&#x27;s phone" in html and "Owner&#x27;s laptop" in html
    assert "owner-phone-session" not in html  # the app's key for its session, no name to the owner
    assert "Owner Song 1" in html and "Owner Song 2" not in html  # removed favorites are not shown
    assert "Owner Song 3" in html and "50%" in html  # history with its completion
    assert "Owner Song 4" in html and "on Kitchen" in html  # the queue
    assert "Owner Road Trip" in html and "Gone" not in html  # deleted playlists are not shown
    assert "Shuffle on · repeat all · volume 75%" in html
    assert "owner search" in html


def test_a_session_quiet_past_the_ttl_is_not_shown(client, owner):
    quiet = timezone.now() - SESSION_TTL - timedelta(seconds=1)
    DeviceSession.objects.filter(user=owner, session_id="owner-phone-session").update(last_seen=quiet)
    client.force_login(owner)

    html = client.get(URL).content.decode()

    assert "Owner&#x27;s phone" not in html and "Owner&#x27;s laptop" in html
    assert "Playing on" not in html


def test_a_stranger_sees_their_own_empty_page_never_the_owners_library(client, owner):
    client.force_login(UserFactory())

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "No device has checked in recently." in html and "No favorites yet." in html
    assert not any(
        mine in html for mine in ("Owner Song", "Owner&#x27;s phone", "Owner Road Trip", "owner search")
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/?next={URL}"


KNOWN_ID, UNKNOWN_ID, QUEUED_ID = "4uLU6hMCjMI75M1A2tKUQC", "0000000000000000000000", "7qiZfU4dY1lWllzX7mPBI3"


def bare_library() -> DeviceLibrary:
    """What an app that sends only track ids leaves: no title, no artist."""
    return DeviceLibrary(
        favorites=(FavoriteRecord(ref=TrackRef(track=UNKNOWN_ID), added_at=AT),),
        history=(
            HistoryEntryRecord(ref=TrackRef(track=KNOWN_ID), played_at=AT + timedelta(minutes=5)),
            HistoryEntryRecord(ref=TrackRef(track=UNKNOWN_ID), played_at=AT),
        ),
        queue=QueueState(items=(TrackRef(track=QUEUED_ID, title="Sent By The App"),), updated_at=AT),
    )


def test_bare_track_ids_are_named_from_the_catalog_or_called_unknown_never_shown_as_titles(
    client, django_assert_max_num_queries
):
    user = UserFactory()
    TrackFactory(spotify_id=KNOWN_ID, name="Catalog Song", artist__name="Catalog Band")
    TrackFactory(spotify_id=QUEUED_ID, name="Catalog Name Of The Queued", artist__name="Queue Band")
    merge_device_library(user=user, incoming=bare_library())
    client.force_login(user)

    # As before, plus the catalog's tracks and their artists: two queries whatever the library holds.
    with django_assert_max_num_queries(11):
        html = client.get(URL).content.decode()

    history = html[html.index('id="history-title"') : html.index('id="queue-title"')]
    rows = re.findall(r"<tr>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>", history, re.S)
    assert [(re.sub(r"<[^>]+>", "", title).strip(), artist) for title, artist in rows] == [
        ("Catalog Song", "Catalog Band"),
        ("Unknown track (not in your library)", ""),
    ]
    favorites = html[html.index('id="favorites-title"') : html.index('id="history-title"')]
    assert "Unknown track (not in your library)" in favorites
    # On a phone the tables stack, each cell named by its column: the names are the headers'.
    tables, problems = stacked_table_problems(html)
    assert tables >= 2 and problems == []
    # The title the app sent wins; the catalog adds the artist it left out.
    assert "Sent By The App <span class=\"muted\">— Queue Band</span>" in html
    assert KNOWN_ID not in html and UNKNOWN_ID not in html and QUEUED_ID not in html


def test_the_device_history_says_it_is_counted_apart_from_the_spotify_history(client, owner):
    client.force_login(owner)

    html = client.get(URL).content.decode()

    assert "What your apps reported playing through the device library" in html
    assert 'href="/history/">History</a> page, so the two counts need not agree' in html


def test_a_long_search_is_a_wrapping_list_item_in_the_pages_own_stylesheet(client):
    user = UserFactory()
    query = "x" * 200  # the longest search the API takes, one unbroken word
    merge_device_library(
        user=user, incoming=DeviceLibrary(recent_searches=(RecentSearchRecord(query=query, searched_at=AT),))
    )
    client.force_login(user)

    html = client.get(URL).content.decode()

    assert f'<ul class="chips recent-searches"><li class="chip">{query}</li></ul>' in html
    assert 'href="/static/css/devices.css"' in html
    stylesheet = Path(finders.find("css/devices.css")).read_text()
    assert re.search(r"\.recent-searches \.chip \{[^}]*overflow-wrap: anywhere", stylesheet)
    assert re.search(r"\.devices-grid > \* \{ min-width: 0; \}", stylesheet)
