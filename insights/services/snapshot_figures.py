"""The arithmetic of a listening snapshot: pure functions over plain values, no database.

Definitions (the page and the API say the same):
- Genre distribution: over the top artists, each artist's distinct genres count once
  (an artist tagged "pop" and "dance pop" adds one to each); a genre's share is its count
  over the sum of counts, so the shares sum to 1. Artists with no genres are left out.
- Decade distribution: top tracks by their album's release year ("1990s"); tracks with no
  year are left out; shares of the tracks with a year.
- Explicit share: explicit top tracks over all top tracks.
- Most played artists: every artist credited on a stored play in the window, each play
  counting once per distinct artist on its track; Spotify's top artists list plays no part
  (its rank is only shown beside an artist it lists).
- Hour of day / weekday × hour: play counts in the configured time zone, Monday first.
- Mood distribution: each mood's share of the tracks that have one; energy mean likewise.
- Diversity: normalised Shannon entropy H / ln k, with H = -Σ p ln p over the k categories
  present (share > 0). 1 is an even spread, 0 a single category; None when there is
  nothing to measure.

Means and entropies use math.fsum, so the result does not depend on the order of the inputs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

# Spotify's audio features that we average (key, mode, loudness... are not on a 0–1 or
# comparable scale, so their mean says little).
AUDIO_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "valence",
    "tempo",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
)


def shares(counts: Mapping[str, int]) -> dict[str, float]:
    """{key: count / total} for the positive counts, largest first (ties by key)."""
    total = sum(count for count in counts.values() if count > 0)
    if not total:
        return {}
    ordered = sorted(
        ((key, count) for key, count in counts.items() if count > 0), key=lambda kv: (-kv[1], kv[0])
    )
    return {key: count / total for key, count in ordered}


def genre_distribution(artist_genres: Iterable[Iterable[str]]) -> dict[str, float]:
    """Shares of genres over artists, each artist's distinct genres counted once."""
    counts: Counter[str] = Counter()
    for genres in artist_genres:
        counts.update({genre for genre in genres if genre})
    return shares(counts)


def decade_label(year: int) -> str:
    return f"{year // 10 * 10}s"


def decade_distribution(release_years: Iterable[int | None]) -> dict[str, float]:
    """Shares of decades over the tracks with a known release year."""
    return shares(Counter(decade_label(year) for year in release_years if year))


def release_year(release_date: str | None) -> int | None:
    """The year of a Spotify release date ("1994", "1994-03" or "1994-03-01"); None if unknown."""
    year = (release_date or "")[:4]
    # Spotify sends "0000" for a few old releases: no year rather than year 0.
    return int(year) if year.isdigit() and int(year) > 0 else None


def explicit_share(explicit_flags: Sequence[bool]) -> float | None:
    if not explicit_flags:
        return None
    return sum(1 for flag in explicit_flags if flag) / len(explicit_flags)


def hour_of_day(played_at: Iterable[datetime], *, tz: tzinfo) -> list[int]:
    """24 counts: plays per local hour (0 = midnight to 1 am) in `tz`."""
    hours = [0] * 24
    for moment in played_at:
        hours[moment.astimezone(tz).hour] += 1
    return hours


def weekday_hours(played_at: Iterable[datetime], *, tz: tzinfo) -> list[list[int]]:
    """7 rows (Monday first) of 24 counts: plays per local weekday and hour in `tz`."""
    grid = [[0] * 24 for _ in range(7)]
    for moment in played_at:
        local = moment.astimezone(tz)
        grid[local.weekday()][local.hour] += 1
    return grid


def mood_distribution(moods: Iterable[str]) -> dict[str, float]:
    return shares(Counter(mood for mood in moods if mood))


def mean(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    if not present:
        return None
    return math.fsum(present) / len(present)


def audio_feature_means(features: Iterable[Mapping[str, float | None] | None]) -> dict[str, float] | None:
    """The mean of each of AUDIO_FEATURES over the tracks Spotify described (it answers null
    for a track it has no features for); None when it described none."""
    rows = [row for row in features if row]
    if not rows:
        return None
    means = {name: mean(row.get(name) for row in rows) for name in AUDIO_FEATURES}
    return {name: value for name, value in means.items() if value is not None}


def feature_mood(*, valence: float, energy: float) -> str:
    """A mood from Spotify's valence and energy, by the quadrants of Russell's circumplex:
    pleasant and aroused → happy, pleasant and calm → calm, unpleasant and aroused → tense,
    unpleasant and calm → sad. Every answer is a word of analysis.vocabulary.MOODS."""
    if valence >= 0.5:
        return "happy" if energy >= 0.5 else "calm"
    return "tense" if energy >= 0.5 else "sad"


def normalised_entropy(distribution: Mapping[str, float] | Iterable[float]) -> float | None:
    """H / ln k over the k categories with a positive weight (weights need not sum to 1).

    None when there is nothing to measure, 0 for a single category, 1 for an even spread.
    """
    values = distribution.values() if isinstance(distribution, Mapping) else distribution
    weights = [value for value in values if value > 0]
    if not weights:
        return None
    if len(weights) == 1:
        return 0.0
    total = math.fsum(weights)
    entropy = -math.fsum((w / total) * math.log(w / total) for w in weights)
    # Rounding can take an even spread a hair past 1.
    return min(1.0, entropy / math.log(len(weights)))


def artist_play_counts(
    played_track_ids: Iterable[str], *, credits: Mapping[str, Sequence[str]]
) -> Counter[str]:
    """Plays per artist: a play counts once for each distinct artist credited on its track."""
    counts: Counter[str] = Counter()
    for track_id in played_track_ids:
        counts.update(set(credits.get(track_id, ())))
    return counts


def played_artists(artist_plays: Mapping[str, int], *, spotify_order: Sequence[str]) -> list[dict[str, Any]]:
    """[{"id", "plays"}] of every artist with a play, most played first; a tie goes to the one
    Spotify ranks higher, then by id (so the order never depends on the input's)."""
    rank = {artist_id: place for place, artist_id in enumerate(spotify_order)}
    played = [(artist_id, plays) for artist_id, plays in artist_plays.items() if plays > 0]
    played.sort(key=lambda pair: (-pair[1], rank.get(pair[0], len(rank)), pair[0]))
    return [{"id": artist_id, "plays": plays} for artist_id, plays in played]


def artists_by_plays(*, played: Iterable[Mapping], ranked: Iterable[Mapping]) -> list[dict[str, Any]]:
    """The range's most played artists, most first: `played` (snapshot.played_artists, counted
    over every stored play in the window) with Spotify's rank from `ranked` (snapshot.top_artists)
    where Spotify lists the artist, else None. The Insights page's chart, the LLM prompt's "most
    played artists" and the check of the written answer all read this, so they name one leader."""
    ranks = {
        entry["id"]: entry.get("rank")
        for entry in ranked
        if isinstance(entry, Mapping) and entry.get("id")
    }
    return [
        {"id": entry["id"], "plays": entry["plays"], "rank": ranks.get(entry["id"])}
        for entry in played
        if isinstance(entry, Mapping) and entry.get("id") and entry.get("plays")
    ]
