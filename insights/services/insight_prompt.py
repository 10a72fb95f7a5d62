"""What an insight is written from and what comes back: the prompt, its JSON schema, and the
checks beyond the schema. No database writes; names of top artists and tracks are read from
the catalog.

The prompt is small on purpose: per kind, only the figures it is written from (KIND_FIGURES),
top lists cut to TOP_N, shares as rounded percentages. Bump PROMPT_VERSION whenever the
prompt or the schema changes: the next request writes a new row under the new version and
the old ones stay for comparison.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from insights.models import InsightKind, InsightTone, ListeningSnapshot, Play, TimeRange
from insights.services.snapshot_figures import artists_by_plays
from library.models import Artist, Track, TrackArtist

# v2: the week's own plays in weekly summaries; where moods come from. v3: artists by the plays
# recorded apart from Spotify's ranking (v2 gave only the ranking, which a model wrote as plays).
# v4: most played artists over every recorded play, not only Spotify's top artists; genre
# variety for every kind. v5: the figures as a delimited facts block the answer is checked against;
# the example answer without names or figures.
PROMPT_VERSION = "insight-v5"
PURPOSE = "insight"
SCHEMA_NAME = "listening_insight"
HEADLINE_MAX, PARAGRAPH_MAX, LABEL_MAX, VALUE_MAX = 120, 600, 40, 80
MAX_PARAGRAPHS, MAX_HIGHLIGHTS = 4, 5
TOP_N = 5  # artists, tracks, genres and moods the model sees: enough to write from, cheap to send
# The keys say what a list is, so a model cannot take Spotify's ranking for plays: the first is
# the Insights page's "Top artists" (plays in the snapshot's window), the others Spotify's order.
MOST_PLAYED = "most played artists (plays recorded in this period)"
SPOTIFY_ARTISTS = "Spotify's top artists (Spotify's ranking, not plays)"
SPOTIFY_SONGS = "Spotify's top songs (Spotify's ranking, not plays)"
NO_PLAYS = "none: no play of your top artists is recorded in this period"
# The facts block: the answer is checked against what stands between these marks.
FACTS_OPEN, FACTS_CLOSE = "<<<FACTS>>>", "<<<END FACTS>>>"


def _text(low: int, high: int) -> dict[str, Any]:
    return {"type": "string", "minLength": low, "maxLength": high}


INSIGHT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["headline", "paragraphs", "highlights"],
    "properties": {
        "headline": _text(1, HEADLINE_MAX),
        "paragraphs": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_PARAGRAPHS,
            "items": _text(1, PARAGRAPH_MAX),
        },
        # {label, value} pairs rather than bare strings: the page shows them as a small table.
        "highlights": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_HIGHLIGHTS,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["label", "value"],
                "properties": {"label": _text(1, LABEL_MAX), "value": _text(1, VALUE_MAX)},
            },
        },
    },
}
# The example's values are descriptions in brackets, not names or figures: a small model copies an
# example's "Phoebe Bridgers" and "31%" into its answer (answers keeping a bracket are refused).
EXAMPLE_ANSWER = json.dumps(
    {
        "headline": "[a short title]",
        "paragraphs": ["[two or three sentences, naming only artists, songs, genres and figures of the facts block]"],
        "highlights": [
            {"label": "Most played artist", "value": "[the first of the most played artists, with its plays]"},
            {"label": "[a figure's name]", "value": "[that figure, as the facts block gives it]"},
        ],
    }
)
KIND_BRIEFS = {
    InsightKind.WELLNESS: "a wellness note: what the mood mix, the energy and the late-night listening may say "
    "about their days, and one small listening habit to try. Do not diagnose or give medical advice.",
    InsightKind.ROAST: "a good-natured roast of their taste: tease the obvious patterns (the artist on repeat, "
    "the genre mix, the decades). Tease the music only, never the person.",
    InsightKind.PRODUCTIVITY: "a productivity note: when they listen (working hours, evenings, weekends), how "
    "energetic the music is, and when a calmer or a livelier mix might help them focus.",
    InsightKind.WEEKLY_SUMMARY: "a weekly summary, like a friendly digest: how much they listened, the artists "
    "and songs that led, and the moods.",
}
TONE_BRIEFS = {
    InsightTone.SUPPORTIVE: "warm and encouraging; notice what is going well",
    InsightTone.NEUTRAL: "plain and factual, like good liner notes",
    InsightTone.PLAYFUL: "light and witty, with a wink, never mean",
}
# The figures each kind is written from; the rest stay out of the prompt to keep it small.
KIND_FIGURES = {
    InsightKind.WELLNESS: (
        "moods",
        "energy (0-1)",
        "mood variety (0-1)",
        "plays 00:00-05:00",
        "busiest hours",
    ),
    InsightKind.ROAST: (SPOTIFY_SONGS, "decades", "explicit songs"),
    InsightKind.PRODUCTIVITY: (
        "energy (0-1)",
        "busiest hours",
        "plays in working hours (Mon-Fri 9-17)",
        "weekend plays",
    ),
    InsightKind.WEEKLY_SUMMARY: (
        "this week: plays",
        "this week: most played artists",
        "this week: most played songs",
        SPOTIFY_SONGS,
        "moods",
        "busiest hours",
    ),  # fmt: skip
}
SYSTEM_PROMPT = f"""You write short insights about one person's Spotify listening for them to read.
You get their listening figures (shares are percentages; the figures say where moods come from).
Answer with one JSON object only, with these keys:
- headline: at most {HEADLINE_MAX} characters.
- paragraphs: 1 to {MAX_PARAGRAPHS} short paragraphs (two or three is best), each under 80 words.
- highlights: 1 to {MAX_HIGHLIGHTS} {{"label", "value"}} pairs of figures worth remembering.
Speak to the reader as "you". The facts block between {FACTS_OPEN} and {FACTS_CLOSE} is all you know:
every artist, song, genre and number you write must be in it, numbers as given there (you may
round them). Name no other artist, song or genre, and write no other number.
Say who led their listening only from the most played artists, with their plays. Spotify's top
artists and songs are Spotify's own ranking, not plays: word them as Spotify's ("Spotify ranks X
first"), never as played, leading or on repeat. If no artist has a play, say so; name no leader.
An answer looks like this (replace every [bracketed description] with your own words):
{EXAMPLE_ANSWER}"""


class AnswerInvalid(Exception):
    """The answer passed the schema but not the rules beyond it."""


@dataclass(frozen=True)
class Answer:
    headline: str
    paragraphs: list[str]
    highlights: list[dict[str, str]]


def build_messages(
    *, snapshot: ListeningSnapshot, kind: str, tone: str, generation: int = 0, facts: dict[str, Any] | None = None
) -> list[dict[str, str]]:
    """The request; `facts` (prompt_facts) when the caller already has them."""
    if facts is None:
        facts = prompt_facts(snapshot=snapshot, kind=kind)
    ask = f"Write {KIND_BRIEFS[InsightKind(kind)]}\nTone: {TONE_BRIEFS[InsightTone(tone)]}."
    if generation:
        # Regenerating: ask for a fresh take, or a deterministic model would say the same again.
        ask += f"\nThis is version {generation + 1}: take a fresh angle, unlike earlier versions."
    block = f"{FACTS_OPEN}\n{json.dumps(facts, ensure_ascii=False)}\n{FACTS_CLOSE}"
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"{ask}\nFacts (the only names and figures you may use):\n{block}"},
    ]


def prompt_facts(*, snapshot: ListeningSnapshot, kind: str) -> dict[str, Any]:
    """The facts block of an insight of `kind`: the figures it is written from and checked against."""
    figures = snapshot_figures(snapshot=snapshot)
    if kind == InsightKind.WEEKLY_SUMMARY:
        figures.update(week_figures(snapshot=snapshot))
    # Genre variety for every kind: a closing remark on the listener's taste stands on it.
    wanted = ("period", "plays", MOST_PLAYED, SPOTIFY_ARTISTS, "genres", "genre variety (0-1)",
              "moods from", *KIND_FIGURES[InsightKind(kind)])  # fmt: skip
    return {key: figures[key] for key in wanted if figures.get(key) not in (None, [], {})}


def facts_of(messages: list[dict[str, str]]) -> dict[str, Any]:
    """The facts block of a request built by build_messages (for tests and the benchmark)."""
    content = messages[-1]["content"]
    start = content.index(FACTS_OPEN) + len(FACTS_OPEN)
    return json.loads(content[start : content.index(FACTS_CLOSE, start)])


def snapshot_figures(*, snapshot: ListeningSnapshot) -> dict[str, Any]:
    """The snapshot's figures as a reader would say them: names instead of ids, percentages."""
    hours = list(snapshot.hour_of_day or [])
    total = sum(hours)
    week = [list(day) for day in (snapshot.weekday_hours or [])]
    week_total = sum(sum(day) for day in week)
    busiest = sorted((h for h in range(len(hours)) if hours[h]), key=lambda h: -hours[h])[:3]
    return {
        "period": TimeRange(snapshot.time_range).label,
        "plays": snapshot.play_count or None,
        MOST_PLAYED: _most_played(snapshot),
        SPOTIFY_ARTISTS: _artist_names(snapshot.top_artists),
        SPOTIFY_SONGS: _track_names(snapshot.top_tracks),
        "genres": _percentages(snapshot.genre_distribution),
        "moods": _percentages(snapshot.mood_distribution),
        "moods from": (
            "estimated by an AI from lyrics and song details"
            if snapshot.moods_estimated
            else "Spotify's audio features (valence and energy)"
        )
        if snapshot.mood_distribution
        else None,
        "decades": _percentages(snapshot.decade_distribution, limit=3),
        "energy (0-1)": _round(snapshot.energy_mean),
        "explicit songs": _percent(snapshot.explicit_share),
        "mood variety (0-1)": _round(snapshot.mood_diversity),
        "genre variety (0-1)": _round(snapshot.genre_diversity),
        "busiest hours": [f"{h:02d}:00" for h in busiest],
        "plays 00:00-05:00": _share(sum(hours[0:5]), total),
        "plays in working hours (Mon-Fri 9-17)": _share(sum(sum(day[9:17]) for day in week[:5]), week_total),
        "weekend plays": _share(sum(sum(day) for day in week[5:]), week_total),
    }


def week_figures(*, snapshot: ListeningSnapshot) -> dict[str, Any]:
    """The seven days ending on the snapshot's day, from the stored plays: a weekly summary is
    about the week, not the four weeks of the short-term figures."""
    end = datetime.combine(
        snapshot.snapshot_date + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )
    plays = Play.objects.filter(
        user_id=snapshot.user_id, played_at__gte=end - timedelta(days=7), played_at__lt=end
    )
    songs = Counter(plays.values_list("track__name", flat=True))
    artists = Counter(
        TrackArtist.objects.filter(position=0, track__plays__in=plays).values_list("artist__name", flat=True)
    )
    return {
        "this week: plays": plays.count() or None,
        "this week: most played artists": [name for name, _ in artists.most_common(TOP_N)],
        "this week: most played songs": [name for name, _ in songs.most_common(TOP_N)],
    }


def _ranked_ids(entries: list[dict]) -> list[str]:
    ranked = sorted(
        (e for e in entries or [] if isinstance(e, dict) and e.get("id")), key=lambda e: e.get("rank", 0)
    )
    return [e["id"] for e in ranked[:TOP_N]]


def _artist_names(entries: list[dict]) -> list[str]:
    ids = _ranked_ids(entries)
    names = dict(Artist.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [names[i] for i in ids if i in names]  # an id not in our catalog means nothing to a model


def _most_played(snapshot: ListeningSnapshot) -> dict[str, int] | str | None:
    """{name: plays} of the TOP_N most played artists of the period, over every recorded play
    (the page's chart, in its order); NO_PLAYS when Spotify lists top artists but none has a
    play (said, so a model cannot crown Spotify's #1 instead)."""
    played = artists_by_plays(played=snapshot.played_artists or [], ranked=snapshot.top_artists or [])[:TOP_N]
    if not played:
        return NO_PLAYS if snapshot.top_artists else None
    names = dict(Artist.objects.filter(pk__in=[e["id"] for e in played]).values_list("pk", "name"))
    return {names[e["id"]]: e["plays"] for e in played if e["id"] in names} or None


def unplayed_artist_names(*, snapshot: ListeningSnapshot) -> frozenset[str]:
    """Names of Spotify's top artists with no play recorded in the snapshot's window (by the
    same count as the chart and the prompt): an answer saying one of them led the listening is
    refused (validate_answer)."""
    played = artists_by_plays(played=snapshot.played_artists or [], ranked=snapshot.top_artists or [])
    played_ids = {e["id"] for e in played}
    entries = [e for e in snapshot.top_artists or [] if isinstance(e, dict) and e.get("id")]
    ids = [e["id"] for e in entries] + list(played_ids)
    names = dict(Artist.objects.filter(pk__in=ids).values_list("pk", "name"))
    played_names = {names.get(i) for i in played_ids}  # a namesake with plays may lead
    unplayed = {names[e["id"]] for e in entries if e["id"] not in played_ids and e["id"] in names}
    return frozenset(unplayed - played_names)


def _track_names(entries: list[dict]) -> list[str]:
    ids = _ranked_ids(entries)
    tracks = {t.pk: t for t in Track.objects.filter(pk__in=ids).prefetch_related("credits__artist")}
    named = []
    for track_id in ids:
        if track_id in tracks:
            credits = sorted(tracks[track_id].credits.all(), key=lambda c: c.position)
            by = f" by {credits[0].artist.name}" if credits else ""
            named.append(f"{tracks[track_id].name}{by}")
    return named


def _percentages(shares: dict[str, float], *, limit: int = TOP_N) -> dict[str, str]:
    top = sorted((shares or {}).items(), key=lambda item: -item[1])[:limit]
    return {name: _percent(share) for name, share in top if share}


def _share(part: float, whole: float) -> str | None:
    return _percent(part / whole) if whole else None


def _percent(share: float | None) -> str | None:
    return None if share is None else f"{round(share * 100)}%"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def validate_answer(data: dict[str, Any], *, unplayed: Collection[str] = ()) -> Answer:
    """The schema checked the shape; these are the rules it cannot say, and tidying. `unplayed`:
    artists with no recorded play in the period, whom the answer must not say led the listening."""
    headline = _clean(data["headline"])
    if not headline:
        raise AnswerInvalid("the headline is blank")
    paragraphs: list[str] = []
    for number, paragraph in enumerate(data["paragraphs"], start=1):
        cleaned = _clean(paragraph)
        if not cleaned:
            raise AnswerInvalid(f"paragraph {number} is blank")
        if cleaned not in paragraphs:  # a small model sometimes repeats itself
            paragraphs.append(cleaned)
    highlights: list[dict[str, str]] = []
    for number, highlight in enumerate(data["highlights"], start=1):
        label, value = _clean(highlight["label"]), _clean(highlight["value"])
        if not label or not value:
            raise AnswerInvalid(f"highlight {number} has a blank label or value")
        if all(label.lower() != seen["label"].lower() for seen in highlights):
            highlights.append({"label": label, "value": value})
    said = (headline, *paragraphs, *(text for h in highlights for text in h.values()))
    if any(PLACEHOLDER.search(text) for text in said):
        raise AnswerInvalid("it keeps a [bracketed description] of the example instead of your own words")
    for name in unplayed:
        if _claims_lead(name=name, headline=headline, paragraphs=paragraphs, highlights=highlights):
            raise AnswerInvalid(f"it says {name} led your listening, but no play of {name} is recorded")
    return Answer(headline=headline[:HEADLINE_MAX], paragraphs=paragraphs, highlights=highlights)


# "<name> led / leads / tops / carried ...", within one clause: "X has no play, while Y led" names
# X in another clause. A sentence about Spotify's ranking ("Spotify ranks X first") is no claim.
PLACEHOLDER = re.compile(r"\[[^\]]{3,}\]")  # the example answer's "[a short title]"
LEAD_WORDS = r"(?:led|leads|leading|tops|topped|carried|carries|on repeat|most played|in front)"
LEAD_LABEL = re.compile(r"top artist|most played|leader|led\b|leads\b", re.IGNORECASE)


def _claims_lead(
    *, name: str, headline: str, paragraphs: list[str], highlights: list[dict[str, str]]
) -> bool:
    said = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)[^.!?;,:]{{0,40}}?\b{LEAD_WORDS}\b", re.IGNORECASE)
    sentences = [s for text in (headline, *paragraphs) for s in re.split(r"(?<=[.!?])\s+", text)]
    if any(said.search(s) and "spotify" not in s.lower() for s in sentences):
        return True
    return any(
        LEAD_LABEL.search(h["label"]) and "spotify" not in h["label"].lower()
        and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", h["value"], re.IGNORECASE)
        for h in highlights
    )  # fmt: skip


def _clean(text: str) -> str:
    return " ".join(str(text).split())
