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
