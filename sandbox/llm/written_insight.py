"""The sandbox model's written insights: readable sentences from the figures the prompt gives.

A request is an insight when its schema asks for INSIGHT_KEYS. The figures are the JSON object
of the prompt's facts block (after "<<<FACTS>>>", or after "Figures:" as older prompts gave
them); every name and number in the answer is one of them, written as
given ("34%", 0.62, "21:00"), and nothing is added: a figure the prompt leaves out is not
mentioned. Who "led your listening" comes only from the most played artists (plays recorded in
the period); Spotify's top lists are its ranking and are said as such ("Spotify ranks X first"),
and with no plays recorded no one is said to lead. Which figures come first follows the kind
asked for (a wellness note, a roast, a productivity note, a weekly summary), the wording the
tone; the request's hash only picks between equivalent phrasings, so a regeneration ("take a
fresh angle") reads differently.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from typing import Any

from sandbox.llm.prompt_reading import user_text

INSIGHT_KEYS = frozenset({"headline", "paragraphs", "highlights"})
FIGURES_MARKS = ("<<<FACTS>>>", "Figures:")  # the facts block, else the older prompts' line
# What the ask says → the kind and tone of insight (insights.services.insight_prompt's briefs).
KINDS = (
    ("weekly summary", "weekly"),
    ("wellness", "wellness"),
    ("roast", "roast"),
    ("productivity", "productivity"),
)
TONES = (("witty", "playful"), ("warm", "supportive"), ("encouraging", "supportive"))
# Genre variety (0 a single genre, 1 an even spread) at or past these reads as wide or narrow.
WIDE_VARIETY, NARROW_VARIETY = 0.7, 0.4
NAME_LIMIT = 60  # a name longer than this is cut, so a sentence stays a sentence
VERSION = re.compile(r"\bversion (\d+)\b")  # "This is version 3: take a fresh angle"
# The prompt's keys, by how they start (the rest of a key says what the list is).
MOST_PLAYED = "most played artists"
SPOTIFY_ARTISTS, SPOTIFY_SONGS = "spotify's top artists", "spotify's top songs"
# The period's label (insights.models.TimeRange) → how a sentence says it: (opening a sentence,
# inside a headline, as the listening's noun, for Spotify's ranking). "All time" is every play
# Linernotes recorded, so the plays are "so far", while Spotify's long-term ranking is "of all time".
PERIODS = {
    **{
        label: (f"Over the {label}", f"over the {label}", f"your {label}", f"over the {label}")
        for label in ("last 4 weeks", "last 6 months")
    },
    "all time": ("Across everything Linernotes has recorded", "so far", "your listening so far",
                 "of all time"),
}


def is_insight(schema: Any) -> bool:
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return isinstance(properties, dict) and INSIGHT_KEYS <= set(properties)


def written_insight(
    *, schema: dict[str, Any], messages: Any, rng: random.Random, fill: Callable[[Any], Any]
) -> dict[str, Any] | None:
    """The insight the prompt's figures support, or None when the prompt has no figures."""
    text = user_text(messages)
    mark = next((m for m in FIGURES_MARKS if m in text), FIGURES_MARKS[-1])
    start = text.rfind(mark)
    if start < 0:
        return None
    try:
        figures, _ = json.JSONDecoder().raw_decode(text[start + len(mark) :].lstrip())
    except ValueError:
        return None
    if not isinstance(figures, dict):
        return None
    ask = text[:start].lower()
    kind = next((name for mark, name in KINDS if mark in ask), "summary")
    tone = next((name for mark, name in TONES if mark in ask), "neutral")
    version = VERSION.search(ask)
    writer = _Writer(figures=figures, kind=kind, tone=tone, rng=rng, properties=schema["properties"],
                     version=int(version.group(1)) if version else 1)  # fmt: skip
    built = writer.document()
    return {key: built[key] if key in built else fill(sub) for key, sub in schema["properties"].items()}


def _name(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= NAME_LIMIT else text[: NAME_LIMIT - 1].rstrip() + "…"


def _listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _shares(value: Any, limit: int = 2) -> list[tuple[str, str]]:
    """[(name, "34%"), ...] from a {name: share} figure, in the prompt's order."""
    if not isinstance(value, dict):
        return []
    return [(_name(k), str(v)) for k, v in list(value.items())[:limit] if v not in (None, "")]


def _names(value: Any, limit: int = 3) -> list[str]:
    return [_name(v) for v in value[:limit] if v] if isinstance(value, list) else []


class _Writer:
    def __init__(self, *, figures: dict[str, Any], kind: str, tone: str, rng: random.Random,
                 properties: dict[str, Any], version: int) -> None:  # fmt: skip
        self.f = figures
        self.version = version
        self.kind, self.tone, self.rng = kind, tone, rng
        self.properties = properties
        self.period = str(figures.get("period") or "")
        label = self.period.lower()
        self.when, self.span, self.noun, self.ranked_over = PERIODS.get(label) or (
            (f"In {label}", f"in {label}", f"your {label}", f"in {label}") if label
            else ("Lately", "lately", "your listening", "lately")
        )  # fmt: skip
        played = self.find(MOST_PLAYED)
        # [(name, plays)], most played first; a text instead of names says no play is recorded.
        pairs = played.items() if isinstance(played, dict) else ()
        self.leaders = [(_name(name), count) for name, count in pairs if name and count][:3]
        self.no_plays = isinstance(played, str)
        self.ranked = _names(self.find(SPOTIFY_ARTISTS))
        self.highlights: list[tuple[str, str]] = []

    def get(self, key: str) -> Any:
        value = self.f.get(key)
        return None if value in (None, "", [], {}) else value

    def find(self, start: str) -> Any:
        """The figure whose key starts with `start` (case aside), as `get`."""
        return next((self.get(key) for key in self.f if str(key).lower().startswith(start)), None)

    def _limit(self, key: str, default: int) -> int:
        schema = self.properties.get(key)
        return schema.get("maxLength", default) if isinstance(schema, dict) else default

    def _items_limit(self, key: str, field: str, default: int) -> int:
        items = (self.properties.get(key) or {}).get("items") or {}
        if field:
            items = (items.get("properties") or {}).get(field) or {}
        return items.get("maxLength", default) if isinstance(items, dict) else default

    def document(self) -> dict[str, Any]:
        paragraphs = [p for p in (self.opening(), *self.kind_paragraphs(), self.closing()) if p]
        if not paragraphs:
            paragraphs = ["There is not much to go on yet: no plays or top artists in this range."]
        paragraph_max = self._items_limit("paragraphs", "", 600)
        max_paragraphs = (self.properties.get("paragraphs") or {}).get("maxItems", 4)
        highlights = self.highlights or [("Period", self.period or "this range")]
        label_max = self._items_limit("highlights", "label", 40)
        value_max = self._items_limit("highlights", "value", 80)
        max_highlights = (self.properties.get("highlights") or {}).get("maxItems", 5)
        return {
            "headline": self.headline()[: self._limit("headline", 120)],
            "paragraphs": [_cut(p, paragraph_max) for p in paragraphs[:max_paragraphs]],
            "highlights": [
                {"label": _cut(label, label_max), "value": _cut(value, value_max)}
                for label, value in highlights[:max_highlights]
            ],
        }

    # --- the sentences ------------------------------------------------------------------
    def headline(self) -> str:
        """One of the tone's phrasings, the next one for each version asked for: a regeneration
        ("take a fresh angle") never repeats the headline before it."""
        lead = self.leaders[0][0] if self.leaders else None
        if lead is None:
            options = (f"A look at {self.noun}", f"{_capital(self.noun)}, in figures")
        elif self.tone == "playful":
            options = (f"{lead}, again and again", f"{lead} on repeat", f"Who else but {lead}?")
        elif self.tone == "supportive":
            options = (f"{lead} carried {self.noun}", f"{_capital(self.span)}, {lead} is out in front")
        else:
            options = (f"{lead} tops your plays {self.span}", f"Most played {self.span}: {lead}")
        return options[(self.version - 1) % len(options)]

    def opening(self) -> str:
        sentences = []
        if self.leaders:
            (lead, count), rest = self.leaders[0], self.leaders[1:]
            others = _listing([f"{name} ({_counted(n, 'play')})" for name, n in rest])
            follow = f", followed by {others}" if rest else ""
            plays = _counted(count, "play")
            sentences.append(f"{self.when}, {lead} led your listening with {plays}{follow}.")
            self.highlights.append(("Most played artist", f"{lead} ({plays})"))
        elif self.no_plays:
            sentences.append(
                f"{self.when}, no play of your top artists is recorded, so none of them can be said "
                "to have led your listening."
            )
        if self.ranked:
            first = self.ranked[0]
            also = " too" if self.leaders and self.leaders[0][0] == first else ""
            sentences.append(f"Spotify ranks {first} first among your artists {self.ranked_over}{also}.")
            self.highlights.append(("Spotify's #1 artist", first))
        plays = self.get("plays")
        if plays is not None:
            sentences.append(f"Linernotes counted {_counted(plays, 'play')} in this range.")
            self.highlights.append(("Plays", str(plays)))
        genres = _shares(self.get("genres"))
        if genres:
            named = _listing([f"{name} ({share})" for name, share in genres])
            sentences.append(f"Your top genres: {named}.")
            self.highlights.append(("Top genre", f"{genres[0][0]} ({genres[0][1]})"))
        if not sentences:
            return ""
        # No praise or verdict here: an opening says only what the figures say.
        tone_open = "Let's see. " if self.tone == "playful" else ""
        return tone_open + " ".join(sentences)

    def kind_paragraphs(self) -> list[str]:
        if self.kind == "wellness":
            return [self.moods(), self.night_and_hours()]
        if self.kind == "roast":
            return [self.songs(), self.roast_details()]
        if self.kind == "productivity":
            return [self.working(), self.energy_line()]
        if self.kind == "weekly":
            return [self.week(), self.moods()]
        return [self.moods()]

    def moods(self) -> str:
        moods = _shares(self.get("moods"))
        if not moods:
            return ""
        source = self.get("moods from")
        source_note = f" ({source})" if source else ""
        named = _listing([f"{name} ({share})" for name, share in moods])
        energy = self.get("energy (0-1)")
        energy_note = f" Your music's average energy is {energy}." if energy is not None else ""
        self.highlights.append(("Top mood", f"{moods[0][0]} ({moods[0][1]})"))
        return f"The moods{source_note}: mostly {named}.{energy_note}"

    def night_and_hours(self) -> str:
        sentences = []
        night = self.get("plays 00:00-05:00")
        if night is not None:
            sentences.append(f"{night} of your plays fall in the small hours, between midnight and dawn.")
            self.highlights.append(("Small-hours plays", str(night)))
        hours = _names(self.get("busiest hours"))
        if hours:
            sentences.append(f"You listen most at {_listing(hours)}.")
        energy = self.get("energy (0-1)")
        if sentences and isinstance(energy, (int, float)):
            # Advice stands on the energy figure: without one (no song analysed yet), none.
            sentences.append(
                "One idea: end a few evenings with a calmer album."
                if energy >= 0.6
                else "One idea: start a morning with something brighter."
            )
        return " ".join(sentences)

    def songs(self) -> str:
        songs = _names(self.find(SPOTIFY_SONGS))
        if not songs:
            return ""
        self.highlights.append(("Spotify's #1 song", songs[0]))
        lead = f"Spotify ranks {_quoted(songs[0])} first among your songs {self.ranked_over}"
        rest = _listing([_quoted(song) for song in songs[1:]])
        if self.tone == "playful":
            behind = "comes" if len(songs) == 2 else "come"
            return f"{lead}; at this point it may be paying rent." + (
                f" {rest} {behind} next in its ranking." if rest else ""
            )
        return f"{lead}." + (f" Then {'comes' if len(songs) == 2 else 'come'} {rest}." if rest else "")

    def roast_details(self) -> str:
        sentences = []
        decades = _shares(self.get("decades"))
        if decades:
            sentences.append(f"Your decades: {_listing([f'the {n} ({s})' for n, s in decades])}.")
        explicit = self.get("explicit songs")
        if explicit is not None:
            sentences.append(f"{explicit} of your top songs are marked explicit.")
            self.highlights.append(("Explicit songs", str(explicit)))
        variety = self.get("genre variety (0-1)")
        if variety is not None:
            sentences.append(f"Genre variety: {variety}, where higher means more adventurous.")
        return " ".join(sentences)

    def working(self) -> str:
        sentences = []
        work = self.get("plays in working hours (Mon-Fri 9-17)")
        if work is not None:
            sentences.append(f"{work} of your plays happen in working hours, Monday to Friday.")
            self.highlights.append(("Working-hours plays", str(work)))
        weekend = self.get("weekend plays")
        if weekend is not None:
            sentences.append(f"{weekend} fall on weekends.")
            self.highlights.append(("Weekend plays", str(weekend)))
        hours = _names(self.get("busiest hours"))
        if hours:
            sentences.append(f"Your busiest hours: {_listing(hours)}.")
        return " ".join(sentences)

    def energy_line(self) -> str:
        energy = self.get("energy (0-1)")
        if energy is None:
            return ""
        self.highlights.append(("Energy", str(energy)))
        lively = isinstance(energy, (int, float)) and energy >= 0.6
        advice = (
            "For deep focus, a calmer mix may help; save the lively one for the afternoon dip."
            if lively
            else "When focus fades, a livelier mix may lift the pace."
        )
        return f"Your music's average energy is {energy}. {advice}"

    def week(self) -> str:
        sentences = []
        plays = self.get("this week: plays")
        if plays is not None:
            sentences.append(f"This week you played {_counted(plays, 'track')}.")
            self.highlights.append(("This week's plays", str(plays)))
        artists = _names(self.get("this week: most played artists"))
        if artists:
            sentences.append(f"Most played artists: {_listing(artists)}.")
        songs = _names(self.get("this week: most played songs"))
        if songs:
            sentences.append(f"Most played songs: {_listing([_quoted(s) for s in songs])}.")
        return " ".join(sentences)

    def closing(self) -> str:
        """A remark on the spread of genres, with its figure (a roast says the figure already);
        none without it: a closing line must stand on something the prompt gives."""
        variety = self.get("genre variety (0-1)")
        if not isinstance(variety, (int, float)) or self.kind == "roast" or self.tone == "neutral":
            return ""
        if variety >= WIDE_VARIETY:
            spread = f"Your genre variety is {variety}: a wide spread"
            remark = "you follow music wherever it goes." if self.tone == "supportive" else "the algorithm cannot pin you down."
        elif variety <= NARROW_VARIETY:
            spread = f"Your genre variety is {variety}: a narrow spread"
            remark = "you know what you like." if self.tone == "supportive" else "loyal, or stuck? Both."
        else:
            spread = f"Your genre variety is {variety}: neither one genre nor an even spread"
            remark = "a home base with side trips." if self.tone == "supportive" else "comfortably in between."
        return f"{spread}; {remark}"


def _counted(value: Any, noun: str) -> str:
    return f"{value} {noun}" if value == 1 else f"{value} {noun}s"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _quoted(song: str) -> str:
    """ "Name by Artist" (the prompt's form) as “Name” by Artist."""
    name, by, artist = song.rpartition(" by ")
    return f"“{name}” by {artist}" if by and name else f"“{song}”"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
