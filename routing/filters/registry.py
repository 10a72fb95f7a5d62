"""The filter registry: every field a filter document may use, each declared in one place.

A field is one ``FieldSpec``: its name and label, its operators (each with the value it
takes, how that value is validated and normalised, and how it is evaluated against a
``TrackFacts``), the editor widget that edits it, the metadata it needs loaded, and the
Spotify app modes it is available in. Validation, evaluation, the editor's field list and
``needed_metadata`` all read the spec, so adding a field touches nothing else.

Adding a field is one ``register`` call; routing/filters/analysis_fields.py (mood, themes,
content rating) is the real example. In short, a field reading an LLM analysis that the
route service loads into ``TrackFacts.extras["song_analysis"]``::

    REGISTRY.register(
        FieldSpec(
            name="mood",
            label="Mood",
            help_text="The mood an analysis of the song found.",
            operators=(
                Operator(
                    name="any_of",
                    label="is any of",
                    parse=term_list(what="mood", plural="moods"),
                    build=lambda moods, context: (
                        lambda facts: (facts.extras.get("song_analysis") or {}).get("mood") in moods
                    ),
                ),
            ),
            widget=Widget(type=WidgetType.MULTI_SELECT, suggestions=("calm", "happy", "sad")),
            needs=frozenset({"song_analysis"}),
        )
    )

The route service must then know how to load "song_analysis" (it loads per metadata
name, in routing.services.route `_facts`); tests/routing/test_filters.py registers such a field
in a copy of the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from routing.filters.facts import ALL_MODES, TrackFacts

Predicate = Callable[[TrackFacts], bool]
# What a track has for a field, in words, given the condition's value: "released in 2014".
Observer = Callable[[TrackFacts, Any], str]


class ValueInvalid(Exception):
    """Raised by an operator's ``parse``: the value is refused, with messages for people."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True, slots=True)
class EvalContext:
    """What evaluation may depend on besides the track: one clock for a whole route run."""

    now: datetime


class WidgetType:
    MULTI_SELECT = "multi-select"
    SELECT = "select"  # one of `suggestions`
    RANGE = "range"
    BOOLEAN = "boolean"
    TEXT = "text"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Widget:
    """How the editor edits a field's value; served as a dict by the API and the page."""

    type: str
    unit: str | None = None  # the unit of the value as stored and sent: "seconds", "days", "year"
    min: int | None = None
    max: int | None = None
    step: int | None = None
    suggestions: tuple[str, ...] = ()
    # Where the editor can look up choices in the user's own library ("genres", "artists").
    source: str | None = None
    placeholder: str = ""

    def to_dict(self) -> dict[str, Any]:
        described: dict[str, Any] = {"type": self.type}
        for name in ("unit", "min", "max", "step", "source"):
            if getattr(self, name) is not None:
                described[name] = getattr(self, name)
        if self.suggestions:
            described["suggestions"] = list(self.suggestions)
        if self.placeholder:
            described["placeholder"] = self.placeholder
        return described


@dataclass(frozen=True, slots=True)
class Operator:
    """One operator of a field.

    ``parse`` takes the raw JSON value and returns its normalised JSON form (what is stored),
    or raises ValueInvalid. ``build`` takes that normalised value once per route run and
    returns the predicate evaluated for every track, so per-track work stays small.
    """

    name: str
    label: str
    parse: Callable[[Any], Any]
    build: Callable[[Any, EvalContext], Predicate]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str
    operators: tuple[Operator, ...]
    widget: Widget
    help_text: str = ""
    # Metadata (facts.Metadata names) the route service must load for this field.
    needs: frozenset[str] = frozenset()
    modes: frozenset[str] = ALL_MODES
    # Shown when a document uses the field in a mode that does not offer it.
    unavailable_message: str = ""
    # Says what the track has for this field, so "why is this track here" can show it beside
    # the condition; the verdict itself always comes from the operator's predicate.
    observe: Observer | None = None

    def operator(self, name: str) -> Operator | None:
        return next((op for op in self.operators if op.name == name), None)

    @property
    def operator_names(self) -> list[str]:
        return [op.name for op in self.operators]

    def available_in(self, mode: str) -> bool:
        return mode in self.modes

    def describe(self) -> dict[str, Any]:
        """The field as the editor and the API present it."""
        return {
            "name": self.name,
            "label": self.label,
            "help_text": self.help_text,
            "operators": [{"name": op.name, "label": op.label} for op in self.operators],
            "widget": self.widget.to_dict(),
            "needs": sorted(self.needs),
            "modes": sorted(self.modes),
        }


@dataclass
class FieldRegistry:
    """Fields by name, in the order they were registered (the editor's order)."""

    _fields: dict[str, FieldSpec] = field(default_factory=dict)

    def register(self, spec: FieldSpec) -> FieldSpec:
        if spec.name in self._fields:
            raise ValueError(f"A filter field named {spec.name!r} is already registered.")
        if not spec.operators:
            raise ValueError(f"The filter field {spec.name!r} has no operators.")
        unknown_modes = spec.modes - ALL_MODES
        if unknown_modes:
            raise ValueError(f"The filter field {spec.name!r} names unknown modes: {sorted(unknown_modes)}.")
        self._fields[spec.name] = spec
        return spec

    def get(self, name: str) -> FieldSpec | None:
        return self._fields.get(name)

    def names(self) -> list[str]:
        return list(self._fields)

    def all(self) -> list[FieldSpec]:
        return list(self._fields.values())

    def available(self, *, mode: str) -> list[FieldSpec]:
        check_mode(mode)
        return [spec for spec in self._fields.values() if spec.available_in(mode)]

    def copy(self) -> FieldRegistry:
        """A registry with the same fields, to extend without changing this one (tests)."""
        return FieldRegistry(dict(self._fields))


def check_mode(mode: str) -> str:
    if mode not in ALL_MODES:
        raise ValueError(f"Unknown Spotify app mode {mode!r}; expected one of {sorted(ALL_MODES)}.")
    return mode


def register_all(registry: FieldRegistry, specs: Iterable[FieldSpec]) -> None:
    for spec in specs:
        registry.register(spec)


# The registry every caller uses unless told otherwise; routing.filters.fields fills it.
REGISTRY = FieldRegistry()

__all__: Sequence[str] = [
    "REGISTRY",
    "EvalContext",
    "FieldRegistry",
    "FieldSpec",
    "Observer",
    "Operator",
    "Predicate",
    "ValueInvalid",
    "Widget",
    "WidgetType",
    "check_mode",
]
