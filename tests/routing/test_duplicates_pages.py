"""The Duplicates page, the confirmation of a removal and the undo: the owner sees and acts, a
stranger gets 404, anonymous is sent to sign in; nothing is written to Spotify from a page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.runs import RunStatus
from routing.models import ChildBackup, RouteRun, RouteRunKind
from tests.accounts.factories import SpotifyCredentialFactory
from tests.library.factories import PlaylistFactory
from tests.routing.test_duplicates_api import library  # noqa: F401 (the shared fixture)

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_each_playlists_duplicates_and_offers_removal_only_where_the_listener_owns_it(
    library, django_assert_max_num_queries  # noqa: F811
):
    user, credential, mine, theirs, other = library
    page = browser(user)
    with django_assert_max_num_queries(12):
        answer = page.get("/library/duplicates/")
    html = answer.content.decode()
    assert answer.status_code == 200
    assert html.index("Mine") < html.index("Theirs") < html.index("Other")
    assert "same recording, different release" in html and "rows 3, 5" in html
    assert f"/library/duplicates/{mine.pk}/remove/" in html
    assert f"/library/duplicates/{theirs.pk}/remove/" not in html
    assert "Only Someone Else, who owns this playlist" in html
    assert "also in your other playlists" in html
    assert "Find duplicate tracks" in page.get("/library/").content.decode()


def test_strangers_and_anonymous_get_nothing(library):  # noqa: F811
    user, credential, mine, theirs, other = library
    stranger = browser(SpotifyCredentialFactory().user)
    assert "Mine" not in stranger.get("/library/duplicates/").content.decode()
    assert stranger.get(f"/library/duplicates/{mine.pk}/remove/").status_code == 404
    assert stranger.post(f"/library/duplicates/{mine.pk}/remove/", {"position": ["2"]}).status_code == 404
    for url in ("/library/duplicates/", f"/library/duplicates/{mine.pk}/remove/"):
        answer = Client().get(url)
        assert (answer.status_code, answer["Location"]) == (302, f"/?next={url}")
    assert not RouteRun.objects.exists()


def test_the_confirmation_shows_exactly_the_rows_that_go_and_queues_the_ticked_ones(library, queue):  # noqa: F811
    user, credential, mine, theirs, other = library
    page = browser(user)
    html = page.get(f"/library/duplicates/{mine.pk}/remove/").content.decode()
    assert 'name="position" value="2"' in html and 'name="position" value="4"' in html
    assert 'value="0"' not in html and "Remove 2 copies" in html

    answer = page.post(
        f"/library/duplicates/{mine.pk}/remove/", {"position": ["4"], "snapshot_id": mine.snapshot_id}, follow=True
    )

    run = RouteRun.objects.get()
    assert (run.kind, run.status) == (RouteRunKind.DEDUPE, RunStatus.QUEUED)
    assert [row["position"] for row in run.details["plan"]["rows"]] == [4]
    assert "takes 1 copy out of “Mine”" in answer.content.decode()
    assert answer.content.decode().count("Duplicate removal of") == 1


def test_a_stale_or_bad_confirmation_is_refused_with_a_message(library):  # noqa: F811
    user, credential, mine, theirs, other = library
    page = browser(user)
    stale = page.post(
        f"/library/duplicates/{mine.pk}/remove/", {"position": ["2"], "snapshot_id": "older"}, follow=True
    )
    assert "changed since you reviewed it" in stale.content.decode()
    bad = page.post(f"/library/duplicates/{mine.pk}/remove/", {"position": ["x"], "snapshot_id": mine.snapshot_id}, follow=True)
    assert "Choose the copies" in bad.content.decode()
    followed = page.get(f"/library/duplicates/{theirs.pk}/remove/").content.decode()
    assert "Only Someone Else" in followed and 'name="position"' not in followed
    assert not RouteRun.objects.exists()


def test_a_finished_removal_can_be_undone_from_the_page_by_its_owner_only(library, queue):  # noqa: F811
    user, credential, mine, theirs, other = library
    run = RouteRun.objects.create(
        kind=RouteRunKind.DEDUPE, user=user, base_name="Mine", target_spotify_id=mine.spotify_id,
        status=RunStatus.SUCCEEDED,
    )  # fmt: skip
    ChildBackup.objects.create(user=user, run=run, spotify_id=mine.spotify_id, name="Mine", uris=[])
    page = browser(user)
    assert f"/library/duplicates/runs/{run.pk}/undo/" in page.get("/library/duplicates/").content.decode()
    assert browser(SpotifyCredentialFactory().user).post(f"/library/duplicates/runs/{run.pk}/undo/").status_code == 404
    assert Client().post(f"/library/duplicates/runs/{run.pk}/undo/").status_code == 302

    answer = page.post(f"/library/duplicates/runs/{run.pk}/undo/", follow=True)

    assert "goes back to what it held before it" in answer.content.decode()
    assert RouteRun.objects.filter(kind=RouteRunKind.RESTORE, restore_of=run).count() == 1


def test_after_a_removal_the_page_asks_for_a_sync_before_offering_another(library):  # noqa: F811
    user, credential, mine, theirs, other = library
    run = RouteRun.objects.create(
        kind=RouteRunKind.DEDUPE, user=user, base_name="Mine", target_spotify_id=mine.spotify_id,
        status=RunStatus.SUCCEEDED, finished_at=timezone.now(),
    )  # fmt: skip
    ChildBackup.objects.create(user=user, run=run, spotify_id=mine.spotify_id, name="Mine", uris=[])
    html = browser(user).get("/library/duplicates/").content.decode()
    assert "sync before removing more" in html
    assert f"/library/duplicates/{mine.pk}/remove/" not in html


def test_a_playlist_tidied_of_every_copy_stays_listed_with_its_removal_and_undo(library):  # noqa: F811
    user, credential, mine, theirs, other = library
    # The removal's rows are gone from the mirror too; what is left repeats and shares nothing.
    mine.items.filter(position__in=[1, 2, 3, 4]).delete()
    run = RouteRun.objects.create(
        kind=RouteRunKind.DEDUPE, user=user, base_name="Mine", target_spotify_id=mine.spotify_id,
        status=RunStatus.SUCCEEDED, finished_at=timezone.now(),
    )  # fmt: skip
    ChildBackup.objects.create(user=user, run=run, spotify_id=mine.spotify_id, name="Mine", uris=[])
    never_tidied = PlaylistFactory(user=user, name="Quiet", owner_spotify_id=credential.spotify_user_id)

    html = browser(user).get("/library/duplicates/").content.decode()

    assert f'id="playlist-{mine.pk}"' in html and "No track repeats in this playlist now." in html
    assert f"/library/duplicates/runs/{run.pk}/undo/" in html
    assert f'id="playlist-{never_tidied.pk}"' not in html  # nothing to show, nothing done to it


def test_an_old_run_alone_lists_nothing_and_an_undo_of_a_tidy_up_asks_for_a_sync(library):  # noqa: F811
    user, credential, mine, theirs, other = library
    mine.items.filter(position__in=[1, 2, 3, 4]).delete()
    long_ago = timezone.now() - timedelta(days=200)
    old = RouteRun.objects.create(
        kind=RouteRunKind.DEDUPE, user=user, base_name="Mine", target_spotify_id=mine.spotify_id,
        status=RunStatus.FAILED, finished_at=long_ago, error="Spotify said no.",
    )  # fmt: skip
    page = browser(user)

    html = page.get("/library/duplicates/").content.decode()
    assert f'id="playlist-{mine.pk}"' not in html and "Spotify said no." not in html  # nothing to show

    undo = RouteRun.objects.create(
        kind=RouteRunKind.RESTORE, user=user, base_name="Mine", target_spotify_id=mine.spotify_id,
        status=RunStatus.SUCCEEDED, finished_at=timezone.now(), restore_of=old,
    )  # fmt: skip
    ChildBackup.objects.create(user=user, run=undo, spotify_id=mine.spotify_id, name="Mine", uris=[])
    html = page.get("/library/duplicates/").content.decode()
    # The copies are back on Spotify, not yet in the mirror: never "no track repeats".
    assert "sync to see it as it is now" in html and "No track repeats" not in html
