"""Duplicates by playlist (same track, or same recording by ISRC), and the API that lists them,
queues their removal from a playlist the listener owns, tells its status and undoes it:
the owner succeeds, a stranger gets 404, anonymous 401. The writes themselves run against the
live sandbox in test_dedupe_live."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.runs import RunStatus
from library.models import PlaylistKind
from library.selectors import list_duplicates
from routing.models import ChildBackup, RouteRun, RouteRunKind
from tests.accounts.factories import SpotifyCredentialFactory
from tests.library.factories import PlaylistFactory, PlaylistItemFactory, TrackFactory
from tests.routing.factories import BasePlaylistFactory, RouteRunFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def library():
    """A connected listener: "Mine" (owned) holds a, b, a, c, a' (a' another release of a), "Theirs"
    (followed) holds b twice, and "Other" shares c."""
    credential = SpotifyCredentialFactory()
    user = credential.user
    a = TrackFactory(name="Alpha", isrc="USAAA0000001")
    a_single = TrackFactory(name="Alpha (single)", isrc="usaaa0000001")
    b, c = TrackFactory(name="Beta", isrc="USBBB0000001"), TrackFactory(name="Gamma", isrc="")
    mine = PlaylistFactory(user=user, name="Mine", owner_spotify_id=credential.spotify_user_id)
    for position, track in enumerate([a, b, a, c, a_single]):
        PlaylistItemFactory(playlist=mine, position=position, track=track)
    theirs = PlaylistFactory(user=user, name="Theirs", owner_name="Someone Else")
    for position, track in enumerate([b, b]):
        PlaylistItemFactory(playlist=theirs, position=position, track=track)
    other = PlaylistFactory(user=user, name="Other", owner_spotify_id=credential.spotify_user_id)
    PlaylistItemFactory(playlist=other, position=0, track=c)
    return user, credential, mine, theirs, other


def test_duplicates_are_grouped_by_track_and_by_isrc_and_listed_by_playlist(library, django_assert_max_num_queries):
    user, credential, mine, theirs, other = library
    with django_assert_max_num_queries(4):
        found = list_duplicates(user=user, spotify_user_id=credential.spotify_user_id)
    by_name = {entry.playlist.name: entry for entry in found}
    assert list(by_name) == ["Mine", "Theirs", "Other"]
    (group,) = by_name["Mine"].groups
    assert group.kept.position == 0 and [row.position for row in group.extra] == [2, 4]
    assert group.same_recording and group.kept.artists
    assert [row.position for row in by_name["Mine"].removable] == [2, 4]
    assert by_name["Mine"].read_only_reason == ""
    assert "Someone Else" in by_name["Theirs"].read_only_reason
    shared = {s.occurrence.name: s.elsewhere for s in by_name["Mine"].shared}
    assert shared == {"Beta": ("Theirs",), "Gamma": ("Other",)}
    assert by_name["Other"].groups == ()


def test_liked_songs_and_a_listener_without_spotify_are_read_only(library):
    user, credential, mine, theirs, other = library
    liked = PlaylistFactory(user=user, kind=PlaylistKind.LIKED_SONGS, owner_spotify_id=credential.spotify_user_id)
    PlaylistItemFactory(playlist=liked, position=0, track=mine.items.get(position=0).track)
    PlaylistItemFactory(playlist=liked, position=1, track=mine.items.get(position=4).track)
    found = {e.playlist.pk: e for e in list_duplicates(user=user, spotify_user_id=credential.spotify_user_id)}
    assert "Liked Songs" in found[liked.pk].read_only_reason
    unconnected = list_duplicates(user=user, spotify_user_id="")
    assert all("Connect" in e.read_only_reason for e in unconnected if e.playlist.kind != PlaylistKind.LIKED_SONGS)


def test_the_list_answers_the_owner_only(library, client):
    user, credential, mine, theirs, other = library
    answer = signed_in(user).get("/api/library/duplicates/")
    assert answer.status_code == 200
    first = answer.json()[0]
    assert first["playlist"]["name"] == "Mine" and first["can_remove"] is True
    assert first["playlist"]["snapshot_id"] == mine.snapshot_id
    assert [row["position"] for row in first["groups"][0]["extra"]] == [2, 4]
    assert signed_in(SpotifyCredentialFactory().user).get("/api/library/duplicates/").json() == []
    assert APIClient().get("/api/library/duplicates/").status_code == 401


def test_a_removal_is_queued_for_the_owner_after_commit_and_refused_to_others(
    library, queue, django_capture_on_commit_callbacks
):
    user, credential, mine, theirs, other = library
    url = f"/api/library/playlists/{mine.pk}/remove-duplicates"
    body = {"positions": [2, 4], "snapshot_id": mine.snapshot_id}
    assert APIClient().post(url, body, format="json").status_code == 401
    stranger = signed_in(SpotifyCredentialFactory().user)
    assert stranger.post(url, body, format="json").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(user).post(url, body, format="json")

    assert answer.status_code == 202, answer.json()
    run = RouteRun.objects.get(pk=answer.json()["id"])
    assert (run.kind, run.status, run.base_id, run.target_spotify_id) == (
        RouteRunKind.DEDUPE, RunStatus.QUEUED, None, mine.spotify_id,
    )  # fmt: skip
    assert [row["position"] for row in answer.json()["removals"]] == [2, 4]
    assert queue.of("routing.tasks.run_dedupe") == [("routing.tasks.run_dedupe", run.pk)]
    again = signed_in(user).post(url, body, format="json")
    assert again.status_code == 409 and "already under way" in again.json()["detail"]

    status_url = f"/api/duplicate-removals/{run.pk}/"
    assert signed_in(user).get(status_url).json()["status"] == "queued"
    assert stranger.get(status_url).status_code == 404
    assert APIClient().get(status_url).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"positions": [0], "snapshot_id": "SNAP"}, "positions"),  # the first copy stays
        ({"positions": [1], "snapshot_id": "SNAP"}, "positions"),  # not a copy at all
        ({"positions": [2], "snapshot_id": "older"}, "snapshot_id"),
        ({"positions": [], "snapshot_id": "SNAP"}, "positions"),
        ({"positions": ["two"], "snapshot_id": "SNAP"}, "positions"),
        ({"snapshot_id": "SNAP"}, "positions"),
    ],
)
def test_a_removal_that_does_not_fit_the_reviewed_playlist_is_a_400_and_queues_nothing(library, body, field):
    user, credential, mine, theirs, other = library
    body = {**body, "snapshot_id": mine.snapshot_id if body.get("snapshot_id") == "SNAP" else body["snapshot_id"]}
    answer = signed_in(user).post(f"/api/library/playlists/{mine.pk}/remove-duplicates", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert not RouteRun.objects.exists()


def test_a_followed_playlist_cannot_be_tidied(library):
    user, credential, mine, theirs, other = library
    answer = signed_in(user).post(
        f"/api/library/playlists/{theirs.pk}/remove-duplicates",
        {"positions": [1], "snapshot_id": theirs.snapshot_id},
        format="json",
    )
    assert answer.status_code == 409 and "Someone Else" in answer.json()["detail"]
    assert not RouteRun.objects.exists()


def test_the_undo_is_for_the_owner_of_a_finished_removal_that_wrote(library, queue):
    user, credential, mine, theirs, other = library
    run = RouteRun.objects.create(
        kind=RouteRunKind.DEDUPE, user=user, base_name="Mine", target_spotify_id=mine.spotify_id,
        status=RunStatus.SUCCEEDED,
    )  # fmt: skip
    ChildBackup.objects.create(user=user, run=run, spotify_id=mine.spotify_id, name="Mine", uris=["spotify:track:x"])
    url = f"/api/duplicate-removals/{run.pk}/undo"
    assert APIClient().post(url).status_code == 401
    assert signed_in(SpotifyCredentialFactory().user).post(url).status_code == 404
    assert signed_in(user).get(f"/api/duplicate-removals/{run.pk}/").json()["can_undo"] is True

    answer = signed_in(user).post(url)

    assert answer.status_code == 202, answer.json()
    undo = RouteRun.objects.get(pk=answer.json()["id"])
    assert (undo.kind, undo.restore_of_id, undo.target_spotify_id) == (RouteRunKind.RESTORE, run.pk, mine.spotify_id)
    assert signed_in(user).post(url).status_code == 409  # one undo of a playlist at a time


def test_a_base_playlist_waits_while_its_route_runs(library):
    user, credential, mine, theirs, other = library
    base = BasePlaylistFactory(user=user, playlist=mine, spotify_id=mine.spotify_id)
    route = RouteRunFactory(base=base, status=RunStatus.RUNNING)
    url = f"/api/library/playlists/{mine.pk}/remove-duplicates"
    body = {"positions": [2], "snapshot_id": mine.snapshot_id}

    busy = signed_in(user).post(url, body, format="json")

    assert busy.status_code == 409 and "route" in busy.json()["detail"]
    RouteRun.objects.filter(pk=route.pk).update(status=RunStatus.SUCCEEDED)
    assert signed_in(user).post(url, body, format="json").status_code == 202
