"""Listening snapshots: one row per (user, day, time range), written by `ingest_snapshot`.

The shape of an ingest, and why:
- Everything Spotify says is read first (top tracks and top artists for the three ranges,
  and in Extended mode the top tracks' audio features), outside any transaction. A failure
  there raises ListeningIngestFailed and writes nothing.
- The figures are computed from that answer, the stored play history and our song
  analyses (insights.services.snapshot_figures holds the arithmetic and its definitions).
- One short transaction upserts the catalog rows met on the way and the three snapshots,
  with INSERT ... ON CONFLICT on the (user, snapshot_date, time_range) constraint: running
  the day's ingest again, or twice at once, updates the rows and never adds one.

Play windows, ending at the ingest (or at the end of `snapshot_date` for an earlier day):
short_term = the last 28 days, medium_term = the last 182 days, long_term = every stored
play. Spotify's own windows are "about 4 weeks", "about 6 months" and "about a year and
more"; our history only reaches back to the first poll, so long_term takes all of it.

Mood and energy: with Spotify's audio features (Extended mode) `energy_mean` is their mean
energy and the mood mix comes from valence × energy quadrants (`feature_mood`), so
`moods_estimated` is false. Without them (Development mode, or Spotify refusing the
endpoint) both come from our LLM song analyses of the top tracks, marked as estimates.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import SpotifyAccess, SpotifyPause, User
from core.errors import DomainError
from core.queues import BULK
from core.schedules import schedule_once
from analysis.models import SongAnalysis
from analysis.services.analysis import PROMPT_VERSION
from insights.models import ListeningSnapshot, Play, TimeRange
from insights.services import snapshot_figures as figures
from library.models import TrackArtist
from library.services import upsert_catalog
from spotify import api
from spotify.client import SpotifyClient, get_spotify_client
from spotify.errors import (
    NotAllowlisted,
    ReconnectNeeded,
    SpotifyMisconfigured,
    SpotifyRateLimited,
    SpotifyRefused,
    SpotifyUnavailable,
    describe,
)
from spotify.parsing import CatalogRecords, track_objects

logger = logging.getLogger(__name__)

TOP_LIMIT = 50  # Spotify's maximum per request for /me/top/*
FEATURES_BATCH = 100  # GET /audio-features?ids= takes at most 100 ids
# None: every stored play (see the module docstring).
WINDOW_DAYS: dict[str, int | None] = {TimeRange.SHORT: 28, TimeRange.MEDIUM: 182, TimeRange.LONG: None}
FIGURE_FIELDS = (
    "top_tracks", "top_artists", "played_artists", "genre_distribution", "decade_distribution",
    "explicit_share", "play_count", "hour_of_day", "weekday_hours", "audio_features", "mood_distribution",
    "energy_mean", "moods_estimated", "analysed_tracks", "mood_diversity", "genre_diversity",
)  # fmt: skip
RECONNECT_MESSAGE = f"{describe(ReconnectNeeded())} Then retry."


def snapshot_basis(snapshot: ListeningSnapshot) -> str:
    """A digest of the snapshot's figures: equal digests, equal figures (an insight written
    from them still describes the snapshot)."""
    figures = {name: getattr(snapshot, name) for name in FIGURE_FIELDS}
    encoded = json.dumps(figures, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


class ListeningIngestFailed(DomainError):
    """Spotify could not give the listening data; nothing was written (409 where a listener asked
    for it). `retry_at` is set when Spotify asked us to wait, `reconnect` when the user must sign
    in again."""

    status = 409

    def __init__(self, reason: str, *, retry_at: datetime | None = None, reconnect: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_at = retry_at
        self.reconnect = reconnect


@dataclass(frozen=True)
class SpotifyListening:
    """What Spotify said: per time range, the top tracks and artists (full objects, rank
    order); the audio features by track id, or None when the app may not read them."""

    top_tracks: dict[str, list[dict[str, Any]]]
    top_artists: dict[str, list[dict[str, Any]]]
    audio_features: dict[str, dict[str, Any]] | None


# --- reading Spotify ------------------------------------------------------------------
def fetch_listening(*, user: User) -> SpotifyListening:
    """Read the user's top items for every range (and audio features in Extended mode)."""
    try:
        with get_spotify_client(user=user) as client:
            tracks, artists = {}, {}
            for time_range in TimeRange.values:
                # Under their original ids (relinked ones too), so they join with plays.
                tracks[time_range] = track_objects(
                    api.top_tracks(client=client, limit=TOP_LIMIT, time_range=time_range)
                )
                artists[time_range] = _items(
                    api.top_artists(client=client, limit=TOP_LIMIT, time_range=time_range)
                )
            features = None
            if settings.SPOTIFY_APP_MODE == "extended":
                ids = list(dict.fromkeys(obj["id"] for objs in tracks.values() for obj in objs))
                features = _audio_features(client, ids)
    except ReconnectNeeded as exc:
        raise ListeningIngestFailed(RECONNECT_MESSAGE, reconnect=True) from exc
    except SpotifyRateLimited as exc:
        raise ListeningIngestFailed(f"{describe(exc)} Try again then.", retry_at=exc.resume_at) from exc
    except (SpotifyMisconfigured, NotAllowlisted) as exc:
        raise ListeningIngestFailed(describe(exc)) from exc
    except SpotifyUnavailable as exc:
        raise ListeningIngestFailed(f"{describe(exc)} Try again later.") from exc
    except SpotifyRefused as exc:
        hint = " Sign in with Spotify again to grant it." if exc.status in (401, 403) else ""
        raise ListeningIngestFailed(
            f"Spotify refused to list your top tracks and artists: {describe(exc)}{hint}",
            reconnect=bool(hint),
        ) from exc
    return SpotifyListening(top_tracks=tracks, top_artists=artists, audio_features=features)


def _items(page: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [obj for obj in (page or {}).get("items") or [] if obj and obj.get("id")]


def _audio_features(client: SpotifyClient, track_ids: list[str]) -> dict[str, dict[str, Any]] | None:
    """{track id: features}; None when Spotify refuses the endpoint, as it does for apps it
    no longer allows (the figures then fall back to our analyses)."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(track_ids), FEATURES_BATCH):
        chunk = track_ids[start : start + FEATURES_BATCH]
        try:
            rows = api.audio_features(client=client, track_ids=chunk)
        except SpotifyRefused as exc:
            if exc.status in (403, 404):
                logger.info("Spotify refused audio features (HTTP %s): using song analyses", exc.status)
                return None
            raise
        found.update({row["id"]: row for row in rows if row and row.get("id")})
    return found


# --- Spotify JSON → catalog records ----------------------------------------------------
def _catalog(listening: SpotifyListening) -> CatalogRecords:
    records = CatalogRecords()
    for objs in listening.top_tracks.values():
        for obj in objs:
            records.add_track(obj)
    # After the tracks: the full artist objects (with genres) must win over the simplified
    # ones credited on tracks, whose genres are unknown rather than empty.
    for objs in listening.top_artists.values():
        for obj in objs:
            records.add_artist(obj)
    return records


# --- the ingest ------------------------------------------------------------------------
def ingest_snapshot(*, user: User, snapshot_date: date | None = None) -> list[ListeningSnapshot]:
    """Fetch, compute and store the user's three snapshots for `snapshot_date` (today in
    TIME_ZONE by default); returns them short, medium, long. Raises ListeningIngestFailed
    (nothing written) when Spotify cannot answer."""
    now = timezone.now()
    tz = timezone.get_default_timezone()
    snapshot_date = snapshot_date or timezone.localdate(now)
    listening = fetch_listening(user=user)

    # Plays up to the end of the snapshot's day, so a later re-run for a past day counts the same.
    # A skip (under 30 s, from the privacy export) is not a listen: the figures leave it out.
    end = min(now, datetime.combine(snapshot_date + timedelta(days=1), time.min, tzinfo=tz))
    plays = list(
        Play.objects.filter(user=user, played_at__lte=end, skipped=False).values_list("track_id", "played_at")
    )
    credits: dict[str, list[str]] = {}
    for track_id, artist_id in (
        TrackArtist.objects.filter(track__plays__user=user).values_list("track_id", "artist_id").distinct()
    ):
        credits.setdefault(track_id, []).append(artist_id)
    top_ids = {obj["id"] for objs in listening.top_tracks.values() for obj in objs}
    analyses = {
        row[0]: (row[1], row[2])
        for row in SongAnalysis.objects.filter(
            track_id__in=top_ids, prompt_version=PROMPT_VERSION
        ).values_list("track_id", "mood", "energy")
    }
    rows = []
    for time_range in TimeRange.values:
        days = WINDOW_DAYS[time_range]
        start = end - timedelta(days=days) if days is not None else None
        in_window = [(track_id, at) for track_id, at in plays if start is None or at > start]
        fields = range_figures(
            tracks=listening.top_tracks[time_range],
            artists=listening.top_artists[time_range],
            plays=in_window,
            credits=credits,
            analyses=analyses,
            audio_features=listening.audio_features,
            tz=tz,
        )
        rows.append(
            ListeningSnapshot(user=user, snapshot_date=snapshot_date, time_range=time_range, **fields)
        )

    catalog = _catalog(listening)
    with transaction.atomic():
        upsert_catalog(
            artists=catalog.artists.values(), albums=catalog.albums.values(), tracks=catalog.tracks.values()
        )
        # ON CONFLICT on the unique constraint: concurrent ingests of the same day cannot
        # both insert, and a re-run rewrites the figures (and updated_at) in place.
        ListeningSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["user", "snapshot_date", "time_range"],
            update_fields=[*FIGURE_FIELDS, "updated_at"],
        )
    stored = {
        s.time_range: s for s in ListeningSnapshot.objects.filter(user=user, snapshot_date=snapshot_date)
    }
    return [stored[time_range] for time_range in TimeRange.values]


def range_figures(
    *,
    tracks: list[dict[str, Any]],
    artists: list[dict[str, Any]],
    plays: list[tuple[str, datetime]],
    credits: dict[str, list[str]],
    analyses: dict[str, tuple[str, float]],
    audio_features: dict[str, dict[str, Any]] | None,
    tz: tzinfo,
) -> dict[str, Any]:
    """The figure fields of one snapshot from one range's top items and plays."""
    track_plays = Counter(track_id for track_id, _ in plays)
    artist_plays = figures.artist_play_counts((track_id for track_id, _ in plays), credits=credits)
    played_at = [at for _, at in plays]
    genres = figures.genre_distribution(obj.get("genres") or () for obj in artists)
    ids = [obj["id"] for obj in tracks]
    analysed = [analyses[track_id] for track_id in ids if track_id in analyses]
    features = [audio_features.get(track_id) for track_id in ids] if audio_features is not None else []
    feature_means = figures.audio_feature_means(features) if audio_features is not None else None
    if feature_means is not None:
        moods = figures.mood_distribution(
            figures.feature_mood(valence=row["valence"], energy=row["energy"])
            for row in features
            if row and row.get("valence") is not None and row.get("energy") is not None
        )
        energy = feature_means.get("energy")
    else:
        moods = figures.mood_distribution(mood for mood, _ in analysed)
        energy = figures.mean(value for _, value in analysed)
    return {
        "top_tracks": [
            {"id": track_id, "rank": rank, "plays": track_plays[track_id]}
            for rank, track_id in enumerate(ids, 1)
        ],
        "top_artists": [
            {"id": obj["id"], "rank": rank, "plays": artist_plays[obj["id"]]}
            for rank, obj in enumerate(artists, 1)
        ],
        "played_artists": figures.played_artists(artist_plays, spotify_order=[obj["id"] for obj in artists]),
        "genre_distribution": genres,
        "decade_distribution": figures.decade_distribution(
            figures.release_year((obj.get("album") or {}).get("release_date")) for obj in tracks
        ),
        "explicit_share": figures.explicit_share([bool(obj.get("explicit")) for obj in tracks]),
        "play_count": len(plays),
        "hour_of_day": figures.hour_of_day(played_at, tz=tz),
        "weekday_hours": figures.weekday_hours(played_at, tz=tz),
        "audio_features": feature_means,
        "mood_distribution": moods,
        "energy_mean": energy,
        "moods_estimated": feature_means is None,
        "analysed_tracks": len(analysed),
        "mood_diversity": figures.normalised_entropy(moods),
        "genre_diversity": figures.normalised_entropy(genres),
    }


@dataclass
class IngestRound:
    """What a round over every connected user did: user ids ingested, failures by user id, and
    when the rest go on if Spotify asked this server to pause."""

    ingested: list[int]
    failed: dict[int, str]
    postponed: list[int] = field(default_factory=list)
    resumes_at: datetime | None = None


INGEST_ALL_TASK = "insights.tasks.ingest_all_users"


def ingest_all_users(
    *, snapshot_date: date | None = None, only_missing: bool = False, user_ids: Sequence[int] | None = None
) -> IngestRound:
    """Ingest the day's snapshots for every user with a working Spotify connection (of
    `user_ids`: one chunk of the daily round, insights.services.rounds; with `only_missing`,
    those who have none for that day yet), one after another; a user whose
    ingest fails is noted and the round goes on with the next. Spotify's pause (its quota is
    the deployment's) stops the round instead: the rest are postponed, never failed, by one
    ONCE schedule of the round, for the same day and only the missing, at the pause's end."""
    day = snapshot_date or timezone.localdate()
    done = IngestRound(ingested=[], failed={})
    # A listener whose grant is gone cannot be read until they sign in again: not a failure of
    # the round (the history poll records their gap; their pages ask them to reconnect).
    # Nor one Spotify does not serve (not on a Development-mode app's user list): their
    # dashboard asks them to see the operator, and a nightly refusal would only fail the round.
    users = (
        User.objects.filter(spotify_credential__isnull=False, spotify_credential__reconnect_needed=False)
        .exclude(spotify_credential__access=SpotifyAccess.NOT_ALLOWLISTED)
        .order_by("pk")
    )
    if only_missing:
        users = users.exclude(snapshots__snapshot_date=day)
    if user_ids is not None:
        users = users.filter(pk__in=user_ids)
    resumes_at = account_selectors.spotify_paused_until()
    for user in users.iterator():
        if resumes_at is not None:
            done.postponed.append(user.pk)
            continue
        try:
            ingest_snapshot(user=user, snapshot_date=day)
        except ListeningIngestFailed as exc:
            if exc.retry_at is not None:
                resumes_at = max(exc.retry_at, timezone.now() + timedelta(seconds=settings.SPOTIFY_MIN_POSTPONE))
                done.postponed.append(user.pk)
            else:
                done.failed[user.pk] = exc.reason
        except Exception:
            # Whatever broke for one listener must not cost the others their snapshot.
            logger.exception("Listening ingest of user %s failed unexpectedly", user.pk)
            done.failed[user.pk] = "unexpected error (see the server log)"
        else:
            done.ingested.append(user.pk)
    if done.postponed:
        done.resumes_at = resumes_at
        name = f"insights-ingest-{day}{SpotifyPause.SCHEDULE_SUFFIX}"
        schedule_once(INGEST_ALL_TASK, day.isoformat(), True, at=resumes_at, name=name, queue=BULK)
    return done
