"""The sandbox model's song analyses: read from the prompt, never made up.

A request is a song analysis when its JSON schema asks for ANALYSIS_KEYS (the property names, not
a marker: the prompt's wording may change). The answer is built from what the prompt gives:
the song block (title, artists, Spotify's explicit flag), the lyrics block or the note that there
are none, plus what a large model would know of the artists, here the catalog's genres for them
(`Knowledge`, the lyrics book). The request's hash only picks among equally fitting words
(a mood of the genre's few, an energy inside its range), so the same prompt keeps its answer.

- Genres: the artists' catalog genres in the schema's vocabulary; moods and energy follow them.
- With lyrics: the language from their common words, flags only for the words behind each flag
  (the lyrics' own language's list), themes from phrases they contain, confidence 0.8-0.95.
- Without lyrics (instrumental or unknown): no themes, no flags (only the rating follows
  Spotify's explicit mark), language "zxx" (no words) or "und" (undetermined), confidence at most
  0.4, and a summary that says it is a guess from the genre.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from typing import Any, Protocol

from sandbox.catalog.models import Artist
from sandbox.llm.lyric_languages import LANGUAGE_NAMES, LEXICONS, Lexicon
from sandbox.llm.prompt_reading import user_text

ANALYSIS_KEYS = frozenset(
    {"mood", "energy", "themes", "genres", "flags", "content_rating", "language", "summary", "confidence"}
)
SONG_BLOCK = re.compile(r"<<<SONG>>>[ \t]*\n(.*?)\n[ \t]*<<<END SONG>>>", re.DOTALL)
LYRICS_BLOCK = re.compile(r"<<<LYRICS>>>[ \t]*\n(.*?)\n[ \t]*<<<END LYRICS>>>", re.DOTALL)
WORD = re.compile(r"[^\W\d_]+")  # letters only: "m'attendrait" → "m", "attendrait"; ß and accents kept
NO_WORDS, UNDETERMINED = "zxx", "und"

# What each product flag is raised by: the lexicons' flag themes. A flag with no theme here
# ("sexual": the sandbox's lyrics never go there) stays false.
FLAG_SOURCES = {"profanity": "profanity", "violence": "violence", "drugs": "substances"}
FLAG_THEME_NAMES = {"violence": "violence"}
# The substances a lyric names, by its words in each lexicon, so the theme claims what the lines
# say ("drink and smoking"), never more ("drink and drugs" for a song that only smokes).
SUBSTANCES = {
    "whiskey": "drink", "whisky": "drink", "uísque": "drink",
    "pills": "pills", "pastillas": "pills", "comprimidos": "pills", "cachets": "pills",
    "smoking": "smoking", "fumando": "smoking", "fume": "smoking",
}  # fmt: skip

# Catalog genres a word match cannot place ("trap" is not "hip hop" by its letters).
GENRE_ALIASES = {
    "afrobeats": "afrobeat", "afropop": "afrobeat", "amapiano": "afrobeat", "highlife": "afrobeat",
    "trap": "hip hop", "boom bap": "hip hop", "cloud rap": "rap", "grime": "rap", "drill": "rap",
    "motown": "soul", "quiet storm": "r&b", "new jack swing": "r&b", "trance": "electronic",
    "drum and bass": "electronic", "dubstep": "electronic", "idm": "electronic", "jungle": "electronic",
    "downtempo": "electronic", "trip hop": "electronic", "synthwave": "electronic", "electro": "electronic",
    "breakbeat": "electronic", "uk garage": "electronic", "chillwave": "lo-fi", "lo-fi beats": "lo-fi",
    "shoegaze": "alternative", "grunge": "alternative", "new wave": "alternative", "emo": "punk",
    "britpop": "rock", "krautrock": "rock", "bebop": "jazz", "hard bop": "jazz", "reggaeton": "latin",
    "bachata": "latin", "salsa": "latin", "cumbia": "latin", "tango": "latin", "samba": "latin",
    "bossa nova": "latin", "mpb": "latin", "flamenco": "latin", "regional mexican": "latin",
    "dub": "reggae", "dancehall": "reggae", "ska": "reggae", "fado": "world", "bhangra": "world",
    "bollywood": "world", "mandopop": "world", "opera": "classical", "baroque": "classical",
    "romantic era": "classical", "minimalism": "classical", "chamber music": "classical",
    "choral": "classical", "video game music": "soundtrack", "americana": "folk", "bluegrass": "country",
    "celtic": "folk", "j-pop": "pop", "city pop": "pop", "europop": "pop", "hyperpop": "pop",
}  # fmt: skip
FAMILY_GENRES = {"folk & country": ("folk", "country")}

# Moods (most fitting first) and energy ranges by broad genre; the first genre of a song leads.
MOODS_BY_GENRE: dict[str, tuple[str, ...]] = {
    "rock": ("energetic", "nostalgic", "angry"), "punk": ("angry", "energetic", "playful"),
    "metal": ("angry", "dark", "tense"), "pop": ("happy", "romantic", "playful"),
    "k-pop": ("happy", "energetic", "playful"), "indie": ("melancholic", "nostalgic", "hopeful"),
    "alternative": ("melancholic", "tense", "nostalgic"), "electronic": ("energetic", "playful", "tense"),
    "house": ("energetic", "happy", "playful"), "techno": ("energetic", "tense", "dark"),
    "disco": ("happy", "playful", "energetic"), "funk": ("playful", "happy", "energetic"),
    "ambient": ("calm", "melancholic"), "lo-fi": ("calm", "nostalgic", "melancholic"),
    "classical": ("calm", "melancholic", "romantic"), "soundtrack": ("tense", "hopeful", "calm"),
    "hip hop": ("energetic", "tense", "playful"), "rap": ("energetic", "angry", "tense"),
    "r&b": ("romantic", "calm", "sad"), "soul": ("romantic", "sad", "hopeful"),
    "jazz": ("calm", "romantic", "nostalgic"), "blues": ("sad", "melancholic", "nostalgic"),
    "folk": ("nostalgic", "hopeful", "melancholic"), "country": ("nostalgic", "sad", "hopeful"),
    "singer-songwriter": ("melancholic", "nostalgic", "hopeful"), "latin": ("happy", "romantic", "playful"),
    "reggae": ("happy", "calm", "hopeful"), "afrobeat": ("happy", "energetic", "playful"),
    "world": ("happy", "nostalgic", "calm"), "gospel": ("hopeful", "happy"),
}  # fmt: skip
ENERGY_BY_GENRE: dict[str, tuple[float, float]] = {
    "metal": (0.8, 0.95), "punk": (0.8, 0.95), "techno": (0.7, 0.9), "house": (0.7, 0.9),
    "electronic": (0.65, 0.85), "disco": (0.65, 0.85), "funk": (0.6, 0.8), "rock": (0.6, 0.85),
    "hip hop": (0.55, 0.8), "rap": (0.6, 0.8), "pop": (0.55, 0.8), "k-pop": (0.65, 0.85),
    "latin": (0.55, 0.8), "reggae": (0.4, 0.6), "afrobeat": (0.6, 0.8), "r&b": (0.35, 0.6),
    "soul": (0.35, 0.6), "indie": (0.4, 0.65), "alternative": (0.45, 0.7), "gospel": (0.4, 0.65),
    "folk": (0.2, 0.45), "country": (0.35, 0.6), "singer-songwriter": (0.15, 0.4), "blues": (0.3, 0.55),
    "jazz": (0.2, 0.5), "world": (0.35, 0.65), "ambient": (0.05, 0.2), "lo-fi": (0.15, 0.35),
    "classical": (0.1, 0.35), "soundtrack": (0.2, 0.5),
}  # fmt: skip
DARK_MOODS = ("dark", "tense")  # what lyrics of violence weigh toward
MAX_THEMES_CLAIMED = 3


class Knowledge(Protocol):
    """What the model knows besides the prompt: the catalog's artists by name."""

    def artist(self, name: str) -> Artist | None: ...


def is_song_analysis(schema: Any) -> bool:
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return isinstance(properties, dict) and ANALYSIS_KEYS <= set(properties)


def song_analysis(
    *,
    schema: dict[str, Any],
    messages: Any,
    rng: random.Random,
    knowledge: Knowledge | None,
    fill: Callable[[Any], Any],
) -> dict[str, Any] | None:
    """The analysis the prompt supports, or None when the prompt holds no song block (then the
    caller fills the schema as for any other request). `fill` fills a property we do not know."""
    text = user_text(messages)
    song_match = SONG_BLOCK.search(text)
    if song_match is None:
        return None
    try:
        song = json.loads(song_match.group(1))
    except ValueError:
        return None
    if not isinstance(song, dict):
        return None
    lyrics_match = LYRICS_BLOCK.search(text, song_match.end())
    lyrics = lyrics_match.group(1) if lyrics_match else None
    outside = text[song_match.end() :] if lyrics is None else ""
    instrumental = lyrics is None and "instrumental" in outside.lower()
    return _Analyst(schema=schema, song=song, lyrics=lyrics, instrumental=instrumental,
                    rng=rng, knowledge=knowledge).document(fill)  # fmt: skip


def detect_language(text: str) -> str:
    """The ISO 639-1 code whose common words the text uses most; "und" when it uses none."""
    words = WORD.findall(text.lower())
    scores = {code: sum(word in lexicon.common for word in words) for code, lexicon in LEXICONS.items()}
    best = max(scores, key=lambda code: (scores[code], code == "en"))
    return best if scores[best] else UNDETERMINED


def raised_flags(text: str, lexicon: Lexicon) -> set[str]:
    """The flag themes (profanity, violence, substances) whose words the text uses."""
    words = set(WORD.findall(text.lower()))
    return {theme for theme, marks in lexicon.flags.items() if words & marks}


def substances_named(text: str, lexicon: Lexicon) -> str:
    """"drink and smoking": what the lyric's substance words name, in alphabetical order."""
    words = set(WORD.findall(text.lower())) & lexicon.flags["substances"]
    named = sorted({SUBSTANCES.get(word, "substances") for word in words})
    return " and ".join(named) if named else "substances"


def themes_in(text: str, lexicon: Lexicon) -> list[str]:
    """The lexicon's themes whose phrases the text holds, the most mentioned first."""
    lowered = text.lower()
    counted = [
        (sum(lowered.count(phrase) for phrase in phrases), n, theme)
        for n, (theme, phrases) in enumerate(lexicon.themes)
    ]
    return [theme for count, _, theme in sorted(counted, key=lambda c: (-c[0], c[1])) if count]


def vocabulary_genres(
    catalog_genres: tuple[str, ...], *, family: str | None, allowed: list[str]
) -> list[str]:
    """The catalog's genres said in the schema's vocabulary, the artist's first genres first,
    then the broad genre of the artist's family."""
    found: list[str] = []

    def add(genre: str) -> None:
        if genre in allowed and genre not in found:
            found.append(genre)

    for genre in catalog_genres:
        add(genre)
        add(GENRE_ALIASES.get(genre, ""))
        for word in sorted(allowed, key=len, reverse=True):
            if re.search(rf"(?<![a-z&]){re.escape(word)}(?![a-z])", genre):
                add(word)
    if family:
        for genre in FAMILY_GENRES.get(family, (family,)):
            add(genre)
    return found


class _Analyst:
    def __init__(
        self,
        *,
        schema: dict[str, Any],
        song: dict[str, Any],
        lyrics: str | None,
        instrumental: bool,
        rng: random.Random,
        knowledge: Knowledge | None,
    ) -> None:
        self.properties: dict[str, Any] = schema["properties"]
        self.rng = rng
        self.lyrics = lyrics
        self.instrumental = instrumental
        self.title = str(song.get("title") or "this song")
        names = song.get("artists") if isinstance(song.get("artists"), list) else []
        self.artist_names = [str(name) for name in names if name]
        self.explicit = song.get("marked_explicit_by_spotify") is True
        self.known = [a for a in (knowledge.artist(n) for n in self.artist_names) if a] if knowledge else []

    def _enum(self, key: str, *path: str) -> list[str]:
        schema = self.properties.get(key, {})
        for step in path:
            schema = schema.get(step, {}) if isinstance(schema, dict) else {}
        return list(schema.get("enum") or []) if isinstance(schema, dict) else []

    def document(self, fill: Callable[[Any], Any]) -> dict[str, Any]:
        rng = self.rng
        allowed_genres = self._enum("genres", "items")
        genres: list[str] = []
        for artist in self.known:
            for genre in vocabulary_genres(artist.genres, family=artist.family, allowed=allowed_genres):
                if genre not in genres:
                    genres.append(genre)
        max_genres = self.properties["genres"].get("maxItems", 3)
        genres = genres[:max_genres]
        if not genres and allowed_genres:
            genres = [rng.choice(allowed_genres)]  # an artist it does not know: a plain guess
        lead = genres[0] if genres else ""

        flags: set[str] = set()
        themes: list[str] = []
        language = NO_WORDS if self.instrumental else UNDETERMINED
        if self.lyrics is not None:
            language = detect_language(self.lyrics)
            lexicon = LEXICONS.get(language)
            if lexicon is not None:
                flags = raised_flags(self.lyrics, lexicon)
                # What is flagged first: a reader looks for it, and the themes are cut short.
                themes = [FLAG_THEME_NAMES["violence"]] if "violence" in flags else []
                if "substances" in flags:
                    themes.append(substances_named(self.lyrics, lexicon))
                themes += themes_in(self.lyrics, lexicon)

        moods = self._enum("mood")
        fitting = [m for m in MOODS_BY_GENRE.get(lead, ()) if m in moods]
        if "violence" in flags:
            fitting = [m for m in DARK_MOODS if m in moods] or fitting
        mood = rng.choice(fitting or moods) if (fitting or moods) else "calm"
        low, high = ENERGY_BY_GENRE.get(lead, (0.3, 0.7))
        energy = round(rng.uniform(low, high), 2)

        ratings = self._enum("content_rating")
        rating = "explicit" if self.explicit else ("mild" if flags else "clean")
        if ratings and rating not in ratings:
            rating = ratings[0]
        flag_names = list((self.properties["flags"].get("properties") or {}))
        flag_values = {name: FLAG_SOURCES.get(name) in flags for name in flag_names}

        if self.lyrics is not None:
            confidence = rng.uniform(0.8, 0.95)
        else:
            confidence = rng.uniform(0.3, 0.4) if self.instrumental else rng.uniform(0.2, 0.35)
        if not self.known:
            confidence -= 0.15  # the genre itself was a guess
        max_themes = min(MAX_THEMES_CLAIMED, self.properties["themes"].get("maxItems", MAX_THEMES_CLAIMED))
        built = {
            "mood": mood,
            "energy": energy,
            "themes": themes[:max_themes],
            "genres": genres,
            "flags": flag_values,
            "content_rating": rating,
            "language": language,
            "summary": self._summary(mood=mood, genre=lead, themes=themes, language=language),
            "confidence": round(max(0.05, confidence), 2),
        }
        return {key: built[key] if key in built else fill(sub) for key, sub in self.properties.items()}

    def _summary(self, *, mood: str, genre: str, themes: list[str], language: str) -> str:
        by = _listing(self.artist_names) or "an unknown artist"
        if len(by) > 60:
            by = by[:57].rstrip(" ,") + "…"
        kind = f"{genre} " if genre else ""
        if self.lyrics is not None:
            about = f" about {_listing(themes[:2])}" if themes else ""
            sung = f", sung in {LANGUAGE_NAMES[language]}" if language in LANGUAGE_NAMES else ""
            text = f"{_a(mood)} {mood} {kind}song by {by}{about}{sung}."
        elif self.instrumental:
            text = f"An instrumental {kind}track by {by}; its {mood} mood is guessed from the genre."
        else:
            genre = genre or "unknown"
            text = f"No lyrics to go on: guessed from the genre of {by} ({genre}), likely {mood}."
        if not self.known:
            text += " The artist is unknown to me."
        if self.explicit and self.lyrics is None:
            text += " Spotify marks it explicit."
        limit = self.properties["summary"].get("maxLength", 200)
        return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _a(word: str) -> str:
    return "An" if word[:1].lower() in "aeiou" else "A"


def _listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
