"""English number for the catalog's nouns, so generated names and lyrics read as English.

`taxonomy.NOUNS` mixes singular words with plural ones (band names read best as "The Wild
Wolves"), so nothing may add an "s" to a drawn noun ("Loverss"): ask `singular` or `plural` for
the number a phrase needs. Both keep the word's case, as lyrics use the nouns in lower case.
"""

from __future__ import annotations

from sandbox.catalog.taxonomy import NOUNS

_SINGULAR_OF = {  # the plural nouns of NOUNS → their singular
    "wolves": "wolf",
    **{word.lower(): word.lower()[:-1] for word in NOUNS if word.endswith("s") and word != "Wolves"},
}
_SINGULAR_OF.pop("compass")  # a singular that happens to end in s
_IRREGULAR_PLURALS = {"echo": "echoes"}
_VOWELS = ("a", "e", "i", "o", "u")


def singular(noun: str) -> str:
    """ "Saints" → "Saint", "wolves" → "wolf"; a singular noun stays as it is."""
    return _same_case(_SINGULAR_OF.get(noun.lower(), noun.lower()), like=noun)


def plural(noun: str) -> str:
    """ "City" → "Cities", "compass" → "compasses"; a plural noun stays as it is."""
    word = noun.lower()
    if word in _SINGULAR_OF:
        return noun
    if word in _IRREGULAR_PLURALS:
        word = _IRREGULAR_PLURALS[word]
    elif word.endswith(("s", "x", "ch", "sh")):
        word += "es"
    elif word.endswith("y") and word[-2:-1] not in _VOWELS:
        word = word[:-1] + "ies"
    else:
        word += "s"
    return _same_case(word, like=noun)


def _same_case(word: str, *, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word
