"""Filters that decide which of a base playlist's tracks each child playlist gets.

Public API (all pure: no database, no Spotify):

- ``validate_filters(document, *, mode) -> FilterDocument`` (raises FilterValidationError)
- ``FilterDocument.to_dict()`` (the normalised document to store), ``.matches(facts)``,
  ``.compile(now=...)``, ``.needed_metadata``
- ``compile_filters(document, *, now=None) -> Callable[[TrackFacts], bool]``
- ``needed_metadata(document) -> set[str]`` (names in ``Metadata``)
- ``available_fields(*, mode) -> list[FieldSpec]``, ``describe_fields(*, mode) -> list[dict]``
- ``route_tracks(*, facts, children, first_match_only, now=None) -> dict[key, list[track_id]]``
- ``describe_problems(error, *, document) -> list[FilterProblem]``: a refusal in listener words
- ``explain(document, facts, *, now=None) -> Explanation`` (``Explainer`` for many tracks): which
  conditions took or refused a track, in words; its verdict is routing's own

Fields live in one place each (routing/filters/fields.py); registry.py shows how to add one.
"""

from routing.filters import analysis_fields as _analysis_fields  # noqa: F401 - mood, themes, content rating
from routing.filters import fields as _builtin_fields  # noqa: F401 - registers the built-in fields
from routing.filters.document import (
    MATCH_ALL,
    MATCH_ANY,
    MAX_CONDITIONS,
    Condition,
    FilterDocument,
    FilterValidationError,
    Group,
    available_fields,
    compile_filters,
    describe_fields,
    empty_document,
    needed_metadata,
    validate_filters,
)
from routing.filters.facts import ALL_MODES, DEVELOPMENT, EXTENDED, ArtistFacts, Metadata, TrackFacts
from routing.filters.fields import (
    ANALYSIS_GENRES,
    POPULARITY_UNAVAILABLE,
    SPOTIFY_GENRES,
    NO_GENRES,
    genre_matches,
    genre_source,
    genre_source_counts,
)
from routing.filters.registry import (
    REGISTRY,
    FieldRegistry,
    FieldSpec,
    Operator,
    ValueInvalid,
    Widget,
    WidgetType,
)
from routing.filters.explain import Explainer, Explanation, Verdict, condition_words, explain
from routing.filters.routing import route_tracks
from routing.filters.wording import FilterProblem, describe_problems

__all__ = [
    "ALL_MODES",
    "ANALYSIS_GENRES",
    "DEVELOPMENT",
    "EXTENDED",
    "MATCH_ALL",
    "MATCH_ANY",
    "MAX_CONDITIONS",
    "NO_GENRES",
    "POPULARITY_UNAVAILABLE",
    "REGISTRY",
    "SPOTIFY_GENRES",
    "ArtistFacts",
    "Condition",
    "Explainer",
    "Explanation",
    "FieldRegistry",
    "FieldSpec",
    "FilterDocument",
    "FilterProblem",
    "FilterValidationError",
    "Group",
    "Metadata",
    "Operator",
    "TrackFacts",
    "ValueInvalid",
    "Verdict",
    "Widget",
    "WidgetType",
    "available_fields",
    "compile_filters",
    "condition_words",
    "describe_problems",
    "describe_fields",
    "empty_document",
    "explain",
    "genre_matches",
    "genre_source",
    "genre_source_counts",
    "needed_metadata",
    "route_tracks",
    "validate_filters",
]
