"""A duplicate removal and the routes of the set-up its playlist is in never run together: a route
or route undo waits (409 with a sentence) while a removal or its undo changes the base's playlist
or a child's, and a removal's undo waits while that set-up routes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.runs import RunStatus
from routing.models import ChildBackup, RouteRun, RouteRunKind
from routing.services import restore
from routing.services.triggers import RouteAlreadyActive, RouteTriggerError, request_route
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory, RouteRunFactory
from tests.routing.test_duplicates_api import library, signed_in  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def _removal(user, spotify_id: str, *, status: str = RunStatus.QUEUED) -> RouteRun:
    return RouteRun.objects.create(
        kind=RouteRunKind.DEDUPE, user=user, base_name="Mine", target_spotify_id=spotify_id, status=status
    )


def test_a_route_waits_while_duplicates_are_removed_from_one_of_its_children(library):  # noqa: F811
    user, credential, mine, theirs, other = library
    base = BasePlaylistFactory(user=user)
    child = ChildPlaylistFactory(base=base, spotify_id=mine.spotify_id)
    removal = _removal(user, child.spotify_id)

    busy = signed_in(user).post(f"/api/base-playlists/{base.pk}/route")

    assert busy.status_code == 409 and "duplicate removal" in busy.json()["detail"].lower()
    assert not RouteRun.objects.filter(base=base).exists()
    RouteRun.objects.filter(pk=removal.pk).update(status=RunStatus.SUCCEEDED)
    assert signed_in(user).post(f"/api/base-playlists/{base.pk}/route").status_code == 202


def test_a_route_waits_while_duplicates_are_removed_from_its_base_playlist(library):  # noqa: F811
    user, credential, mine, theirs, other = library
    base = BasePlaylistFactory(user=user, playlist=mine, spotify_id=mine.spotify_id)
    _removal(user, mine.spotify_id, status=RunStatus.RUNNING)
    with pytest.raises(RouteAlreadyActive):
        request_route(base=base, trigger="button")
    assert not RouteRun.objects.filter(base=base).exists()


def test_a_route_undo_waits_while_a_child_is_being_tidied(library, queue):  # noqa: F811
    user, credential, mine, theirs, other = library
    base = BasePlaylistFactory(user=user)
    child = ChildPlaylistFactory(base=base, spotify_id=mine.spotify_id)
    routed = RouteRunFactory(base=base, status=RunStatus.SUCCEEDED)
    ChildBackup.objects.create(
        user=user, run=routed, child=child, spotify_id=child.spotify_id, name="C", uris=["spotify:track:x"]
    )
    _removal(user, child.spotify_id)

    with pytest.raises(RouteTriggerError) as refused:
        restore.request_restore(event=routed, trigger="button")

    assert "duplicate removal" in str(refused.value).lower()
    assert not RouteRun.objects.filter(restore_of=routed).exists()


def test_the_undo_of_a_removal_waits_while_the_set_up_of_its_playlist_routes(library, queue):  # noqa: F811
    user, credential, mine, theirs, other = library
    base = BasePlaylistFactory(user=user)
    child = ChildPlaylistFactory(base=base, spotify_id=mine.spotify_id)
    removal = _removal(user, child.spotify_id, status=RunStatus.SUCCEEDED)
    ChildBackup.objects.create(
        user=user, run=removal, spotify_id=child.spotify_id, name="Mine", uris=["spotify:track:x"]
    )
    RouteRunFactory(base=base, status=RunStatus.RUNNING)

    answer = signed_in(user).post(f"/api/duplicate-removals/{removal.pk}/undo")

    assert answer.status_code == 409 and "route" in answer.json()["detail"]
    assert not RouteRun.objects.filter(restore_of=removal).exists()


def test_an_auto_route_waits_for_the_removal_and_the_schedule_routes_it_later(library):  # noqa: F811
    from routing.services.auto_route import route_after_import, route_overdue

    user, credential, mine, theirs, other = library
    base = BasePlaylistFactory(user=user, auto_route_after_import=True)
    child = ChildPlaylistFactory(base=base, spotify_id=mine.spotify_id)
    removal = _removal(user, child.spotify_id, status=RunStatus.RUNNING)

    assert route_after_import(user_id=user.pk, changed_playlist_ids=[base.playlist_id]) == []

    base.refresh_from_db()
    assert base.waits_for_analyses_since is not None and not RouteRun.objects.filter(base=base).exists()
    RouteRun.objects.filter(pk=removal.pk).update(status=RunStatus.SUCCEEDED)
    (routed,) = route_overdue(max_wait=timedelta(0))
    assert routed.base_id == base.pk
