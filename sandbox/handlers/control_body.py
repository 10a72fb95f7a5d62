"""What the control API's handlers share: an answer with another status than 200, and the checks
of a request's JSON body (every refusal a ControlError naming the field)."""

from __future__ import annotations

import dataclasses
from typing import Any

from sandbox.errors import ControlError


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """A handler's answer with a status other than 200."""

    status: int
    body: Any


def json_object(body: Any, *, allowed: set[str]) -> dict:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError("Body must be a JSON object.")
    unknown = set(body) - allowed
    if unknown:
        raise ControlError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    return body


def nonempty_list(data: dict, key: str) -> list:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise ControlError(f"{key} must be a non-empty list.")
    return value
