"""Filter documents: validated, normalised, evaluated.

A document is ``{"match": "all" | "any", "conditions": [...]}``; a condition is
``{"field": ..., "op": ..., "value": ...}``, and an item of the top-level list may instead
be a group ``{"match": ..., "conditions": [conditions]}`` (one level of nesting, no more).

Empty documents: ``{"match": "all", "conditions": []}`` matches every track (a child without
filters is a copy of its base); that is the default document. An empty "any" is refused
rather than silently matching nothing, and so is an empty group.

Validation refuses unknown keys, fields, operators and values, and reports every problem at
once in the shape DRF answers a 400 with, e.g.
``{"conditions": {"2": {"value": ["In the year range, the minimum must not be above the maximum."]}}}``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.errors import DomainError
from routing.filters.facts import TrackFacts
from routing.filters.registry import (
    REGISTRY,
    EvalContext,
    FieldRegistry,
    FieldSpec,
    Operator,
    Predicate,
    ValueInvalid,
    check_mode,
)

MATCH_ALL = "all"
MATCH_ANY = "any"
MATCH_CHOICES = (MATCH_ALL, MATCH_ANY)
# Leaf conditions in one document, groups included: bounds the work per track of a route run.
MAX_CONDITIONS = 50
NON_FIELD_ERRORS = "non_field_errors"  # DRF's key for errors not about one field
REQUIRED = "This field is required."
EMPTY_GROUP = "A group needs at least one condition."

ErrorDict = dict[str, Any]


class FilterValidationError(DomainError):
    """A filter document was refused; ``errors`` is the DRF-shaped detail of the 400, under "filters"."""

    def __init__(self, errors: ErrorDict) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{path}: {message}" for path, message in self.messages()))

    def body(self) -> dict[str, Any]:
        return {"filters": self.errors}

    def messages(self) -> list[tuple[str, str]]:
        """Every message with its dotted path ("conditions.2.value"), for logs and forms."""
        found: list[tuple[str, str]] = []

        def walk(node: Any, path: str) -> None:
            if isinstance(node, dict):
                for key, child in node.items():
                    walk(child, f"{path}.{key}" if path else str(key))
            else:
                found.extend((path, message) for message in node)

        walk(self.errors, "")
        return found


def empty_document() -> dict[str, Any]:
    """The default filters of a child: every track of the base."""
    return {"match": MATCH_ALL, "conditions": []}


@dataclass(frozen=True, slots=True)
class Condition:
    field: FieldSpec
    operator: Operator
    value: Any  # normalised JSON, as stored

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field.name, "op": self.operator.name, "value": copy.deepcopy(self.value)}

    def compile(self, context: EvalContext) -> Predicate:
        return self.operator.build(self.value, context)

    @property
    def needs(self) -> frozenset[str]:
        return self.field.needs


@dataclass(frozen=True, slots=True)
class Group:
    match: str
    conditions: tuple[Condition, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"match": self.match, "conditions": [c.to_dict() for c in self.conditions]}

    def compile(self, context: EvalContext) -> Predicate:
        return _combine(self.match, [c.compile(context) for c in self.conditions])

    @property
    def needs(self) -> frozenset[str]:
        return frozenset().union(*(c.needs for c in self.conditions))


@dataclass(frozen=True, slots=True)
class FilterDocument:
    """A validated filter document. Build it with ``validate_filters``, store ``to_dict()``."""

    match: str
    conditions: tuple[Condition | Group, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"match": self.match, "conditions": [item.to_dict() for item in self.conditions]}

    def compile(self, *, now: datetime | None = None) -> Predicate:
        """The predicate for one route run; ``now`` is that run's clock (default: the current time)."""
        context = EvalContext(now=_aware(now))
        return _combine(self.match, [item.compile(context) for item in self.conditions])

    def matches(self, facts: TrackFacts, *, now: datetime | None = None) -> bool:
        return self.compile(now=now)(facts)

    @property
    def needed_metadata(self) -> frozenset[str]:
        return frozenset().union(*(item.needs for item in self.conditions))

    @property
    def field_names(self) -> frozenset[str]:
        return frozenset(condition.field.name for condition in self._leaves())

    @property
    def is_empty(self) -> bool:
        return not self.conditions

    def leaves(self) -> list[Condition]:
        """Every condition, those inside groups included, in the document's order."""
        return self._leaves()

    def _leaves(self) -> list[Condition]:
        leaves: list[Condition] = []
        for item in self.conditions:
            leaves.extend(item.conditions if isinstance(item, Group) else (item,))
        return leaves


# --- public functions -------------------------------------------------------------------------
def validate_filters(
    document: Any, *, mode: str | None, registry: FieldRegistry = REGISTRY
) -> FilterDocument:
    """Validate and normalise a raw document, or raise FilterValidationError.

    ``mode`` is the Spotify app mode (settings.SPOTIFY_APP_MODE): fields it does not offer
    are refused. None skips that check; only for re-reading a document that was validated
    when it was saved.
    """
    if mode is not None:
        check_mode(mode)
    return _Validator(mode=mode, registry=registry).document(document)


def compile_filters(
    document: FilterDocument | Mapping[str, Any],
    *,
    now: datetime | None = None,
    registry: FieldRegistry = REGISTRY,
) -> Predicate:
    """A predicate over TrackFacts; a stored (raw) document is validated first."""
    return _as_document(document, registry=registry).compile(now=now)


def needed_metadata(
    document: FilterDocument | Mapping[str, Any], *, registry: FieldRegistry = REGISTRY
) -> set[str]:
    """The metadata (facts.Metadata names) the route service must load to evaluate the document."""
    return set(_as_document(document, registry=registry).needed_metadata)


def available_fields(*, mode: str, registry: FieldRegistry = REGISTRY) -> list[FieldSpec]:
    """The fields a document may use in this app mode, in the editor's order."""
    return registry.available(mode=mode)


def describe_fields(*, mode: str, registry: FieldRegistry = REGISTRY) -> list[dict[str, Any]]:
    """``available_fields`` as the editor page and the API serve them (widgets included)."""
    return [spec.describe() for spec in available_fields(mode=mode, registry=registry)]


# --- internals --------------------------------------------------------------------------------
def _as_document(document: FilterDocument | Mapping[str, Any], *, registry: FieldRegistry) -> FilterDocument:
    if isinstance(document, FilterDocument):
        return document
    return validate_filters(dict(document), mode=None, registry=registry)


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("Filters compare against aware datetimes; pass an aware `now`.")
    return now


def decide(match: str, verdicts: Iterable[bool]) -> bool:
    """How a document or group combines its items' verdicts: the one rule routing and the
    explanations (routing.filters.explain) both use."""
    return all(verdicts) if match == MATCH_ALL else any(verdicts)


def _combine(match: str, predicates: list[Predicate]) -> Predicate:
    return lambda facts: decide(match, (predicate(facts) for predicate in predicates))


class _Validator:
    def __init__(self, *, mode: str | None, registry: FieldRegistry) -> None:
        self.mode = mode
        self.registry = registry

    def document(self, raw: Any) -> FilterDocument:
        if not isinstance(raw, dict):
            raise FilterValidationError(
                {NON_FIELD_ERRORS: ["Expected filters: an object with “match” and “conditions”."]}
            )
        errors: ErrorDict = self._unknown_keys(raw, ("match", "conditions"), "filters have")
        match = self._match(raw, errors)
        items = self._items(raw, errors, nested=False)
        if not errors and not items and match == MATCH_ANY:
            errors["conditions"] = ["Add at least one condition, or match “all” to take every track."]
        if not errors:
            leaves = sum(len(item.conditions) if isinstance(item, Group) else 1 for item in items)
            if leaves > MAX_CONDITIONS:
                errors["conditions"] = [f"Use at most {MAX_CONDITIONS} conditions (groups included)."]
        if errors:
            raise FilterValidationError(errors)
        return FilterDocument(match=match, conditions=tuple(items))

    def _match(self, raw: dict, errors: ErrorDict) -> str:
        if "match" not in raw:
            errors["match"] = [REQUIRED]
            return MATCH_ALL
        match = raw["match"]
        if match not in MATCH_CHOICES:
            errors["match"] = [
                f"“{match}” is not a valid choice; use “all” or “any”."
                if isinstance(match, str)
                else "Use “all” or “any”."
            ]
            return MATCH_ALL
        return match

    def _items(self, raw: dict, errors: ErrorDict, *, nested: bool) -> list[Any]:
        if "conditions" not in raw:
            errors["conditions"] = [REQUIRED]
            return []
        items = raw["conditions"]
        if not isinstance(items, list):
            errors["conditions"] = ["Expected a list of conditions."]
            return []
        if len(items) > MAX_CONDITIONS:
            errors["conditions"] = [f"Use at most {MAX_CONDITIONS} conditions (groups included)."]
            return []
        parsed: list[Any] = []
        item_errors: ErrorDict = {}
        for index, item in enumerate(items):
            try:
                parsed.append(self._item(item, nested=nested))
            except FilterValidationError as exc:
                item_errors[str(index)] = exc.errors
        if item_errors:
            errors["conditions"] = item_errors
        return parsed

    def _item(self, item: Any, *, nested: bool) -> Condition | Group:
        if not isinstance(item, dict):
            raise FilterValidationError(
                {NON_FIELD_ERRORS: ["Expected a condition: an object with “field”, “op” and “value”."]}
            )
        if "conditions" in item:
            if nested:
                raise FilterValidationError({NON_FIELD_ERRORS: ["Groups can be nested only one level deep."]})
            return self._group(item)
        return self._condition(item)

    def _group(self, raw: dict) -> Group:
        errors = self._unknown_keys(raw, ("match", "conditions"), "a group has")
        match = self._match(raw, errors)
        conditions = self._items(raw, errors, nested=True)
        if not errors and not conditions:
            errors["conditions"] = [EMPTY_GROUP]
        if errors:
            raise FilterValidationError(errors)
        return Group(match=match, conditions=tuple(conditions))

    def _condition(self, raw: dict) -> Condition:
        errors = self._unknown_keys(raw, ("field", "op", "value"), "a condition has")
        for key in ("field", "op", "value"):
            if key not in raw:
                errors[key] = [REQUIRED]
        spec = self._field(raw.get("field"), errors) if "field" in raw else None
        operator = self._operator(spec, raw["op"], errors) if spec and "op" in raw else None
        value = None
        if operator is not None and "value" in raw:
            try:
                value = operator.parse(raw["value"])
            except ValueInvalid as exc:
                errors["value"] = exc.messages
        if errors:
            raise FilterValidationError(errors)
        return Condition(field=spec, operator=operator, value=value)

    def _field(self, name: Any, errors: ErrorDict) -> FieldSpec | None:
        spec = self.registry.get(name) if isinstance(name, str) else None
        if spec is None:
            offered = (
                self.registry.names()
                if self.mode is None
                else [s.name for s in self.registry.available(mode=self.mode)]
            )
            shown = f"Unknown field “{name}”" if isinstance(name, str) else "Expected the name of a field"
            errors["field"] = [f"{shown}; choose one of: {', '.join(offered)}."]
            return None
        if self.mode is not None and not spec.available_in(self.mode):
            errors["field"] = [
                spec.unavailable_message
                or f"{spec.label} is not available to {self.mode.capitalize()}-mode Spotify apps."
            ]
            return None
        return spec

    @staticmethod
    def _operator(spec: FieldSpec, name: Any, errors: ErrorDict) -> Operator | None:
        operator = spec.operator(name) if isinstance(name, str) else None
        if operator is None:
            shown = (
                f"“{name}” is not an operator of {spec.name}"
                if isinstance(name, str)
                else "Expected an operator"
            )
            errors["op"] = [f"{shown}; use {' or '.join(spec.operator_names)}."]
        return operator

    @staticmethod
    def _unknown_keys(raw: dict, allowed: tuple[str, ...], owner: str) -> ErrorDict:
        quoted = [f"“{key}”" for key in allowed]
        listed = f"{', '.join(quoted[:-1])} and {quoted[-1]}"
        return {str(key): [f"Unknown key; {owner} only {listed}."] for key in raw if key not in allowed}
