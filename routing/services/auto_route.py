"""Routing after an import, for bases set to route automatically; and waiting for the song
analyses that import queued, when a base's filters read them.

A mood or content-rating filter on songs nobody has analysed yet matches nothing, so routing
at once would leave the import's new songs out until the next run. Such a base is marked as
waiting (BasePlaylist.waits_for_analyses_since) and routed when analysis announces
`analyses_settled` for its listener (routing/receivers.py). If the analyses take longer than
MAX_WAIT (every LLM provider down), a schedule routes it with the analyses there are.

The mark is set before the look at the listener's batches, so a settle that comes between the
two is not missed; taking a base off the wait is a conditional UPDATE, so the settle and the
schedule never both route it (and a second route request would get the active one anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from analysis import selectors as analysis_selectors
from routing.filters import FilterValidationError, Metadata, validate_filters
from routing.models import BasePlaylist, ChildPlaylist
from routing.services.triggers import RouteAlreadyActive, RouteTrigger, RouteTriggerError, request_route
from routing.models import RouteRun

logger = logging.getLogger(__name__)

MAX_WAIT = timedelta(minutes=15)


def route_after_import(*, user_id: int, changed_playlist_ids: Iterable[int]) -> list[RouteRun]:
    """Queue a route for every base set to route automatically whose playlist an import changed;
    a base whose filters read song analyses waits for them while they are under way."""
    changed = set(changed_playlist_ids)
    if not changed:
        return []  # the common incremental import: no query at all
    bases = BasePlaylist.objects.filter(
        user_id=user_id, auto_route_after_import=True, playlist_id__in=changed
    ).select_related("playlist")
    return [event for base in bases if not _waits(base=base) and (event := _route(base=base))]


def route_when_settled(*, user_id: int) -> list[RouteRun]:
    """analyses_settled: route the listener's bases that waited for their analyses."""
    return _route_waiting(BasePlaylist.objects.filter(user_id=user_id))


def route_overdue(*, max_wait: timedelta = MAX_WAIT) -> list[RouteRun]:
    """Route the bases that waited for analyses longer than `max_wait`, with the analyses there are."""
    return _route_waiting(BasePlaylist.objects.filter(waits_for_analyses_since__lt=timezone.now() - max_wait))


def reads_analyses(*, base: BasePlaylist) -> bool:
    """Do any of the base's children filter on song analyses? (Invalid filters: the route says so.)"""
    for filters in ChildPlaylist.objects.filter(base=base).values_list("filters", flat=True):
        try:
            document = validate_filters(filters, mode=settings.SPOTIFY_APP_MODE)
        except FilterValidationError:
            continue
        if Metadata.SONG_ANALYSIS in document.needed_metadata:
            return True
    return False


def _waits(*, base: BasePlaylist) -> bool:
    if not reads_analyses(base=base):
        return False
    BasePlaylist.objects.filter(pk=base.pk, waits_for_analyses_since__isnull=True).update(
        waits_for_analyses_since=timezone.now()
    )
    if analysis_selectors.analyses_under_way(user_id=base.user_id):
        logger.info("Base %s routes once the song analyses of its listener settle.", base.pk)
        return True
    # Nothing to wait for; if a settle took the base meanwhile, it routed it already.
    return not BasePlaylist.objects.filter(pk=base.pk, waits_for_analyses_since__isnull=False).update(
        waits_for_analyses_since=None
    )


def _route_waiting(bases) -> list[RouteRun]:
    started = []
    # A listener whose grant is lost keeps their bases waiting, untouched, until they reconnect:
    # a route now would only fail without asking Spotify, and waste the wait's one route.
    bases = bases.exclude(user__spotify_credential__reconnect_needed=True)
    for base in bases.filter(waits_for_analyses_since__isnull=False).select_related("playlist"):
        taken = BasePlaylist.objects.filter(
            pk=base.pk, waits_for_analyses_since=base.waits_for_analyses_since
        ).update(waits_for_analyses_since=None)
        if taken and (event := _route(base=base)):
            started.append(event)
    return started


def _route(*, base: BasePlaylist) -> RouteRun | None:
    try:
        event, _ = request_route(base=base, trigger=RouteTrigger.IMPORT)
    except RouteAlreadyActive:
        # Only a duplicate removal on one of its playlists refuses it (its own route is returned).
        # Duplicates are being removed from one of its playlists: the base waits like one that
        # waits for analyses, and the settle or the overdue schedule routes it afterwards.
        BasePlaylist.objects.filter(pk=base.pk, waits_for_analyses_since__isnull=True).update(
            waits_for_analyses_since=timezone.now()
        )
        logger.info("Base %s routes once the duplicate removal on one of its playlists ends.", base.pk)
        return None
    except RouteTriggerError as exc:  # no connection: the import itself will say so
        logger.warning("Not routing base %s after the import: %s", base.pk, exc)
        return None
    except Exception:
        # The import's own work is done and stored; a routing hiccup must not fail it.
        logger.exception("Could not queue the route of base %s after the import", base.pk)
        return None
    return event
