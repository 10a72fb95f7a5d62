"""Value shapes shared by fields: each factory returns an operator's ``parse``.

A parse takes the raw JSON value of a condition and returns its normalised JSON form (the
stored one), or raises ValueInvalid with messages that name what is wrong in words a
listener understands; the API returns them under the condition's "value".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from routing.filters.registry import ValueInvalid

Parse = Callable[[Any], Any]

MAX_LIST_ITEMS = 100
_SPOTIFY_ID = re.compile(r"[A-Za-z0-9]{1,64}")
_WORD = re.compile(r"\w+")


# --- text helpers ---------------------------------------------------------------------------
@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Beyoncé" and "BEYONCE" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=65_536)
def words(text: str) -> tuple[str, ...]:
    """The folded words of a text; punctuation and hyphens separate words ("hip-hop" → hip, hop)."""
    return tuple(_WORD.findall(fold(text)))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _is_whole_number(value: Any) -> bool:
    # bool is an int in Python, but `true` is not a number to a listener.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


# --- shapes ---------------------------------------------------------------------------------
def term_list(*, what: str, plural: str, max_length: int = 100) -> Parse:
    """A non-empty list of words or phrases, stored lower-case with spaces collapsed, de-duplicated."""

    def parse(value: Any) -> list[str]:
        items = _list_of_text(value, what=what, plural=plural)
        terms: list[str] = []
        problems: list[str] = []
        for item in items:
            term = _collapse(item).lower()
            if len(term) > max_length:
                problems.append(f"{what.capitalize()} “{term[:30]}…” is longer than {max_length} characters.")
            elif not words(term):
                problems.append(f"{what.capitalize()} “{term}” has no letters or digits.")
            elif term not in terms:
                terms.append(term)
        if problems:
            raise ValueInvalid(*problems)
        return terms

    return parse


def spotify_id_list(*, what: str, plural: str) -> Parse:
    """A non-empty list of Spotify ids (base-62, case-sensitive), de-duplicated in order."""

    def parse(value: Any) -> list[str]:
        items = _list_of_text(value, what=f"{what} id", plural=f"{what} ids")
        ids: list[str] = []
        problems: list[str] = []
        for item in items:
            candidate = item.strip()
            if not _SPOTIFY_ID.fullmatch(candidate):
                problems.append(
                    f"“{candidate[:40]}” is not a Spotify {what} id (letters and digits only, "
                    f"as in the {what}'s Spotify link)."
                )
            elif candidate not in ids:
                ids.append(candidate)
        if problems:
            raise ValueInvalid(*problems)
        return ids

    return parse


def int_range(*, noun: str, low: int, high: int, unit: str = "") -> Parse:
    """``{"min": int | null, "max": int | null}``, both bounds inclusive, at least one given."""
    unit_suffix = f" {unit}" if unit else ""
    of_unit = f" of {unit}" if unit else ""
    title = noun.capitalize()

    def bound(value: Any, *, side: str) -> int | None:
        if value is None:
            return None
        label = f"{'Minimum' if side == 'min' else 'Maximum'} {noun}"
        if not _is_whole_number(value):
            raise ValueInvalid(f"{label} must be a whole number{of_unit}.")
        number = int(value)
        if not low <= number <= high:
            raise ValueInvalid(f"{label} must be between {low} and {high}{unit_suffix}.")
        return number

    def parse(value: Any) -> dict[str, int | None]:
        if not isinstance(value, dict):
            raise ValueInvalid(f'Enter the {noun} range as {{"min": …, "max": …}}; either bound may be null.')
        problems = [
            f"Unknown key “{key}” in the {noun} range; use “min” and “max”."
            for key in value
            if key not in ("min", "max")
        ]
        bounds: dict[str, int | None] = {}
        for side in ("min", "max"):
            try:
                bounds[side] = bound(value.get(side), side=side)
            except ValueInvalid as exc:
                problems.extend(exc.messages)
        if problems:
            raise ValueInvalid(*problems)
        if bounds["min"] is None and bounds["max"] is None:
            raise ValueInvalid(f"{title} range needs a minimum, a maximum or both.")
        if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
            raise ValueInvalid(f"In the {noun} range, the minimum must not be above the maximum.")
        return bounds

    return parse


def whole_number(*, noun: str, low: int, high: int, unit: str = "") -> Parse:
    unit_suffix = f" {unit}" if unit else ""

    def parse(value: Any) -> int:
        if not _is_whole_number(value) or not low <= int(value) <= high:
            raise ValueInvalid(
                f"{noun.capitalize()} must be a whole number from {low} to {high}{unit_suffix}."
            )
        return int(value)

    return parse


def boolean(*, noun: str) -> Parse:
    def parse(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueInvalid(f"{noun.capitalize()} must be true or false.")
        return value

    return parse


def text(*, noun: str, max_length: int = 200) -> Parse:
    """A non-blank text, stored with its spaces collapsed (its case kept, for showing it back)."""

    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueInvalid(f"{noun.capitalize()} must be text.")
        collapsed = _collapse(value)
        if not collapsed:
            raise ValueInvalid(f"{noun.capitalize()} cannot be blank.")
        if len(collapsed) > max_length:
            raise ValueInvalid(f"{noun.capitalize()} must be at most {max_length} characters.")
        return collapsed

    return parse


def _list_of_text(value: Any, *, what: str, plural: str) -> list[str]:
    if not isinstance(value, list):
        raise ValueInvalid(f"Enter a list of {plural}.")
    if not value:
        raise ValueInvalid(f"Choose at least one {what}.")
    if len(value) > MAX_LIST_ITEMS:
        raise ValueInvalid(f"Choose at most {MAX_LIST_ITEMS} {plural}.")
    problems = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            problems.append(f"Each {what} must be text; item {index + 1} is not.")
        elif not item.strip():
            problems.append(f"Item {index + 1} is blank; each {what} needs some text.")
    if problems:
        raise ValueInvalid(*problems)
    return value
