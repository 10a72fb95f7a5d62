"""Details of the tracks a history import met first, asked of Spotify on the bulk cluster.

An export names a track by id and name only. The import stores such a track with that name
(the history never waits for Spotify) and queues one TrackLookup for the listener, which asks
Spotify for each track (GET /tracks/{id}: a Development-mode app has no batch lookup) and keeps
each answer at once (library.services.upsert_catalog). Within the app's Spotify budget:
- it gives its worker back after SLICE_SECONDS, queued again at the back of the bulk queue, so a
  listener with 20,000 unknown tracks never holds a worker others are waiting for;
- a 429 (a short limit, or a quota with a Retry-After of up to a day) postpones it to the end of
  the app-wide pause the client recorded; it never waits in a worker, and staff lifting the
  pause bring it forward (limited_by "spotify");
- it goes through the tracks in id order after `cursor`, so a resumed run never asks twice, and
  a track Spotify does not know (404) is passed, counted and not asked again by this lookup.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from core import runs
from core.runs import ACTIVE_STATUSES
from insights.models import TrackLookup
from library.models import Track
from library.services import upsert_catalog
from spotify import api
from spotify.client import get_spotify_client
from spotify.errors import (
    NotAllowlisted,
    ReconnectNeeded,
    SpotifyMisconfigured,
    SpotifyRateLimited,
    SpotifyRefused,
    SpotifyUnavailable,
    describe,
)
from spotify.parsing import CatalogRecords

logger = logging.getLogger(__name__)

# How long one turn asks before the worker is given back (at least one request per turn).
SLICE_SECONDS = 20.0
# Ids read from the database per query while a turn goes on.
CHUNK = 50
# Spotify failing on this many turns in a row fails the lookup; each time before, it waits this long.
MAX_OUTAGES = 5
OUTAGE_PAUSE = timedelta(minutes=10)
UNEXPECTED_MESSAGE = "The lookup stopped on an unexpected error (details are in the server log)."


def tracks_without_details(*, user: User) -> QuerySet[Track]:
    """The listener's played tracks known by name only (stored by a history import): no album and
    no credited artist. A mirrored track always has both."""
    return (
        Track.objects.filter(plays__user=user, album__isnull=True, credits__isnull=True)
        .distinct()
        .order_by("spotify_id")
    )


def request_track_lookup(*, user: User) -> TrackLookup | None:
    """Queue a lookup of the listener's name-only tracks after commit, unless there are none or
    one is already queued or running (that one is marked `again`: it reaches the new tracks after
    its cursor, and queues a lookup for those behind it when it ends). Returns the active lookup."""
    active = TrackLookup.objects.filter(user=user, status__in=ACTIVE_STATUSES).first()
    if active is not None:
        TrackLookup.objects.filter(pk=active.pk).update(again=True)
        return active
    total = tracks_without_details(user=user).count()
    if not total:
        return None
    try:
        with transaction.atomic():
            lookup = TrackLookup.objects.create(user=user, total=total)
            runs.enqueue_on_commit(lookup)
    except IntegrityError:  # another import ended at the same moment and queued one
        return TrackLookup.objects.filter(user=user, status__in=ACTIVE_STATUSES).first()
    return lookup


def run_track_lookup(
    *, lookup_id: int, turn: int | None = None, slice_seconds: float = SLICE_SECONDS
) -> TrackLookup | None:
    """One turn of the lookup: ask for tracks after the cursor for up to `slice_seconds`, then
    succeed (none left), give the turn back (more left), be postponed (Spotify's pause) or fail
    (the listener's grant is gone, or Spotify kept failing)."""
    claim = runs.claim(TrackLookup, pk=lookup_id, turn=turn, select_related=("user",), turns=F("turns") + 1)
    if claim is None:
        return TrackLookup.objects.filter(pk=lookup_id).first()
    lookup = claim.run
    try:
        finished = _look_up(claim=claim, lookup=lookup, deadline=time.monotonic() + slice_seconds)
    except SpotifyRateLimited as exc:
        at = max(exc.resume_at, timezone.now() + timedelta(seconds=settings.SPOTIFY_MIN_POSTPONE))
        claim.postpone(resume_at=at, error=describe(exc)[: runs.ERROR_LIMIT])
    except SpotifyUnavailable as exc:
        # A bad minute at Spotify must not end a lookup of thousands of tracks: try again later.
        if lookup.outages + 1 >= MAX_OUTAGES:
            claim.fail(f"Track details could not be looked up: {describe(exc)}")
        else:
            claim.postpone(
                resume_at=timezone.now() + OUTAGE_PAUSE,
                outages=F("outages") + 1,
                error=describe(exc)[: runs.ERROR_LIMIT],
            )
    except (ReconnectNeeded, SpotifyMisconfigured, NotAllowlisted) as exc:
        claim.fail(f"Track details could not be looked up: {describe(exc)}")
    except runs.ClaimLost:
        logger.warning("Track lookup #%s was taken from %s; stopping.", lookup_id, claim.worker)
    except Exception as exc:
        if claim.retry_after_conflict(exc):
            return TrackLookup.objects.get(pk=lookup_id)
        logger.exception("Track lookup #%s stopped on an unexpected error.", lookup_id)
        claim.fail(UNEXPECTED_MESSAGE)
        raise
    else:
        if finished:
            claim.succeed()
            if TrackLookup.objects.filter(pk=lookup_id, again=True).exists():
                request_track_lookup(user=lookup.user)  # the tracks another import added behind the cursor
        elif not claim.yield_turn():
            logger.warning("Track lookup #%s was taken from %s before it gave its turn.", lookup_id, claim.worker)
    return TrackLookup.objects.get(pk=lookup_id)


def _look_up(*, claim: runs.Claim, lookup: TrackLookup, deadline: float) -> bool:
    """True when no name-only track is left after the cursor; False when the turn is over."""
    cursor = lookup.cursor
    with get_spotify_client(user=lookup.user) as client:
        while True:
            ids = list(
                tracks_without_details(user=lookup.user)
                .filter(spotify_id__gt=cursor)
                .values_list("spotify_id", flat=True)[:CHUNK]
            )
            if not ids:
                return True
            for track_id in ids:
                if time.monotonic() > deadline and cursor != lookup.cursor:
                    return False
                found = _ask(client=client, track_id=track_id)
                # Kept with the cursor in one commit: a worker dying here asks again for one track at most.
                with transaction.atomic():
                    if found is not None:
                        upsert_catalog(artists=found.artists.values(), albums=found.albums.values(), tracks=found.tracks.values())
                    claim.heartbeat(
                        cursor=track_id,
                        outages=0,
                        looked_up=F("looked_up") + (1 if found is not None else 0),
                        unknown=F("unknown") + (0 if found is not None else 1),
                    )
                cursor = track_id


def _ask(*, client, track_id: str) -> CatalogRecords | None:
    """The track's catalog records, or None when Spotify does not know the id (404) or refuses
    it for this listener (403: e.g. not available in their market) — kept with its name only."""
    try:
        obj = api.track(client=client, track_id=track_id)
    except SpotifyRefused as exc:
        if exc.status in (400, 403, 404):
            return None
        raise
    records = CatalogRecords()
    if isinstance(obj, dict) and obj.get("id"):
        # A relinked answer (linked_from) is recorded under the id asked for: the history's.
        records.add_track(obj)
    return records if records.tracks else None
