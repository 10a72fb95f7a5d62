"""The admin: sync events with filters, search and the retry action; the mirror read-only, no N+1."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sync.models import SyncEvent
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.library.factories import (
    AlbumFactory,
    ArtistFactory,
    PlaylistFactory,
    PlaylistItemFactory,
    TrackFactory,
)
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.sync.factories import SyncEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_sync_event_list_filters_by_status_and_searches_by_display_name(staff_client):
    ada = SpotifyCredentialFactory(user__display_name="Ada Lovelace").user
    SyncEventFactory(user=ada, failed=True)
    SyncEventFactory(completed=True)
    url = reverse("admin:sync_syncevent_changelist")

    by_status = staff_client.get(url, {"status__exact": "failed"})
    by_name = staff_client.get(url, {"q": "Lovelace"})

    assert by_status.status_code == by_name.status_code == 200
    assert by_status.context["cl"].result_count == 1 and by_name.context["cl"].result_count == 1
    assert "Spotify answered HTTP 502" in by_status.content.decode()


def test_the_retry_action_retries_failed_imports_and_explains_the_others(staff_client, queue):
    failed = SyncEventFactory(user=SpotifyCredentialFactory().user, failed=True)
    completed = SyncEventFactory(completed=True)

    response = staff_client.post(
        reverse("admin:sync_syncevent_changelist"),
        {"action": "retry_selected", "_selected_action": [failed.pk, completed.pk]},
        follow=True,
    )

    retry = SyncEvent.objects.get(retry_of=failed)
    page = response.content.decode()
    assert retry.trigger == "retry" and retry.status == "queued"
    assert f"Retrying #{failed.pk} → #{retry.pk}." in page
    assert f"Not retried: #{completed.pk}: Import #{completed.pk} is done" in page
    assert not SyncEvent.objects.filter(retry_of=completed).exists()


def test_the_cancel_action_cancels_queued_runs_and_explains_the_running_ones(staff_client):
    queued = SyncEventFactory(user=SpotifyCredentialFactory().user)
    running = SyncEventFactory(running=True)

    response = staff_client.post(
        reverse("admin:sync_syncevent_changelist"),
        {"action": "cancel_selected", "_selected_action": [queued.pk, running.pk]},
        follow=True,
    )

    page = response.content.decode()
    queued.refresh_from_db()
    assert queued.status == "cancelled" and queued.details["cancelled_by"].startswith("staff (")
    assert f"Cancelled #{queued.pk}." in page
    assert f"Import #{running.pk} is running now and cannot be cancelled" in page
    assert SyncEvent.objects.get(pk=running.pk).status == "running"


def test_sync_events_cannot_be_added_or_edited_in_the_admin(staff_client):
    event = SyncEventFactory(running=True)

    assert staff_client.get(reverse("admin:sync_syncevent_add")).status_code == 403
    page = staff_client.get(reverse("admin:sync_syncevent_change", args=[event.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


def test_the_sync_event_list_costs_a_bounded_number_of_queries(staff_client, django_assert_max_num_queries):
    for _ in range(30):
        SyncEventFactory(failed=True)

    with django_assert_max_num_queries(12):
        assert staff_client.get(reverse("admin:sync_syncevent_changelist")).status_code == 200


@pytest.mark.parametrize("model", ["playlist", "playlistitem", "track", "album", "artist"])
def test_the_mirror_is_browsable_but_read_only(staff_client, model):
    item = PlaylistItemFactory()
    obj = {
        "playlist": item.playlist,
        "playlistitem": item,
        "track": item.track,
        "album": item.track.album,
        "artist": item.track.credits.get().artist,
    }[model]

    listing = staff_client.get(reverse(f"admin:library_{model}_changelist"))
    detail = staff_client.get(reverse(f"admin:library_{model}_change", args=[obj.pk]))

    assert listing.status_code == detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert staff_client.get(reverse(f"admin:library_{model}_add")).status_code == 403
    assert staff_client.post(reverse(f"admin:library_{model}_delete", args=[obj.pk])).status_code == 403


@pytest.mark.parametrize("model", ["playlist", "playlistitem", "track"])
def test_mirror_lists_cost_the_same_queries_for_many_rows_as_for_few(
    staff_client, model, django_assert_max_num_queries
):
    def make(count: int) -> None:
        playlist = PlaylistFactory()
        for _ in range(count):
            PlaylistItemFactory(
                playlist=playlist, track=TrackFactory(album=AlbumFactory(), artist=ArtistFactory())
            )

    url = reverse(f"admin:library_{model}_changelist")
    make(2)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    make(25)

    with django_assert_max_num_queries(len(few)):
        assert staff_client.get(url).status_code == 200


# --- routing --------------------------------------------------------------------------------------
def test_base_playlists_are_listed_with_their_children_read_only(staff_client, django_assert_max_num_queries):
    for _ in range(3):
        base = BasePlaylistFactory()
        ChildPlaylistFactory(base=base, name="Before 2000")
        ChildPlaylistFactory(base=base, name="Indie")
    url = reverse("admin:routing_baseplaylist_changelist")

    with django_assert_max_num_queries(8):
        listing = staff_client.get(url)
    detail = staff_client.get(reverse("admin:routing_baseplaylist_change", args=[base.pk]))

    assert listing.status_code == detail.status_code == 200
    assert listing.context["cl"].result_count == 3
    page = detail.content.decode()
    assert "Before 2000" in page and "Indie" in page and 'name="_save"' not in page
    assert staff_client.get(reverse("admin:routing_baseplaylist_add")).status_code == 403
