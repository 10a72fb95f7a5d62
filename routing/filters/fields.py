"""The fields a filter document can use today, each declared once, in the editor's order.

Decisions worth knowing (tests/routing/test_filters.py pins each one):

- genre: a filter term matches a genre when the term's words appear in the genre as a
  run of whole words, case- and accent-insensitive, with punctuation and hyphens
  separating words. So "rock" matches "rock", "indie rock", "rock and roll" and
  "post-rock", but not "krautrock" or "rockabilly"; "hip hop" matches "hip-hop" and
  "southern hip hop"; "indie rock" does not match "indie" or "rock". A track matches
  ``any_of`` when any of its genres matches, and passes ``none_of`` when none does: a track
  with no known genres never matches ``any_of`` and never blocks ``none_of``.
- genre sources: a track's genres are its credited artists' genres on Spotify; where Spotify
  gives none for any of them (Spotify deprecated artist genres in February 2026), the genres
  of the track's song analysis stand in. The two are never mixed for one track, so a
  listener can tell where a match came from (``genre_source``; the editor counts by it).
- release_year, duration, popularity: ``between`` takes ``{"min", "max"}``, both inclusive,
  either one null for an open bound. A track whose value is unknown (no album year, no
  popularity) never matches, whatever the bounds.
- duration is in whole seconds, as the listener reads m:ss; a track counts by its whole
  seconds (milliseconds dropped), so ``max: 240`` keeps a 4:00.9 track. Up to an hour;
  for longer tracks give only a minimum.
- keyword: a case- and accent-insensitive substring of the track name or of any credited
  artist's name.
- added_within_days: added to the base at most N days before the route run (``now``); an
  item whose added_at is unknown never matches.
- popularity: Extended-mode apps only; Spotify gives Development-mode apps none.
- plays ``at_least``: the base's listener played the track at least N times, counted from
  the play history Linernotes keeps (insights' Play rows, one aggregate query per route), so
  plays before Linernotes began polling do not count. Offered in both modes; it is what
  Development-mode apps have instead of popularity.

To add a field, see the example in routing/filters/registry.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from routing.filters import values
from routing.filters.facts import EXTENDED, Metadata, TrackFacts
from routing.filters.registry import (
    REGISTRY,
    EvalContext,
    FieldSpec,
    Operator,
    Predicate,
    Widget,
    WidgetType,
    register_all,
)

YEAR_LOW, YEAR_HIGH = 1900, 2100
DURATION_HIGH_SECONDS = 3600
DAYS_HIGH = 3650
PLAYS_HIGH = 100_000
POPULARITY_UNAVAILABLE = (
    "Popularity is not available to Development-mode Spotify apps (February 2026); "
    "filter on how often you played a track (“Played”) instead."
)
# Where a track's genres came from (genre_source).
SPOTIFY_GENRES = "spotify"
ANALYSIS_GENRES = "analysis"
NO_GENRES = "none"
COMMON_GENRES = (
    "rock", "pop", "hip hop", "r&b", "soul", "jazz", "blues", "classical", "electronic",
    "house", "techno", "metal", "punk", "folk", "country", "indie", "reggae", "latin",
)  # fmt: skip


# --- genre ------------------------------------------------------------------------------------
def genre_matches(*, term: str, genre: str) -> bool:
    """Whether a filter term matches one genre label (the rule in this module's docstring)."""
    needle, haystack = values.words(term), values.words(genre)
    size = len(needle)
    return size > 0 and any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


def genre_source(facts: TrackFacts) -> tuple[str | None, tuple[str, ...]]:
    """The genres the genre filter reads for a track, and where they came from.

    Spotify's artist genres when any credited artist has some; else the song analysis'
    genres (older analyses have none); else (None, ()).
    """
    spotify = tuple(genre for artist in facts.artists for genre in artist.genres)
    if spotify:
        return SPOTIFY_GENRES, spotify
    analysis = facts.extras.get(Metadata.SONG_ANALYSIS)
    analysed = tuple(analysis.get("genres") or ()) if analysis else ()
    if analysed:
        return ANALYSIS_GENRES, analysed
    return None, ()


def genre_source_counts(facts: Iterable[TrackFacts]) -> dict[str, int]:
    """How many of these tracks have their genres from Spotify, from the song analysis, or none
    (key "none"): what the editor shows beside a genre filter's count."""
    counts = {SPOTIFY_GENRES: 0, ANALYSIS_GENRES: 0, NO_GENRES: 0}
    for track in facts:
        counts[genre_source(track)[0] or NO_GENRES] += 1
    return counts


def _genre_test(terms: list[str]) -> Callable[[TrackFacts], bool]:
    # A base repeats the same few hundred genres across thousands of tracks: decide each once.
    decided: dict[str, bool] = {}

    def matches(genre: str) -> bool:
        if genre not in decided:
            decided[genre] = any(genre_matches(term=term, genre=genre) for term in terms)
        return decided[genre]

    return lambda facts: any(matches(genre) for genre in genre_source(facts)[1])


def _genre_any_of(terms: list[str], context: EvalContext) -> Predicate:
    return _genre_test(terms)


def _genre_none_of(terms: list[str], context: EvalContext) -> Predicate:
    test = _genre_test(terms)
    return lambda facts: not test(facts)


# --- ranges -----------------------------------------------------------------------------------
def _between(read: Callable[[TrackFacts], int | None]) -> Callable[[dict, EvalContext], Predicate]:
    def build(bounds: dict, context: EvalContext) -> Predicate:
        low, high = bounds["min"], bounds["max"]

        def predicate(facts: TrackFacts) -> bool:
            number = read(facts)
            if number is None:
                return False
            return (low is None or number >= low) and (high is None or number <= high)

        return predicate

    return build


# --- the rest ---------------------------------------------------------------------------------
def _explicit_is(expected: bool, context: EvalContext) -> Predicate:
    return lambda facts: facts.explicit is expected


def _artist_in(ids: list[str], context: EvalContext) -> Predicate:
    wanted = frozenset(ids)
    return lambda facts: any(artist.spotify_id in wanted for artist in facts.artists)


def _artist_not_in(ids: list[str], context: EvalContext) -> Predicate:
    test = _artist_in(ids, context)
    return lambda facts: not test(facts)


def _plays_at_least(times: int, context: EvalContext) -> Predicate:
    return lambda facts: facts.extras.get(Metadata.PLAYS, 0) >= times


def _keyword_contains(keyword: str, context: EvalContext) -> Predicate:
    needle = values.fold(keyword)
    return lambda facts: any(needle in values.fold(name) for name in (facts.name, *facts.artist_names))


def _added_within(days: int, context: EvalContext) -> Predicate:
    cutoff = context.now - timedelta(days=days)
    return lambda facts: facts.added_at is not None and facts.added_at >= cutoff


# --- what a track has, in words (routing.filters.explain shows it beside each condition) -------
def _quoted(items) -> str:
    return ", ".join(f"“{item}”" for item in items)


def _observe_genre(facts: TrackFacts, terms: list[str]) -> str:
    source, genres = genre_source(facts)
    if source is None:
        return (
            "no genres are known for this track "
            "(Spotify gives its artists none and no song analysis names any)"
        )
    where = "from Spotify's artist genres" if source == SPOTIFY_GENRES else "from the song analysis"
    hits = [g for g in dict.fromkeys(genres) if any(genre_matches(term=t, genre=g) for t in terms)]
    if hits:
        return f"its genres include {_quoted(hits)} ({where})"
    return f"its genres are {_quoted(dict.fromkeys(genres))} ({where})"


def _observe_year(facts: TrackFacts, bounds: dict) -> str:
    if facts.release_year is None:
        return "its release year is not known, so a year range cannot match"
    return f"released in {facts.release_year}"


def _observe_duration(facts: TrackFacts, bounds: dict) -> str:
    seconds = facts.duration_ms // 1000
    return f"it lasts {seconds // 60}:{seconds % 60:02d}"


def _observe_explicit(facts: TrackFacts, expected: bool) -> str:
    return f"Spotify {'marks' if facts.explicit else 'does not mark'} the track explicit"


def _observe_artists(facts: TrackFacts, ids: list[str]) -> str:
    if not facts.artists:
        return "no credited artists are known"
    return f"by {', '.join(facts.artist_names)}"


def _observe_keyword(facts: TrackFacts, keyword: str) -> str:
    return f"“{facts.name}” by {', '.join(facts.artist_names) or 'no credited artist'}"


def _observe_added(facts: TrackFacts, days: int) -> str:
    if facts.added_at is None:
        return "Spotify did not say when it was added to the base, so it cannot match"
    return f"added to the base on {facts.added_at.date().isoformat()}"


def _observe_popularity(facts: TrackFacts, bounds: dict) -> str:
    if facts.popularity is None:
        return "its popularity is not known, so a popularity range cannot match"
    return f"its popularity is {facts.popularity}"


def _observe_plays(facts: TrackFacts, times: int) -> str:
    played = facts.extras.get(Metadata.PLAYS, 0)
    if not played:
        return "you never played it (as far as the history Linernotes keeps goes)"
    return f"you played it {played} time{'' if played == 1 else 's'}"


BUILTIN_FIELDS = (
    FieldSpec(
        name="genre",
        observe=_observe_genre,
        label="Genre",
        help_text=(
            "Genres of the track's artists on Spotify, or of the song analysis where Spotify gives "
            "none. “rock” also matches “indie rock”, not “krautrock”."
        ),
        operators=(
            Operator("any_of", "is any of", values.term_list(what="genre", plural="genres"), _genre_any_of),
            Operator(
                "none_of", "is none of", values.term_list(what="genre", plural="genres"), _genre_none_of
            ),
        ),
        widget=Widget(type=WidgetType.MULTI_SELECT, suggestions=COMMON_GENRES, source="genres"),
        needs=frozenset({Metadata.ARTIST_GENRES, Metadata.SONG_ANALYSIS}),
    ),
    FieldSpec(
        name="release_year",
        observe=_observe_year,
        label="Release year",
        help_text="The year the track's album came out. Leave a bound empty for an open range.",
        operators=(
            Operator(
                "between",
                "is between",
                values.int_range(noun="year", low=YEAR_LOW, high=YEAR_HIGH),
                _between(lambda facts: facts.release_year),
            ),
        ),
        widget=Widget(type=WidgetType.RANGE, unit="year", min=YEAR_LOW, max=YEAR_HIGH, step=1),
        needs=frozenset({Metadata.RELEASE_YEAR}),
    ),
    FieldSpec(
        name="duration",
        observe=_observe_duration,
        label="Duration",
        help_text="Length in seconds, bounds included. Leave a bound empty for an open range.",
        operators=(
            Operator(
                "between",
                "is between",
                values.int_range(noun="duration", low=0, high=DURATION_HIGH_SECONDS, unit="seconds"),
                _between(lambda facts: facts.duration_ms // 1000),
            ),
        ),
        widget=Widget(type=WidgetType.RANGE, unit="seconds", min=0, max=DURATION_HIGH_SECONDS, step=1),
    ),
    FieldSpec(
        name="explicit",
        observe=_observe_explicit,
        label="Explicit",
        help_text="Whether Spotify marks the track explicit.",
        operators=(Operator("is", "is", values.boolean(noun="explicit"), _explicit_is),),
        widget=Widget(type=WidgetType.BOOLEAN),
    ),
    FieldSpec(
        name="artist",
        observe=_observe_artists,
        label="Artist",
        help_text="Any credited artist of the track, featured artists included.",
        operators=(
            Operator("in", "is any of", values.spotify_id_list(what="artist", plural="artists"), _artist_in),
            Operator(
                "not_in",
                "is none of",
                values.spotify_id_list(what="artist", plural="artists"),
                _artist_not_in,
            ),
        ),
        widget=Widget(type=WidgetType.MULTI_SELECT, source="artists"),
    ),
    FieldSpec(
        name="keyword",
        observe=_observe_keyword,
        label="Keyword",
        help_text="Text in the track's name or an artist's name; case and accents are ignored.",
        operators=(Operator("contains", "contains", values.text(noun="keyword"), _keyword_contains),),
        widget=Widget(type=WidgetType.TEXT, placeholder="live, remix, acoustic…"),
    ),
    FieldSpec(
        name="added_within_days",
        observe=_observe_added,
        label="Added to the base",
        help_text="Added to the base playlist within the last N days.",
        operators=(
            Operator(
                "within",
                "within the last",
                values.whole_number(noun="number of days", low=1, high=DAYS_HIGH),
                _added_within,
            ),
        ),
        widget=Widget(type=WidgetType.NUMBER, unit="days", min=1, max=DAYS_HIGH, step=1),
        needs=frozenset({Metadata.ADDED_AT}),
    ),
    FieldSpec(
        name="popularity",
        observe=_observe_popularity,
        label="Popularity",
        help_text="Spotify's popularity score, 0 to 100, bounds included.",
        operators=(
            Operator(
                "between",
                "is between",
                values.int_range(noun="popularity", low=0, high=100),
                _between(lambda facts: facts.popularity),
            ),
        ),
        widget=Widget(type=WidgetType.RANGE, min=0, max=100, step=1),
        needs=frozenset({Metadata.POPULARITY}),
        modes=frozenset({EXTENDED}),
        unavailable_message=POPULARITY_UNAVAILABLE,
    ),
    FieldSpec(
        name="plays",
        observe=_observe_plays,
        label="Played",
        help_text=(
            "How often you played the track, from the listening history Linernotes keeps "
            "(plays before it began polling do not count)."
        ),
        operators=(
            Operator(
                "at_least",
                "at least",
                values.whole_number(noun="number of plays", low=1, high=PLAYS_HIGH, unit="times"),
                _plays_at_least,
            ),
        ),
        widget=Widget(type=WidgetType.NUMBER, unit="times", min=1, max=PLAYS_HIGH, step=1),
        needs=frozenset({Metadata.PLAYS}),
    ),
)

register_all(REGISTRY, BUILTIN_FIELDS)
