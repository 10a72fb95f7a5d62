"""A listener's year in music, read from the stored history: the plays polled from Spotify and
the plays imported from the privacy export, alike.

- A listen is a play that was not skipped: Play.skipped marks plays shorter than 30 s (and the
  export's own skip flag). Skips are counted apart and never as listens.
- Minutes count every second played, skips included: that time was listened to. A polled play
  does not say how long it played (Spotify's recently-played list has no such field), so it
  counts as its track's length; `estimated` says how many plays were counted that way.
- Days, months and years are in the site's time zone (settings.TIME_ZONE; listeners have no
  time zone of their own), and the page names it.
- The counting is done by the database: a bounded number of aggregate queries (13,
  whatever the number of plays), each a scan of the year's plays at most. Python sums what the
  rows give: an artist's plays from their tracks' (one row a track), and the genre and mood mix
  from one row a month and track, because a track's genres are a list.
- Months and days are told apart by comparing `played_at` with their first instants, computed
  here in the site's time zone (_bucket), not by date functions: SQLite's are Python called
  once a play, tens of seconds over a year of 250,000 plays.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, Exists, Max, Min, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from analysis.selectors import moods_and_genres
from analysis.vocabulary import MOODS
from insights.models import Play
from library.models import Artist, Track, TrackArtist

TOP_SHOWN = 10
GENRES_SHOWN = 6
FIRST_YEAR = 2006  # Spotify's first year: no play can be older
LISTEN = Q(skipped=False)
# How long a play lasted: the export says; a polled play counts as its track's length.
PLAYED_MS = Coalesce("ms_played", "track__duration_ms")


@dataclass(frozen=True)
class RecapMonth:
    month: date  # its first day
    listens: int
    skips: int
    minutes: int
    estimated: int  # plays whose length is the track's (polled plays say none)


@dataclass(frozen=True)
class Favourite:
    """A top track or artist of the year: `item` is the Track, or the Artist."""

    item: Track | Artist
    listens: int
    minutes: int
    first_played_at: datetime | None  # its first play ever in the stored history
    new_this_year: bool


@dataclass(frozen=True)
class LabelRow:
    label: str
    counts: list[int]  # one a month, January first
    total: int


@dataclass(frozen=True)
class Breakdown:
    """Listens by month per genre (or mood): each listen counts once for each of its track's
    labels. `rows` are the largest, `other` sums the rest; `covered` is how many listens have
    a label at all, of `listens`."""

    source: str  # "analyses", "spotify" or "" (no labels known)
    rows: list[LabelRow]
    other: LabelRow | None
    covered: int
    listens: int

    @property
    def most(self) -> int:
        """The fullest cell: a heat-map's darkest."""
        cells = [count for row in self.rows for count in row.counts]
        if self.other:
            cells.extend(self.other.counts)
        return max(cells, default=0)


@dataclass(frozen=True)
class Streak:
    days: int
    first: date | None
    last: date | None


@dataclass(frozen=True)
class YearRecap:
    year: int
    timezone_name: str
    months: list[RecapMonth]
    listens: int
    skips: int
    minutes: int
    estimated: int
    days_listened: int
    longest_streak: Streak
    distinct_tracks: int
    distinct_artists: int
    top_tracks: list[Favourite] = field(default_factory=list)
    top_tracks_by_minutes: list[Favourite] = field(default_factory=list)
    top_artists: list[Favourite] = field(default_factory=list)
    top_artists_by_minutes: list[Favourite] = field(default_factory=list)
    genres: Breakdown | None = None
    moods: Breakdown | None = None

    @property
    def busiest_month(self) -> RecapMonth | None:
        month = max(self.months, key=lambda m: (m.minutes, -m.month.month), default=None)
        return month if month and month.minutes else None


def years_with_plays(*, user: User) -> list[int]:
    """The years (site time zone) in which the user has any stored play, newest first; two
    queries: the first and last play, then one index probe per year between them."""
    span = Play.objects.filter(user=user).aggregate(first=Min("played_at"), last=Max("played_at"))
    if span["first"] is None:
        return []
    years = range(timezone.localtime(span["first"]).year, timezone.localtime(span["last"]).year + 1)
    probes = {}
    for year in years:
        start, end = year_bounds(year)
        probes[f"y{year}"] = Exists(Play.objects.filter(user=user, played_at__gte=start, played_at__lt=end))
    row = User.objects.filter(pk=user.pk).annotate(**probes).values_list(*probes).first()
    return [year for year, present in zip(years, row or (), strict=False) if present][::-1]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year's first instant and the next year's, in the site's time zone."""
    return _local_midnight(date(year, 1, 1)), _local_midnight(date(year + 1, 1, 1))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.get_current_timezone())


def _month_of_year(year: int) -> Case:
    """The month (1 to 12) of a play of `year`, in the site's time zone (see _bucket)."""
    return _bucket([_local_midnight(date(year, month, 1)) for month in range(1, 13)], first=1)


def _bucket(starts: list[datetime], *, first: int = 0) -> Case | Value:
    """The number of the span a play falls in (`first` for the one from starts[0], and so on;
    the plays are known to fall in them), by comparing `played_at` with the spans' starts in a
    balanced tree: a few plain comparisons per play, the same SQL on every database. Django's
    date functions would be Python called once a play on SQLite, seconds over a year of plays."""
    if len(starts) == 1:
        return Value(first)
    middle = len(starts) // 2
    return Case(
        When(played_at__lt=starts[middle], then=_bucket(starts[:middle], first=first)),
        default=_bucket(starts[middle:], first=first + middle),
    )


def year_recap(*, user: User, year: int) -> YearRecap | None:
    """The user's recap of `year`; None when no play of theirs falls in it."""
    start, end = year_bounds(year)
    plays = Play.objects.filter(user=user, played_at__gte=start, played_at__lt=end).order_by()
    months = _months(plays, year=year)
    if not any(m.listens or m.skips for m in months):
        return None
    # One scan per question: each track's listens and milliseconds, from which an artist's are
    # summed here (a play counts for each artist credited on its track), rather than a second
    # scan joined to the credits.
    per_track = {
        track_id: {"track_id": track_id, "listens": listens, "ms": ms or 0}
        for track_id, listens, ms in plays.values_list("track_id").annotate(
            listens=Count("pk", filter=LISTEN), ms=Sum(PLAYED_MS)
        )
    }
    credits = list(
        TrackArtist.objects.filter(track_id__in=plays.values("track_id")).values_list(
            "track_id", "artist_id", "artist__genres"
        )
    )
    per_artist: dict[str, dict] = {}
    for track_id, artist_id, _ in credits:
        totals = per_artist.setdefault(artist_id, {"artist": artist_id, "listens": 0, "ms": 0})
        totals["listens"] += per_track[track_id]["listens"]
        totals["ms"] += per_track[track_id]["ms"]
    tracks_by_listens = _top(per_track.values(), order="listens", key="track_id")
    tracks_by_minutes = _top(per_track.values(), order="ms", key="track_id")
    artists_by_listens = _top(per_artist.values(), order="listens", key="artist")
    artists_by_minutes = _top(per_artist.values(), order="ms", key="artist")
    month_tracks = list(
        plays.filter(LISTEN)
        .annotate(month=_month_of_year(year))
        .values_list("month", "track_id")
        .annotate(listens=Count("pk"))
    )
    listened = plays.filter(LISTEN).values("track_id")
    genres, moods = _breakdowns(month_tracks, analyses=moods_and_genres(track_ids=listened), credits=credits)
    track_ids = [row["track_id"] for row in (*tracks_by_listens, *tracks_by_minutes)]
    artist_ids = [row["artist"] for row in (*artists_by_listens, *artists_by_minutes)]
    tracks = _tracks(track_ids)
    artists = Artist.objects.in_bulk(set(artist_ids))
    first_tracks = dict(
        Play.objects.filter(user=user, track_id__in=set(track_ids))
        .order_by()
        .values("track_id")
        .annotate(first=Min("played_at"))
        .values_list("track_id", "first")
    )
    first_artists = dict(
        Play.objects.filter(user=user, track__credits__artist_id__in=set(artist_ids))
        .order_by()
        .values("track__credits__artist_id")
        .annotate(first=Min("played_at"))
        .values_list("track__credits__artist_id", "first")
    )

    def favourites(rows: list[dict], *, key: str, items: dict, first: dict) -> list[Favourite]:
        return [
            Favourite(
                item=items[row[key]],
                listens=row["listens"],
                minutes=_minutes(row["ms"]),
                first_played_at=first.get(row[key]),
                new_this_year=first.get(row[key]) is not None and first[row[key]] >= start,
            )
            for row in rows
            if row[key] in items
        ]

    days = _days_listened(plays, year=year)
    return YearRecap(
        year=year,
        timezone_name=timezone.get_current_timezone_name(),
        months=months,
        listens=sum(m.listens for m in months),
        skips=sum(m.skips for m in months),
        minutes=sum(m.minutes for m in months),
        estimated=sum(m.estimated for m in months),
        days_listened=len(days),
        longest_streak=longest_streak(days),
        distinct_tracks=len({track_id for _, track_id, _ in month_tracks}),
        distinct_artists=len({artist for track, artist, _ in credits if per_track[track]["listens"]}),
        top_tracks=favourites(tracks_by_listens, key="track_id", items=tracks, first=first_tracks),
        top_tracks_by_minutes=favourites(tracks_by_minutes, key="track_id", items=tracks, first=first_tracks),
        top_artists=favourites(artists_by_listens, key="artist", items=artists, first=first_artists),
        top_artists_by_minutes=favourites(
            artists_by_minutes, key="artist", items=artists, first=first_artists
        ),
        genres=genres,
        moods=moods,
    )


def _minutes(ms: int | None) -> int:
    return round((ms or 0) / 60_000)


def _months(plays: QuerySet[Play], *, year: int) -> list[RecapMonth]:
    """Twelve months, January first, an empty one with zeros; one query."""
    rows = {
        row["month"]: row
        for row in plays.annotate(month=_month_of_year(year))
        .values("month")
        .annotate(
            listens=Count("pk", filter=LISTEN),
            skips=Count("pk", filter=~LISTEN),
            ms=Sum(PLAYED_MS),
            estimated=Count("pk", filter=Q(ms_played__isnull=True)),
        )
    }
    return [
        RecapMonth(
            month=date(year, month, 1),
            listens=rows.get(month, {}).get("listens", 0),
            skips=rows.get(month, {}).get("skips", 0),
            minutes=_minutes(rows.get(month, {}).get("ms")),
            estimated=rows.get(month, {}).get("estimated", 0),
        )
        for month in range(1, 13)
    ]


def _days_listened(plays: QuerySet[Play], *, year: int) -> list[date]:
    """The days of `year` with at least one listen, in order; one query (≤ 366 rows)."""
    first = date(year, 1, 1)
    days = [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]
    numbers = (
        plays.filter(LISTEN)
        .annotate(day=_bucket([_local_midnight(day) for day in days]))
        .order_by("day")
        .values_list("day", flat=True)
        .distinct()
    )
    return [days[number] for number in numbers]


def _top(rows: Iterable[dict], *, order: str, key: str) -> list[dict]:
    """The TOP_SHOWN rows with at least one listen, by `order`, then the other measure, then id."""
    other = "ms" if order == "listens" else "listens"
    played = (row for row in rows if row["listens"] > 0)
    return heapq.nsmallest(TOP_SHOWN, played, key=lambda row: (-row[order], -row[other], row[key]))


def _tracks(track_ids: Iterable[str]) -> dict[str, Track]:
    """The tracks with album and credited artists; two queries."""
    credits = TrackArtist.objects.select_related("artist").order_by("position")
    tracks = (
        Track.objects.filter(pk__in=set(track_ids))
        .select_related("album")
        .prefetch_related(Prefetch("credits", queryset=credits))
    )
    return {track.pk: track for track in tracks}


def _breakdowns(
    month_tracks: list[tuple[int, str, int]],
    *,
    analyses: dict[str, tuple[str, tuple[str, ...]]],
    credits: list[tuple[str, str, list]],
) -> tuple[Breakdown, Breakdown]:
    """Genres and moods by month. Genres come from the song analyses when any listened track has
    some; else from Spotify's artist genres (deprecated by Spotify, so often empty)."""
    analysed_genres = {track_id: genres for track_id, (_, genres) in analyses.items() if genres}
    if analysed_genres:
        source, track_genres = "analyses", analysed_genres
    else:
        spotify: dict[str, set[str]] = defaultdict(set)
        for track_id, _, genres in credits:
            spotify[track_id].update(genre for genre in genres or () if genre)
        track_genres = {track_id: tuple(sorted(genres)) for track_id, genres in spotify.items() if genres}
        source = "spotify" if track_genres else ""
    track_moods = {track_id: (mood,) for track_id, (mood, _) in analyses.items() if mood}
    genres = _breakdown(month_tracks, labels=track_genres, source=source, shown=GENRES_SHOWN)
    moods = _breakdown(
        month_tracks, labels=track_moods, source="analyses" if track_moods else "", shown=len(MOODS)
    )
    # Moods in the vocabulary's order, so each keeps its place (and colour) from month to month.
    moods.rows.sort(key=lambda row: MOODS.index(row.label) if row.label in MOODS else len(MOODS))
    return genres, moods


def _breakdown(
    month_tracks: list[tuple[int, str, int]], *, labels: dict[str, tuple[str, ...]], source: str, shown: int
) -> Breakdown:
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
    covered = listens = 0
    for month, track_id, n in month_tracks:
        listens += n
        if track_id in labels:
            covered += n
            for label in labels[track_id]:
                counts[label][month - 1] += n
    totals = Counter({label: sum(row) for label, row in counts.items()})
    ranked = [label for label, _ in sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))]
    rows = [LabelRow(label=label, counts=counts[label], total=totals[label]) for label in ranked[:shown]]
    rest = ranked[shown:]
    other = None
    if rest:
        summed = [sum(counts[label][month] for label in rest) for month in range(12)]
        other = LabelRow(label=f"{len(rest)} more", counts=summed, total=sum(summed))
    return Breakdown(source=source, rows=rows, other=other, covered=covered, listens=listens)


def longest_streak(days: list[date]) -> Streak:
    """The longest run of consecutive days in `days` (sorted, distinct); the earliest such run."""
    best = Streak(days=0, first=None, last=None)
    run_start = previous = None
    for day in days:
        if previous is None or day - previous != timedelta(days=1):
            run_start = day
        previous = day
        length = (day - run_start).days + 1
        if length > best.days:
            best = Streak(days=length, first=run_start, last=day)
    return best
