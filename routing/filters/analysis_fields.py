"""Filter fields that read a song's LLM analysis: mood, themes and content rating.

They need Metadata.SONG_ANALYSIS: the route service puts the track's analysis under the
current prompt version, as a plain dict (see analysis.selectors.analysis_facts), into
``TrackFacts.extras["song_analysis"]``; None when the track has none yet.

Decisions (tests/routing/test_analysis_filters.py pins each one):
- A track without an analysis matches no condition on these fields: a song nobody has
  judged yet is neither "happy" nor "at most mild".
- mood ``any_of``: one of the analysis vocabulary's moods (analysis.vocabulary.MOODS).
- themes ``any_of``: free terms matched against the analysis' themes like genres are
  (routing.filters.fields.genre_matches): whole words, case- and accent-insensitive, so
  "love" matches "lost love" but not "lovely".
- content_rating ``at_most`` (clean < mild < explicit) and ``is``. A track Spotify marks explicit
  is explicit here whatever its analysis says (analysis.vocabulary.rating_of): the analysis stores
  it so, and the filter reads the track's flag again, so a track Spotify marked explicit after it
  was analysed never reaches a "clean" child either.
"""

from __future__ import annotations

from typing import Any

from analysis.vocabulary import CONTENT_RATINGS, MOODS, rating_of, rating_rank
from routing.filters import values
from routing.filters.facts import Metadata, TrackFacts
from routing.filters.fields import genre_matches
from routing.filters.registry import (
    REGISTRY,
    EvalContext,
    FieldSpec,
    Operator,
    Predicate,
    ValueInvalid,
    Widget,
    WidgetType,
    register_all,
)

COMMON_THEMES = ("love", "heartbreak", "nostalgia", "party", "freedom", "loss", "night", "home")


def _analysis(facts: TrackFacts) -> dict[str, Any] | None:
    return facts.extras.get(Metadata.SONG_ANALYSIS)


def _choice_list(*, what: str, plural: str, choices: tuple[str, ...]):
    terms = values.term_list(what=what, plural=plural)

    def parse(value: Any) -> list[str]:
        chosen = terms(value)
        unknown = [term for term in chosen if term not in choices]
        if unknown:
            raise ValueInvalid(
                *(f"“{term}” is not a {what} an analysis uses." for term in unknown),
                f"Choose from: {', '.join(choices)}.",
            )
        return chosen

    return parse


def _rating(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in CONTENT_RATINGS:
        raise ValueInvalid(f"Content rating must be one of: {', '.join(CONTENT_RATINGS)}.")
    return value.strip().lower()


def _mood_any_of(moods: list[str], context: EvalContext) -> Predicate:
    wanted = frozenset(moods)

    def predicate(facts: TrackFacts) -> bool:
        analysis = _analysis(facts)
        return analysis is not None and analysis["mood"] in wanted

    return predicate


def _themes_any_of(terms: list[str], context: EvalContext) -> Predicate:
    def predicate(facts: TrackFacts) -> bool:
        analysis = _analysis(facts)
        if analysis is None:
            return False
        return any(genre_matches(term=term, genre=theme) for theme in analysis["themes"] for term in terms)

    return predicate


def _content_rating(facts: TrackFacts) -> str | None:
    """The track's rating: its analysis', never below explicit for a Spotify-explicit track; None
    when it has no analysis."""
    analysis = _analysis(facts)
    if analysis is None:
        return None
    return rating_of(analysis["content_rating"], spotify_explicit=facts.explicit)


def _rating_at_most(rating: str, context: EvalContext) -> Predicate:
    ceiling = rating_rank(rating)

    def predicate(facts: TrackFacts) -> bool:
        found = _content_rating(facts)
        return found is not None and rating_rank(found) <= ceiling

    return predicate


def _rating_is(rating: str, context: EvalContext) -> Predicate:
    def predicate(facts: TrackFacts) -> bool:
        return _content_rating(facts) == rating

    return predicate


def _not_analysed(what: str) -> str:
    return f"no analysis yet for this track, so {what} conditions cannot match"


def _observe_mood(facts: TrackFacts, moods: list[str]) -> str:
    analysis = _analysis(facts)
    if analysis is None:
        return _not_analysed("mood")
    return f"its mood is “{analysis['mood']}” (from the song analysis)"


def _observe_themes(facts: TrackFacts, terms: list[str]) -> str:
    analysis = _analysis(facts)
    if analysis is None:
        return _not_analysed("theme")
    if not analysis["themes"]:
        return "the song analysis names no themes"
    themes = ", ".join(f"“{theme}”" for theme in analysis["themes"])
    return f"its themes are {themes} (from the song analysis)"


def _observe_rating(facts: TrackFacts, rating: str) -> str:
    found = _content_rating(facts)
    if found is None:
        return _not_analysed("content rating")
    analysis = _analysis(facts) or {}
    if found != analysis.get("content_rating") and facts.explicit:
        return f"it is rated {found}: Spotify marks it explicit, whatever the analysis says"
    return f"it is rated {found} (from the song analysis)"


NEEDS = frozenset({Metadata.SONG_ANALYSIS})

ANALYSIS_FIELDS = (
    FieldSpec(
        name="mood",
        observe=_observe_mood,
        label="Mood",
        help_text="The mood the song analysis found. Songs not analysed yet never match.",
        operators=(
            Operator(
                "any_of", "is any of", _choice_list(what="mood", plural="moods", choices=MOODS), _mood_any_of
            ),
        ),
        widget=Widget(type=WidgetType.MULTI_SELECT, suggestions=MOODS),
        needs=NEEDS,
    ),
    FieldSpec(
        name="themes",
        observe=_observe_themes,
        label="Themes",
        help_text="Themes of the lyrics; “love” also matches “lost love”. Songs not analysed yet never match.",
        operators=(
            Operator(
                "any_of", "include any of", values.term_list(what="theme", plural="themes"), _themes_any_of
            ),
        ),
        widget=Widget(type=WidgetType.MULTI_SELECT, suggestions=COMMON_THEMES),
        needs=NEEDS,
    ),
    FieldSpec(
        name="content_rating",
        observe=_observe_rating,
        label="Content rating",
        help_text="Clean, mild or explicit, from the song analysis. Songs not analysed yet never match.",
        operators=(
            Operator("at_most", "is at most", _rating, _rating_at_most),
            Operator("is", "is", _rating, _rating_is),
        ),
        widget=Widget(type=WidgetType.SELECT, suggestions=CONTENT_RATINGS),
        needs=NEEDS,
    ),
)

register_all(REGISTRY, ANALYSIS_FIELDS)
