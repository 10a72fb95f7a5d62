"""A refused filter document in the listener's words: one sentence per problem, naming the
condition by its place and its field ("Condition 2 (Release year): in the year range, the
minimum must not be above the maximum.") instead of the API's dotted path ("conditions.1.value").

The editor's live preview (routing.api.routes) and its Save (routing.views.children) both word
problems here, so the listener reads the same sentence before and after pressing Save. The
API keeps its DRF-shaped ``{"filters": {...}}`` with paths; each problem carries its path too,
so the editor can put the sentence beside its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from routing.filters.document import EMPTY_GROUP, NON_FIELD_ERRORS, REQUIRED, FilterValidationError
from routing.filters.registry import REGISTRY, FieldRegistry

CONDITION_KEYS = "a condition has only a field, a comparison and a value"
GROUP_KEYS = "a group has only “match” and its conditions"
DOCUMENT_KEYS = "the filters have only “match” and “conditions”"


@dataclass(frozen=True, slots=True)
class FilterProblem:
    path: str  # where the API reports it: "conditions.1.value", "match", "" (the whole document)
    message: str  # the sentence the listener reads

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


def describe_problems(
    error: FilterValidationError, *, document: Any, registry: FieldRegistry = REGISTRY
) -> list[FilterProblem]:
    """Every problem of ``error`` in listener words, in the document's order.

    ``document`` is the raw document that was refused: the sentences name each condition's
    field from it (the error itself only knows positions).
    """
    return [
        FilterProblem(path=path, message=_sentence(path, message, document=document, registry=registry))
        for path, message in error.messages()
    ]


# --- internals --------------------------------------------------------------------------------
def _sentence(path: str, message: str, *, document: Any, registry: FieldRegistry) -> str:
    parts = path.split(".") if path else []
    if not parts or parts == [NON_FIELD_ERRORS]:
        return message
    if parts[0] == "match":
        if message == REQUIRED:
            return "Choose whether a track must match all or any of the conditions."
        return message
    if parts[0] != "conditions":
        return f"“{parts[0]}” is not part of a filter document: {DOCUMENT_KEYS}."
    if len(parts) == 1:
        return "The filters need a list of conditions." if message == REQUIRED else message
    index, rest = parts[1], parts[2:]
    item = _item(document, index)
    if isinstance(item, dict) and "conditions" in item:
        return _group_sentence(index, rest, message, group=item, registry=registry)
    return _condition_sentence(f"Condition {_place(index)}", rest, message, condition=item, registry=registry)


def _group_sentence(
    index: str, rest: list[str], message: str, *, group: dict, registry: FieldRegistry
) -> str:
    name = f"Group {_place(index)}"
    if rest and rest[0] == "conditions" and len(rest) > 1:
        return _condition_sentence(
            f"{name}, condition {_place(rest[1])}",
            rest[2:],
            message,
            condition=_item(group, rest[1]),
            registry=registry,
        )
    key = rest[0] if rest else NON_FIELD_ERRORS
    if key == "match":
        said = message
        if message == REQUIRED:
            said = "choose whether a track must match all or any of its conditions."
    elif key == "conditions":
        said = "add at least one condition to it." if message in (REQUIRED, EMPTY_GROUP) else message
    elif key == NON_FIELD_ERRORS:
        said = message
    else:
        said = f"“{key}” is not part of a group: {GROUP_KEYS}."
    return f"{name}: {_lower_first(said)}"


def _condition_sentence(
    name: str, rest: list[str], message: str, *, condition: Any, registry: FieldRegistry
) -> str:
    field_name = condition.get("field") if isinstance(condition, dict) else None
    spec = registry.get(field_name) if isinstance(field_name, str) else None
    if spec is not None:
        name = f"{name} ({spec.label})"
    key = rest[0] if rest else NON_FIELD_ERRORS
    if key == "field":
        if message == REQUIRED:
            said = "choose a field."
        elif spec is None and isinstance(field_name, str):
            # The API lists every field's machine name here; the listener picks from the list.
            said = f"“{field_name}” is not a field Linernotes can filter on; choose one from the list."
        elif spec is None:
            said = "choose a field from the list."
        else:
            said = message  # known but not in this app mode: the field's own explanation
    elif key == "op":
        said = "choose how to compare."
        if spec is not None and message != REQUIRED:
            said = f"choose how to compare: {' or '.join(f'“{op.label}”' for op in spec.operators)}."
    elif key == "value":
        missing = message == REQUIRED or (isinstance(condition, dict) and condition.get("value") is None)
        said = "choose a value." if missing else message
    elif key == NON_FIELD_ERRORS:
        said = message
    else:
        said = f"“{key}” is not part of a condition: {CONDITION_KEYS}."
    return f"{name}: {_lower_first(said)}"


def _item(container: Any, index: str) -> Any:
    items = container.get("conditions") if isinstance(container, dict) else None
    if not isinstance(items, list) or not index.isdigit() or int(index) >= len(items):
        return None
    return items[int(index)]


def _place(index: str) -> str:
    """Positions as the listener counts them: the API's "conditions.0" is condition 1."""
    return str(int(index) + 1) if index.isdigit() else index


def _lower_first(sentence: str) -> str:
    # "Year range must…" follows "Condition 1 (Release year): "; "Spotify…" keeps its capital.
    if len(sentence) > 1 and sentence[0].isupper() and (sentence[1].islower() or sentence[1] == " "):
        first_word = sentence.split(" ", 1)[0]
        if first_word not in _PROPER:
            return sentence[0].lower() + sentence[1:]
    return sentence


# Words that keep their capital inside a sentence.
_PROPER = frozenset({"Spotify", "Linernotes", "Development", "Extended"})
