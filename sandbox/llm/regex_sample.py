"""A string that matches a regular expression, for JSON schema `pattern`s (`^[a-z]{2}$`, `\\d{4}-\\d{2}`).

Walks the parse tree of Python's own regex parser. Look-arounds and back-references are not
supported: `sample` returns None and the caller falls back to plain words.
"""

from __future__ import annotations

import random
import re
import string

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants
    import sre_parse

CATEGORIES = {
    sre_constants.CATEGORY_DIGIT: string.digits,
    sre_constants.CATEGORY_NOT_DIGIT: string.ascii_letters,
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    sre_constants.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre_constants.CATEGORY_NOT_WORD: " -.,",
}
PRINTABLE = string.ascii_letters + string.digits + " -_.,"
MAX_REPEAT = 4  # an open-ended repeat (`+`, `*`, `{2,}`) adds at most this many beyond its minimum


class Unsupported(Exception):
    pass


def sample(pattern: str, rng: random.Random) -> str | None:
    try:
        tree = sre_parse.parse(pattern)
        text = _walk(tree, rng)
    except (Unsupported, re.error, RecursionError, ValueError):
        return None
    return text if re.search(pattern, text) else None


def _walk(items, rng: random.Random) -> str:
    return "".join(_node(op, av, rng) for op, av in items)


def _node(op, av, rng: random.Random) -> str:
    if op is sre_constants.LITERAL:
        return chr(av)
    if op is sre_constants.NOT_LITERAL:
        return rng.choice([c for c in PRINTABLE if ord(c) != av])
    if op is sre_constants.ANY:
        return rng.choice(string.ascii_letters)
    if op is sre_constants.AT:
        return ""
    if op is sre_constants.IN:
        return _in(av, rng)
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        low, high, item = av
        high = low + MAX_REPEAT if high is sre_constants.MAXREPEAT else high
        return "".join(_walk(item, rng) for _ in range(rng.randint(low, max(low, high))))
    if op is sre_constants.SUBPATTERN:
        return _walk(av[-1], rng)
    if op is sre_constants.BRANCH:
        return _walk(rng.choice(av[1]), rng)
    if op is sre_constants.CATEGORY:
        return rng.choice(CATEGORIES.get(av, string.ascii_letters))
    raise Unsupported(str(op))


def _in(items, rng: random.Random) -> str:
    negate = bool(items) and items[0][0] is sre_constants.NEGATE
    chars: list[str] = []
    for op, av in items[1:] if negate else items:
        if op is sre_constants.LITERAL:
            chars.append(chr(av))
        elif op is sre_constants.RANGE:
            chars.extend(chr(c) for c in range(av[0], min(av[1], av[0] + 200) + 1))
        elif op is sre_constants.CATEGORY:
            chars.extend(CATEGORIES.get(av, string.ascii_letters))
        else:
            raise Unsupported(str(op))
    if negate:
        excluded = set(chars)
        chars = [c for c in PRINTABLE if c not in excluded]
    if not chars:
        raise Unsupported("empty character class")
    return rng.choice(chars)
