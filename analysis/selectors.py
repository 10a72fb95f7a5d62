"""Reads of analyses. The analyses themselves are shared; what a user may see of them is
scoped by the user's own playlists (a song page, a playlist summary)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from analysis.models import CONFIDENT_FROM, AnalysisBatch, Lyrics, LyricsStatus, SongAnalysis
from analysis.services.analysis import PROMPT_VERSION
from core.runs import ACTIVE_STATUSES
from library.models import Playlist, PlaylistItem, Track, TrackArtist
from library.selectors import ordered_credits, track_columns

FLAGGED = Q(flag_profanity=True) | Q(flag_violence=True) | Q(flag_sexual=True) | Q(flag_drugs=True)
# Read from lyrics with confidence (SongAnalysis.guess is ""): only these count as flagged.
READ_FROM_LYRICS = Q(lyrics_status=LyricsStatus.FOUND, confidence__gte=CONFIDENT_FROM)


FACT_FIELDS = (
    "track_id", "mood", "themes", "genres", "content_rating", "energy",
    "flag_profanity", "flag_violence", "flag_sexual", "flag_drugs",
)  # fmt: skip


def _latest_per_track(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each track's analysis under the current prompt, else its newest under an older one.

    An older analysis keeps counting until the track is analysed again: a prompt change must
    not make every mood or genre filter match nothing meanwhile (a route would then remove
    those tracks from children without anyone agreeing to it)."""
    chosen: dict[str, dict[str, Any]] = {}
    for row in rows:
        rank = (row["prompt_version"] == PROMPT_VERSION, row["created_at"])
        kept = chosen.get(row["track_id"])
        if kept is None or rank > (kept["prompt_version"] == PROMPT_VERSION, kept["created_at"]):
            chosen[row["track_id"]] = row
    return chosen


def analysis_facts(*, track_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What the routing filters read of each track's analysis (the current prompt's, else the
    newest older one), in one query: {track_id: {"mood", "themes", "genres", "content_rating",
    "energy", "flags"}}; absent when none. "genres" is empty for analyses made before the
    prompt asked for them."""
    rows = SongAnalysis.objects.filter(track_id__in=set(track_ids)).values(
        *FACT_FIELDS, "prompt_version", "created_at"
    )
    return {
        track_id: {
            "mood": row["mood"],
            "themes": tuple(row["themes"] or ()),
            "genres": tuple(row["genres"] or ()),
            "content_rating": row["content_rating"],
            "energy": row["energy"],
            "flags": {name: row[f"flag_{name}"] for name in ("profanity", "violence", "sexual", "drugs")},
        }
        for track_id, row in _latest_per_track(rows).items()
    }


def current_analyses(*, track_ids: Iterable[str]) -> dict[str, SongAnalysis]:
    """Each track's whole analysis as analysis_facts picks it (the current prompt's, else the
    newest older one), in one query: for exports, which show every field of it."""
    ids = {track_id for track_id in track_ids if track_id}
    if not ids:
        return {}
    rows = (
        {"track_id": a.track_id, "prompt_version": a.prompt_version, "created_at": a.created_at, "analysis": a}
        for a in SongAnalysis.objects.filter(track_id__in=ids)
    )
    return {track_id: row["analysis"] for track_id, row in _latest_per_track(rows).items()}


def genre_counts(*, track_ids: Iterable[str] | QuerySet) -> dict[str, int]:
    """How many of these tracks' analyses (as analysis_facts picks them) name each genre (one
    query; a queryset of track ids stays a subquery). Analyses from before genres were asked
    for name none."""
    counts: dict[str, int] = {}
    rows = SongAnalysis.objects.filter(track_id__in=track_ids).values(
        "track_id", "genres", "prompt_version", "created_at"
    )
    for row in _latest_per_track(rows).values():
        for genre in row["genres"] or ():
            counts[genre] = counts.get(genre, 0) + 1
    return counts


def moods_and_genres(*, track_ids: Iterable[str] | QuerySet) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each analysed track's mood and genres, as analysis_facts picks its analysis, in one query
    (a queryset of track ids stays a subquery, so a year's plays need no list of ids)."""
    rows = SongAnalysis.objects.filter(track_id__in=track_ids).values(
        "track_id", "mood", "genres", "prompt_version", "created_at"
    )
    return {
        track_id: (row["mood"], tuple(row["genres"] or ()))
        for track_id, row in _latest_per_track(rows).items()
    }


def analyses_by_track(*, track_ids: Iterable[str]) -> dict[str, SongAnalysis]:
    """The current analyses of these tracks, in one query (for a page of items)."""
    ids = {track_id for track_id in track_ids if track_id}
    if not ids:
        return {}
    return {
        a.track_id: a for a in SongAnalysis.objects.filter(track_id__in=ids, prompt_version=PROMPT_VERSION)
    }


def latest_analysis_id() -> int | None:
    """Changes whenever an analysis is written (they are only ever added): one index lookup."""
    return SongAnalysis.objects.aggregate(latest=Max("pk"))["latest"]


def lyrics_status(*, spotify_id: str) -> str | None:
    """The status of a track's lyrics (found, instrumental, ...); None before they are looked up."""
    return Lyrics.objects.filter(track_id=spotify_id).values_list("status", flat=True).first()


@dataclass(frozen=True)
class PlaylistAnalysisSummary:
    tracks: int  # distinct tracks in the playlist
    analysed: int
    flagged: int  # analyses that read lyrics with confidence and raised a flag
    guessed: int = 0  # analyses without lyrics or with low confidence (SongAnalysis.guess)
    # (mood, count), most common first
    moods: list[tuple[str, int]] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return self.tracks - self.analysed


def playlist_summary(*, playlist: Playlist) -> PlaylistAnalysisSummary:
    """How much of a playlist is analysed, how much is flagged, how much guessed, and its mood mix
    (two queries). A guess's flags are not counted: they are not a reading of the song's words."""
    track_ids = PlaylistItem.objects.filter(playlist=playlist, track__isnull=False).values("track_id")
    per_mood = list(
        SongAnalysis.objects.filter(prompt_version=PROMPT_VERSION, track_id__in=track_ids)
        .order_by()
        .values("mood")
        .annotate(
            n=Count("pk"),
            flagged=Count("pk", filter=FLAGGED & READ_FROM_LYRICS),
            guessed=Count("pk", filter=~READ_FROM_LYRICS),
        )
    )
    return PlaylistAnalysisSummary(
        tracks=track_ids.distinct().count(),
        analysed=sum(row["n"] for row in per_mood),
        flagged=sum(row["flagged"] for row in per_mood),
        guessed=sum(row["guessed"] for row in per_mood),
        moods=sorted(((row["mood"], row["n"]) for row in per_mood), key=lambda pair: (-pair[1], pair[0])),
    )


@dataclass(frozen=True)
class SongPage:
    track: Track
    lyrics: Lyrics | None
    analysis: SongAnalysis | None
    playlists: list[Playlist]


def get_song(*, user: User, spotify_id: str) -> SongPage | None:
    """A track the user has in one of their playlists, with its lyrics and current analysis;
    None for a track they do not have (another user's alike)."""
    mine = PlaylistItem.objects.filter(playlist__user=user, track_id=OuterRef("pk"))
    credits = TrackArtist.objects.select_related("artist").order_by("position")
    track = (
        Track.objects.filter(pk=spotify_id)
        .filter(Exists(mine))
        .select_related("album")
        .prefetch_related(Prefetch("credits", queryset=credits))
        .first()
    )
    if track is None:
        return None
    playlists = list(
        Playlist.objects.filter(user=user, items__track=track).distinct().order_by("list_position", "id")
    )
    return SongPage(
        track=track,
        lyrics=Lyrics.objects.filter(track=track).first(),
        analysis=SongAnalysis.objects.filter(track=track, prompt_version=PROMPT_VERSION).first(),
        playlists=playlists,
    )


def playlist_tracks_with_analyses(*, playlist: Playlist) -> QuerySet[Track]:
    """The playlist's distinct tracks in the order they first appear, each with `current_analyses`
    (a list of zero or one analysis under PROMPT_VERSION), album and credited artists prefetched."""
    current = SongAnalysis.objects.filter(prompt_version=PROMPT_VERSION)
    return (
        Track.objects.filter(items__playlist=playlist)
        .annotate(first_position=Min("items__position"))
        .order_by("first_position", "pk")
        .select_related("album")
        .only(*track_columns())
        .prefetch_related(
            Prefetch("credits", queryset=ordered_credits()),
            Prefetch("analyses", queryset=current, to_attr="current_analyses"),
        )
    )


def analyses_under_way(*, user_id: int) -> bool:
    """Has the listener an analysis batch queued or running (their analyses have not settled)?"""
    return AnalysisBatch.objects.filter(user_id=user_id, status__in=ACTIVE_STATUSES).exists()
