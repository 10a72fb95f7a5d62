"""Automatic routes after an import wait for the song analyses that import queued when a
child's filters read them, and go once analysis announces analyses_settled (or, failing that,
once the wait is over); bases that do not read analyses route at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.models import AnalysisBatch
from analysis.services.settling import announce_if_settled
from core.runs import RunStatus
from routing import tasks
from routing.models import BasePlaylist, RouteRun
from routing.services.auto_route import MAX_WAIT, route_after_import

from tests.accounts.factories import SpotifyCredentialFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory

pytestmark = pytest.mark.django_db

CALM = {"match": "all", "conditions": [{"field": "mood", "op": "any_of", "value": ["calm"]}]}
NOT_EXPLICIT = {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": False}]}


def _automatic_base(*, filters: dict) -> BasePlaylist:
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user, auto_route_after_import=True)
    ChildPlaylistFactory(base=base, filters=filters)
    return base


def _analysing(base: BasePlaylist) -> AnalysisBatch:
    return AnalysisBatch.objects.create(user=base.user, prompt_version="v", status=RunStatus.RUNNING)


def _routes(base: BasePlaylist) -> list[str]:
    return list(RouteRun.objects.filter(base=base).values_list("trigger", flat=True))


def test_a_base_filtering_on_moods_waits_for_the_imports_analyses_and_routes_once_they_settle(
    queue, django_capture_on_commit_callbacks
):
    base = _automatic_base(filters=CALM)
    batch = _analysing(base)

    assert route_after_import(user_id=base.user_id, changed_playlist_ids=[base.playlist_id]) == []

    base.refresh_from_db()
    assert base.waits_for_analyses_since is not None and _routes(base) == []

    with django_capture_on_commit_callbacks(execute=True):
        AnalysisBatch.objects.filter(pk=batch.pk).update(status=RunStatus.SUCCEEDED)
        announce_if_settled(user_id=base.user_id)

    base.refresh_from_db()
    assert _routes(base) == ["import"] and base.waits_for_analyses_since is None


def test_a_base_that_reads_no_analyses_routes_at_once_while_analyses_run(queue):
    base = _automatic_base(filters=NOT_EXPLICIT)
    _analysing(base)

    started = route_after_import(user_id=base.user_id, changed_playlist_ids=[base.playlist_id])

    assert [event.base_id for event in started] == [base.pk]
    assert BasePlaylist.objects.get(pk=base.pk).waits_for_analyses_since is None


def test_with_no_analyses_under_way_a_mood_base_routes_at_once(queue):
    base = _automatic_base(filters=CALM)

    started = route_after_import(user_id=base.user_id, changed_playlist_ids=[base.playlist_id])

    assert [event.base_id for event in started] == [base.pk]
    assert BasePlaylist.objects.get(pk=base.pk).waits_for_analyses_since is None


def test_a_base_waiting_longer_than_the_wait_is_routed_by_the_schedule_and_a_recent_one_is_not(queue):
    overdue, recent = _automatic_base(filters=CALM), _automatic_base(filters=CALM)
    BasePlaylist.objects.filter(pk=overdue.pk).update(
        waits_for_analyses_since=timezone.now() - MAX_WAIT - timedelta(seconds=1)
    )
    BasePlaylist.objects.filter(pk=recent.pk).update(waits_for_analyses_since=timezone.now())

    assert tasks.route_overdue_bases() == "1 base(s) routed with the analyses there are"
    assert tasks.route_overdue_bases() == "0 base(s) routed with the analyses there are"

    assert _routes(overdue) == ["import"] and _routes(recent) == []
    assert BasePlaylist.objects.get(pk=recent.pk).waits_for_analyses_since is not None


def test_a_settle_of_another_listener_routes_nothing(queue, django_capture_on_commit_callbacks):
    base = _automatic_base(filters=CALM)
    _analysing(base)
    route_after_import(user_id=base.user_id, changed_playlist_ids=[base.playlist_id])
    stranger = SpotifyCredentialFactory().user

    with django_capture_on_commit_callbacks(execute=True):
        announce_if_settled(user_id=stranger.pk)

    assert _routes(base) == []
