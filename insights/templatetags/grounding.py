"""How a written insight's "Based on" reads: its facts block as short lines of text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def fact_text(value: Any) -> str:
    """A fact's value as a reader says it: {"Artist 1": 41} → "Artist 1 (41)", lists joined."""
    if isinstance(value, Mapping):
        return ", ".join(f"{key} ({item})" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


@register.filter
def numbers_text(values: Any) -> str:
    """The numbers checked, as the answer wrote them, but a rank as words: "#1" reads "no. 1"
    (a "#" and digits on a page read as an id, which listener pages never show)."""
    return ", ".join(f"no. {value[1:]}" if str(value).startswith("#") else str(value) for value in values or ())
