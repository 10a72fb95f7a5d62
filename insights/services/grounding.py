"""Is a written insight grounded in the facts it was written from? Pure functions, no database.

- Names: every artist, song and genre the answer names must appear in the facts block. A name
  is found three ways: a name of the listener's own vocabulary (their artists, songs and genres,
  passed in by the caller) written in the text; a quoted title (“…”, "…"); a run of capitalised
  words inside a sentence ("…, and Taylor Swift kept you company"), which is how an invented
  name shows itself; at a sentence's start (a highlight's value is one too) and in a title-cased
  headline, a capitalised word counts only when it is no common English word (common_words.txt,
  months, weekdays): "Calm evenings" and "Your Month In Music" name no one, "Drake led" and
  "Taylor Swift Owns Your Month" do. A mention is grounded when its words appear, in order, in the facts
  (so "Phoebe" of "Phoebe Bridgers", or "pop" of "dream pop", are fine).
- Numbers: every number written with digits must match a figure of the facts within rounding:
  36.4 % matches "36%", 0.62 matches 0.6, "1.2k" matches 1234. A percentage matches a
  percentage, or a 0-1 figure times 100; a plain number any figure. "#1", "No. 1" and "top 3"
  are ranks, fine up to the longest list in the facts. Times ("21:00", "9 pm") match an hour
  the facts give. Numbers inside a name ("Song 2", "blink-182") are part of the name.
  Numbers written as words ("three") are not checked.
"""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

FACTS_VERSION = "facts-v1"
MAX_NGRAM = 6  # the longest name, in words, looked up in the vocabulary
# Capitalised words that are no names: days, months, the product and its source, "I".
ORDINARY_CAPITALS = frozenset(
    """i i'm i've ai dj ok tv spotify linernotes monday tuesday wednesday thursday friday saturday
    sunday mon tue wed thu fri sat sun january february march april may june july august september
    october november december english""".split()
)
# Words that may open a run of capitals at a sentence's start without being part of a name.
OPENERS = frozenset(
    """the a an and but so then your you my our this that these those when while where what who
    most more less one in on at over across after before for from by if as also still even just
    only every each some all no not yes here there now today tonight lately meanwhile plus with
    top spotify's let's it it's""".split()
)
# Everyday English, lower case: a capitalised word that is none of these may be a name anywhere.
COMMON_WORDS = frozenset(
    line.strip()
    for line in pathlib.Path(__file__).with_name("common_words.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
# Genres that are ordinary words too ("you rock", "the house"): named as a genre only as
# "<genre> music/songs/tracks/fans".
AMBIGUOUS_GENRES = frozenset("house country dance soul trap drill swing grime garage chill world rock pop".split())
GENRE_CONTEXT = r"\s+(?:music|songs|tracks|fans?|genre|records|albums)\b"
WORD = r"[^\W_][\w'’&.+\-]*"
QUOTED = re.compile(r"[“\"]([^”\"]{1,120})[”\"]")
TIME = re.compile(r"(?<![\w:])(\d{1,2}):(\d{2})(?![\w:])|(?<![\w.])(\d{1,2})\s?([ap])\.?m\.?(?!\w)", re.I)
RANK = re.compile(r"(?:#\s?|\bno\.\s?|\bnumber\s|\btop\s)(\d{1,2})(?![\d.,])", re.I)
NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s?(k)\b)?(s\b)?(\s?%|\s?(?:percent|per cent)\b)?",
    re.I,
)
SENTENCE_END = re.compile(r"[.!?:;]\s+$|^\s*$")


@dataclass(frozen=True)
class Figure:
    value: float
    decimals: int  # digits after the point as written: how far a match may round
    percent: bool


@dataclass(frozen=True)
class Facts:
    """What an answer may say: the facts block's words and figures."""

    text: str  # every key and value of the block, lower case, one per line
    figures: tuple[Figure, ...]
    hours: frozenset[int]
    longest_list: int
    names: tuple[str, ...]  # the names and labels of the block, for "Based on"


@dataclass
class GroundingReport:
    facts_version: str = FACTS_VERSION
    names: list[str] = field(default_factory=list)  # checked and found in the facts
    numbers: list[str] = field(default_factory=list)
    ungrounded_names: list[str] = field(default_factory=list)
    ungrounded_numbers: list[str] = field(default_factory=list)

    @property
    def grounded(self) -> bool:
        return not self.ungrounded_names and not self.ungrounded_numbers

    def problem(self) -> str:
        """For the repair request: what the answer said that the facts do not."""
        parts = []
        if self.ungrounded_names:
            parts.append("it names " + ", ".join(self.ungrounded_names) + ", which the facts do not name")
        if self.ungrounded_numbers:
            parts.append("it says " + ", ".join(self.ungrounded_numbers) + ", which no figure of the facts supports")
        return "; ".join(parts)

    def summary(self) -> str:
        """For staff's call records: counts only, never the answer's words."""
        return (
            f"ungrounded: {len(self.ungrounded_names)} name(s) and {len(self.ungrounded_numbers)} "
            "number(s) not among the facts"
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def facts_from(figures: Mapping[str, Any]) -> Facts:
    """The Facts of a facts block (the prompt's JSON object of figures)."""
    lines: list[str] = []
    names: list[str] = []
    longest = 0

    def walk(value: Any, nested: bool = False) -> None:
        nonlocal longest
        if isinstance(value, Mapping):
            longest = max(longest, len(value) if nested else 0)
            for k, v in value.items():
                lines.append(str(k))
                if nested:  # {artist: plays}, {genre: share}: the keys are names
                    names.append(str(k))
                walk(v, nested or isinstance(v, Mapping | list))  # "period": "Last 4 weeks" is no name
        elif isinstance(value, list):
            longest = max(longest, len(value))
            for item in value:
                walk(item, True)
        elif value is not None:
            lines.append(str(value))
            if nested and isinstance(value, str):
                names.append(value)

    walk(dict(figures))
    text = "\n".join(_norm(line) for line in lines)
    raw = json.dumps(dict(figures), ensure_ascii=False)
    figures_found = [_figure(m) for m in NUMBER.finditer(_mask(raw, TIME))]
    hours = {int(m.group(1)) for m in TIME.finditer(raw) if m.group(1)}
    hours |= {int(f.value) for f in figures_found if f.decimals == 0 and not f.percent and 0 <= f.value <= 24}
    seen: dict[str, None] = dict.fromkeys(n for n in names if n and not re.fullmatch(r"[\d\s.%:,-]+", n))
    return Facts(text=text, figures=tuple(figures_found), hours=frozenset(hours), longest_list=longest,
                 names=tuple(seen))  # fmt: skip


def check_grounding(
    *, texts: Iterable[str], facts: Facts, vocabulary: Iterable[str] = (), artists: Iterable[str] = ()
) -> GroundingReport:
    """Check `texts` (a headline, paragraphs, highlights) against `facts`. `vocabulary`: names
    the listener could be told about (their artists, songs, genres); `artists`: those of them
    that, as one capitalised word opening a sentence ("Adele led..."), still count as a name."""
    vocab = _Vocabulary([*vocabulary, *facts.names], artists)
    report = GroundingReport()
    for text in texts:
        masked = _check_names(text, facts=facts, vocab=vocab, report=report)
        _check_numbers(masked, facts=facts, report=report)
    for attr in ("names", "numbers", "ungrounded_names", "ungrounded_numbers"):
        setattr(report, attr, list(dict.fromkeys(getattr(report, attr))))
    return report


# --- names -----------------------------------------------------------------------------------


class _Vocabulary:
    """{word count: {lower-case names}}; single words shorter than 3 letters are left out (too
    often ordinary words), `strong` keeps artists' one-word names as written."""

    def __init__(self, names: Iterable[str], artists: Iterable[str]) -> None:
        names = list(names)
        self.by_length: dict[int, set[str]] = {}
        for name in names:
            words = _norm(name).split()
            if 0 < len(words) <= MAX_NGRAM and (len(words) > 1 or len(words[0]) >= 3):
                self.by_length.setdefault(len(words), set()).add(" ".join(words))
        self.singles = {name.strip() for name in names if " " not in name.strip()}
        # Names written in lower case (genres, "boygenius"): found in lower case. Any other
        # ("Late Night", a song) only with a capital: "your late night plays" names no song.
        self.lower = {" ".join(_norm(name).split()) for name in names if name == name.lower()}
        self.strong = {name.strip() for name in artists if len(name.strip()) >= 4 and " " not in name.strip()}

    def has(self, phrase: str) -> bool:
        words = _norm(phrase).split()
        return " ".join(words) in self.by_length.get(len(words), set())


def _check_names(text: str, *, facts: Facts, vocab: _Vocabulary, report: GroundingReport) -> str:
    """Record the names of `text`; the text with them blanked out (their digits are no numbers)."""
    spans: list[tuple[int, int]] = []
    for m in QUOTED.finditer(text):
        if any(c.isupper() for c in m.group(1)) or vocab.has(m.group(1)):
            spans.append(m.span(1))
    tokens = [(m.start(), m.end(), m.group().rstrip(".’'"), m.group()) for m in re.finditer(WORD, text)]
    _vocab_spans(text, tokens, vocab=vocab, spans=spans)
    _capital_spans(text, tokens, spans=spans, title=_title_cased(tokens))
    kept = _merge(spans)
    for start, end in kept:
        mention = _strip_possessive(" ".join(re.sub(r"[“”\"]", "", text[start:end]).strip(" ,;:()'’.").split()))
        if not mention:
            continue
        if _grounded_name(mention, facts):
            report.names.append(mention)
        else:
            report.ungrounded_names.append(mention)
    masked = list(text)
    for start, end in kept:
        masked[start:end] = " " * (end - start)
    return "".join(masked)


def _title_cased(tokens: list) -> bool:
    """A headline or label In Title Case (every longer word after the first capitalised): only
    its capitalised words that are no common words may be names."""
    later = [t[2] for t in tokens[1:] if len(t[2]) >= 3 and t[2].isalpha()]
    return len(later) >= 2 and all(word[0].isupper() for word in later)


def _vocab_spans(text: str, tokens: list, *, vocab: _Vocabulary, spans: list) -> None:
    for size in sorted(vocab.by_length, reverse=True):
        for i in range(len(tokens) - size + 1):
            words = [t[2] for t in tokens[i : i + size]]
            phrase = _norm(" ".join(words))
            if phrase not in vocab.by_length[size]:
                continue
            start, end = tokens[i][0], tokens[i + size - 1][1]
            if phrase not in vocab.lower and not any(c.isupper() for c in text[start:end]):
                continue
            if size == 1 and not _single_word_mention(text, start, end, words[0], vocab=vocab):
                continue
            spans.append((start, end))


def _single_word_mention(text: str, start: int, end: int, word: str, *, vocab: _Vocabulary) -> bool:
    lower = word.lower()
    if lower in AMBIGUOUS_GENRES:
        return bool(re.match(GENRE_CONTEXT, text[end:], re.I))
    if lower in ORDINARY_CAPITALS or lower in OPENERS:
        return False
    if word not in vocab.singles:
        return False  # one word matches only as written: the song "Home" is not "home"
    # A capitalised word opening a sentence is ordinary English ("Calm evenings"), unless it is
    # one of the listener's artists as written ("Adele led your listening").
    return not _opens_sentence(text, start) or word in vocab.strong or not word[1:].islower()


def _capital_spans(text: str, tokens: list, *, spans: list, title: bool) -> None:
    """Runs of capitalised words (with the numbers after them: "Song 2") inside sentences; at a
    sentence's start runs of two words or more, what follows an opening word ("Then Adele"), or
    one word that is no common word ("Drake led"). In a title-cased text, a run less the common
    words at its ends ("Taylor Swift" of "Taylor Swift Owns Your Month")."""
    run: list[tuple[int, int, str, str]] = []

    def close() -> None:
        words = list(run)
        run.clear()
        if not words:
            return
        if title:
            while words and _common(words[0][2]):
                words.pop(0)
            while words and (_common(words[-1][2]) or words[-1][2].isdigit()):
                words.pop()
        elif _opens_sentence(text, words[0][0]):
            lone = len(words) == 1
            while words and words[0][2].lower() in OPENERS:
                words.pop(0)
            if lone and (not words or _common(words[0][2])):
                return  # one capitalised common word opening a sentence: ordinary English
        words = [w for w in words if not _ordinary_capital(w[2])]
        if words and not all(w[2].isdigit() for w in words):
            spans.append((words[0][0], words[-1][1]))

    for token in tokens:
        start, _, word, _ = token
        capital = word[:1].isupper() or bool(run and word.isdigit())
        joined = bool(run) and text[run[-1][1] : start].isspace() and not run[-1][3].endswith((".", "!", "?"))
        if capital and (not run or joined):
            run.append(token)
            continue
        close()
        if capital:
            run.append(token)
    close()


def _common(word: str) -> bool:
    """An everyday English word, as written or by its stem ("Owns", "Fridays", "Quietly");
    hyphenated, when each part is ("Late-night")."""
    parts = [p for p in _norm(word).strip("'").split("-") if p]
    return bool(parts) and all(
        p.isdigit() or any(s in COMMON_WORDS or s in OPENERS or _ordinary_capital(s) for s in _stems(p)) for p in parts
    )


def _stems(word: str) -> list[str]:
    stems = [word]
    for suffix in ("s", "es", "ed", "d", "ing", "ly", "er", "est"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stems.append(word[: -len(suffix)])
    return stems


def _ordinary_capital(word: str) -> bool:
    """A day, a month, the product... ("Fridays" too)."""
    lower = word.lower()
    return lower in ORDINARY_CAPITALS or (lower.endswith("s") and lower[:-1] in ORDINARY_CAPITALS)


def _opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip("“\"'(‘ ")
    return not before or before[-1] in ".!?:;\n" or before.endswith("…")


def _grounded_name(mention: str, facts: Facts) -> bool:
    words = re.findall(r"[\w&+]+", _norm(mention))
    if not words or all(w in ORDINARY_CAPITALS for w in words):
        return True
    pattern = r"(?<![\w])" + r"\W+".join(re.escape(w) for w in words) + r"(?![\w])"
    return re.search(pattern, facts.text) is not None


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _strip_possessive(name: str) -> str:
    return re.sub(r"['’]s$", "", name)


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.sub(r"'s\b", "", text).split())


# --- numbers ---------------------------------------------------------------------------------


def _check_numbers(text: str, *, facts: Facts, report: GroundingReport) -> None:
    for m in TIME.finditer(text):
        hour = int(m.group(1) or m.group(3))
        if m.group(4):
            hour = hour % 12 + (12 if m.group(4).lower() == "p" else 0)
        (report.numbers if hour in facts.hours else report.ungrounded_numbers).append(m.group().strip())
    text = _mask(text, TIME)
    for m in RANK.finditer(text):
        ok = 1 <= int(m.group(1)) <= max(facts.longest_list, 1)
        (report.numbers if ok else report.ungrounded_numbers).append(m.group().strip())
    text = _mask(text, RANK)
    for m in NUMBER.finditer(text):
        said = _figure(m)
        written = m.group().strip().replace(" %", "%")
        (report.numbers if matches(said, facts.figures) else report.ungrounded_numbers).append(written)


def _mask(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda m: " " * len(m.group()), text)


def _figure(m: re.Match) -> Figure:
    whole, decimals, thousands = m.group(1).replace(",", ""), m.group(2) or "", m.group(3)
    value = float(f"{whole}.{decimals}" if decimals else whole)
    places = len(decimals)
    if thousands:
        value, places = value * 1000, places - 3
    return Figure(value=value, decimals=places, percent=bool(m.group(5)))


def matches(said: Figure, figures: Iterable[Figure]) -> bool:
    """Whether `said` is one of `figures` within rounding: the figure rounded to the places the
    answer writes (0.41 → 0.4, 1,234 → 1.2k), or the answer rounded to the figure's places
    (36.4 % → "36%"; an exact half is no match: 0.5 is not 1)."""
    for figure in figures:
        known = figure
        if said.percent and not figure.percent:
            if figure.decimals <= 0 or not 0 <= figure.value <= 1:
                continue  # only a figure written as a fraction (0.41) is one
            known = Figure(figure.value * 100, figure.decimals - 2, True)
        difference = abs(said.value - known.value)
        if said.decimals <= known.decimals:  # the answer rounds the figure: 0.41 → 0.4
            if difference <= 0.5 * 10**-said.decimals + 1e-9:
                return True
        elif difference < 0.5 * 10**-known.decimals - 1e-9:  # finer than the figure: 34.4 % of "34%"
            return True
    return False
