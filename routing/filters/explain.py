"""Why a filter document takes a track or not, in words: "Genre is any of “indie”: its genres
include “indie pop” (from the song analysis)."

The verdicts are never worked out a second time: each condition's verdict is the predicate its
operator builds for routing (``Condition.compile``), and documents and groups combine them
with routing's own rule (``document.decide``). So ``explain(...).matched`` is exactly
``FilterDocument.matches(...)`` (tests/routing/test_filter_explain.py checks it on generated
tracks and documents); only the words beside the verdicts come from the fields' ``observe``.

Which conditions an explanation names: for a track a document takes, those that took it (all
of an "all", the first that matched of an "any"); for one it refuses, those that refused it
(the first that failed of an "all", every one of an "any").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from routing.filters.document import MATCH_ALL, Condition, FilterDocument, Group, _aware, decide
from routing.filters.facts import TrackFacts
from routing.filters.registry import REGISTRY, EvalContext, Predicate, WidgetType

EVERY_TRACK = "No filters: this child takes every song of its base."


@dataclass(frozen=True, slots=True)
class Verdict:
    """One condition against one track."""

    condition: str  # the condition in words: "release year is between 2010 and 2019"
    matched: bool
    found: str  # what the track has: "released in 2014"

    @property
    def sentence(self) -> str:
        said = _capital(self.condition)
        return f"{said}: {self.found}." if self.matched else f"{said} — not met: {self.found}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "condition": self.condition,
            "matched": self.matched,
            "found": self.found,
            "sentence": self.sentence,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    matched: bool
    reasons: tuple[Verdict, ...]  # the conditions that decided (module docstring); () for no filters

    @property
    def sentence(self) -> str:
        if not self.reasons:
            return EVERY_TRACK
        return " ".join(reason.sentence for reason in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "sentence": self.sentence,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


class Explainer:
    """A document compiled once for many tracks, as a route compiles it (one clock for all)."""

    def __init__(
        self,
        document: FilterDocument,
        *,
        now: datetime | None = None,
        artist_names: Mapping[str, str] | None = None,
    ) -> None:
        context = EvalContext(now=_aware(now))
        names = artist_names or {}
        self.document = document
        self._leaves: dict[int, tuple[Predicate, Condition, str]] = {}
        for item in document.conditions:
            for condition in item.conditions if isinstance(item, Group) else (item,):
                words = condition_words(condition.to_dict(), names)
                self._leaves[id(condition)] = (condition.compile(context), condition, words)

    def explain(self, facts: TrackFacts) -> Explanation:
        verdicts = [self._item(item, facts) for item in self.document.conditions]
        matched = decide(self.document.match, (ok for ok, _ in verdicts))
        chosen = _deciding(self.document.match, [ok for ok, _ in verdicts], matched=matched)
        return Explanation(
            matched=matched, reasons=tuple(reason for index in chosen for reason in verdicts[index][1])
        )

    def _item(self, item: Condition | Group, facts: TrackFacts) -> tuple[bool, list[Verdict]]:
        if isinstance(item, Group):
            inner = [self._leaf(condition, facts) for condition in item.conditions]
            matched = decide(item.match, (verdict.matched for verdict in inner))
            chosen = _deciding(item.match, [verdict.matched for verdict in inner], matched=matched)
            return matched, [inner[index] for index in chosen]
        verdict = self._leaf(item, facts)
        return verdict.matched, [verdict]

    def _leaf(self, condition: Condition, facts: TrackFacts) -> Verdict:
        predicate, _, words = self._leaves[id(condition)]
        matched = bool(predicate(facts))
        observe = condition.field.observe
        found = observe(facts, condition.value) if observe else ("it matches" if matched else "it does not")
        return Verdict(condition=words, matched=matched, found=found)


def explain(
    document: FilterDocument,
    facts: TrackFacts,
    *,
    now: datetime | None = None,
    artist_names: Mapping[str, str] | None = None,
) -> Explanation:
    """Whether ``document`` takes ``facts``, and which conditions decided it, in words."""
    return Explainer(document, now=now, artist_names=artist_names).explain(facts)


def _deciding(match: str, verdicts: Sequence[bool], *, matched: bool) -> list[int]:
    """The positions of the items that decided a combined verdict (module docstring)."""
    if match == MATCH_ALL:
        return list(range(len(verdicts))) if matched else [verdicts.index(False)]
    return [verdicts.index(True)] if matched else list(range(len(verdicts)))


# --- conditions in words (the pages' filter sentences use them too) -----------------------------
def condition_words(condition: dict[str, Any], names: Mapping[str, str]) -> str:
    """One stored condition in words: "release year is between 2010 and 2019"."""
    spec = REGISTRY.get(condition["field"])
    if spec is None:  # a field removed from the registry since the document was saved
        return f"{condition['field']} {condition['op']} {condition['value']}"
    operator = spec.operator(condition["op"])
    label = spec.label[:1].lower() + spec.label[1:]
    op_label = operator.label if operator else condition["op"]
    value, widget = condition["value"], spec.widget
    if widget.type == WidgetType.RANGE and isinstance(value, dict):
        return f"{label} {_range_words(value, unit=widget.unit)}"
    if widget.type == WidgetType.BOOLEAN:
        # "explicit is no" reads like a form field; say it about the track instead.
        return f"the track is {'' if value else 'not '}{label}"
    if isinstance(value, list):
        shown = [names.get(v, v) if widget.source == "artists" else v for v in value]
        return f"{label} {op_label} " + ", ".join(f"“{v}”" for v in shown)
    if widget.type == WidgetType.TEXT:
        return f"{label} {op_label} “{value}”"
    unit = f" {widget.unit}" if widget.unit and widget.unit != "year" else ""
    return f"{label} {op_label} {value}{unit}"


def _range_words(bounds: dict[str, int | None], *, unit: str | None) -> str:
    low, high = (_bound(bounds.get(side), unit=unit) for side in ("min", "max"))
    if low is not None and high is not None:
        return f"is between {low} and {high}"
    return f"is at least {low}" if low is not None else f"is at most {high}"


def _bound(value: int | None, *, unit: str | None) -> str | None:
    if value is None:
        return None
    if unit == "seconds":  # listeners read durations as m:ss
        return f"{value // 60}:{value % 60:02d}"
    if unit and unit != "year":
        return f"{value} {unit}"
    return str(value)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
