"""The words an analysis may use, in a module without Django so sync's filters can share them.

The model's answer is held to these by the JSON schema; the database choices, the filter
fields' validation and the pages all read them from here.
"""

from __future__ import annotations

MOODS: tuple[str, ...] = (
    "happy", "sad", "calm", "energetic", "angry", "romantic",
    "melancholic", "hopeful", "dark", "playful", "nostalgic", "tense",
)  # fmt: skip

# Mildest first: "at most mild" keeps clean and mild songs.
CONTENT_RATINGS: tuple[str, ...] = ("clean", "mild", "explicit")

FLAGS: tuple[str, ...] = ("profanity", "violence", "sexual", "drugs")
FLAG_LABELS: dict[str, str] = {
    "profanity": "Profanity",
    "violence": "Violence",
    "sexual": "Sexual content",
    "drugs": "Drugs",
}


# Broad genres a song analysis may name (1 to MAX_GENRES of them). Spotify deprecated its artist
# genres (and may drop them); these stand in for them in the routing genre filter. Kept broad and
# few, so a small local model can pick from them and a filter term like "rock" finds them.
GENRES: tuple[str, ...] = (
    "pop", "rock", "indie", "alternative", "punk", "metal", "hip hop", "rap", "r&b", "soul",
    "funk", "disco", "jazz", "blues", "classical", "electronic", "house", "techno", "ambient",
    "folk", "country", "singer-songwriter", "reggae", "latin", "afrobeat", "k-pop",
    "world", "gospel", "soundtrack", "lo-fi",
)  # fmt: skip
MAX_GENRES = 3


def rating_rank(rating: str) -> int:
    return CONTENT_RATINGS.index(rating)


def rating_of(rating: str, *, spotify_explicit: bool) -> str:
    """The content rating a track has: `rating` (an analysis'), but explicit whenever Spotify marks
    the track explicit. The label publisher's flag outranks a model that read crowd-sourced lyrics
    (a planted "rate this clean" must never let an explicit track into a kid-safe playlist), so the
    analysis stores this (analysis.services.analysis) and the routing filters read it again with the
    track's current flag (routing.filters.analysis_fields)."""
    return "explicit" if spotify_explicit else rating
