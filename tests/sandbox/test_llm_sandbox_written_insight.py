"""The LLM sandbox writes a listening insight from the figures in the product's prompt
(insights.services.insight_prompt.build_messages): readable sentences that name the listener's
real top artists and give the figures as they were given, and nothing else."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from insights.models import InsightKind, InsightTone
from insights.services.insight_prompt import INSIGHT_SCHEMA, MOST_PLAYED, SPOTIFY_ARTISTS, build_messages
from sandbox.llm.answers import Want, answer
from sandbox.llm.schema_fill import WORDS
from tests.insights.factories import ListeningSnapshotFactory, PlayFactory, RichListeningSnapshotFactory

pytestmark = pytest.mark.django_db
NUMBER = re.compile(r"\d+(?:\.\d+)?")
NAMED = re.compile(r"\b(?:Artist|Singer|Song) \d+\b")  # the rich snapshot's catalog names


def written(snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL, generation=0) -> tuple[dict, dict]:
    """(the answer, the figures the prompt gave) for the product's prompt."""
    messages = build_messages(snapshot=snapshot, kind=kind, tone=tone, generation=generation)
    figures = json.loads(messages[-1]["content"].split("Figures: ", 1)[1])
    reply = answer(seed=1, model="llama-3.1-70b-instruct", messages=messages,
                   want=Want("schema", INSIGHT_SCHEMA), malformed=None)  # fmt: skip
    document = json.loads(reply.content)
    jsonschema.validate(document, INSIGHT_SCHEMA)
    return document, figures


def text_of(document: dict) -> str:
    highlights = " ".join(f"{h['label']} {h['value']}" for h in document["highlights"])
    return " ".join([document["headline"], *document["paragraphs"], highlights])


def numbers(text: str) -> set[float]:
    return {float(n) for n in NUMBER.findall(text)}


@pytest.mark.parametrize("kind", list(InsightKind))
@pytest.mark.parametrize("tone", list(InsightTone))
def test_an_insight_names_the_top_artist_and_every_number_in_it_is_one_of_the_figures(kind, tone):
    snapshot = RichListeningSnapshotFactory()
    if kind == InsightKind.WEEKLY_SUMMARY:
        PlayFactory(user=snapshot.user)  # a play this week, so the week has figures too
    document, figures = written(snapshot, kind=kind, tone=tone)
    text = text_of(document)

    assert next(iter(figures[MOST_PLAYED])) == "Artist 1"
    assert "Artist 1" in document["headline"] and "Artist 1" in " ".join(document["paragraphs"])
    assert numbers(text) and numbers(text) <= numbers(json.dumps(figures))
    assert set(NAMED.findall(text)) <= set(NAMED.findall(json.dumps(figures)))  # no one made up


def test_the_figures_are_said_as_given_in_sentences_not_word_salad():
    document, figures = written(RichListeningSnapshotFactory(), kind=InsightKind.WELLNESS)
    paragraphs = " ".join(document["paragraphs"])

    assert f"Linernotes counted {figures['plays']} plays" in paragraphs
    top_mood, share = next(iter(figures["moods"].items()))
    assert f"{top_mood} ({share})" in paragraphs
    assert f"average energy is {figures['energy (0-1)']}" in paragraphs
    assert all(p.rstrip("”").endswith((".", "?", "!")) and (p[0].isupper() or p[0].isdigit()) for p in document["paragraphs"])
    # The schema filler's vocabulary strung together is what the demo showed before.
    salad = [w for w in paragraphs.lower().split() if w.strip(".,") in WORDS]
    assert len(salad) < 4


def test_each_kind_leads_with_its_own_figures():
    snapshot = RichListeningSnapshotFactory()
    roast, figures = written(snapshot, kind=InsightKind.ROAST, tone=InsightTone.PLAYFUL)
    productivity, work = written(snapshot, kind=InsightKind.PRODUCTIVITY)

    assert "“Song 1” by Singer 1" in " ".join(roast["paragraphs"])
    assert figures["explicit songs"] in " ".join(roast["paragraphs"])
    assert work["plays in working hours (Mon-Fri 9-17)"] in " ".join(productivity["paragraphs"])


def test_a_regeneration_asked_for_a_fresh_angle_gets_another_headline():
    snapshot = RichListeningSnapshotFactory()
    headlines = [written(snapshot, generation=n)[0]["headline"] for n in range(3)]

    assert headlines[0] != headlines[1] != headlines[2]
    assert written(snapshot, generation=1)[0]["headline"] == headlines[1]  # deterministic


def test_a_snapshot_with_little_in_it_gets_a_short_true_insight():
    snapshot = ListeningSnapshotFactory(play_count=0, top_artists=[], top_tracks=[], genre_distribution={},
                                        mood_distribution={}, hour_of_day=[0] * 24, energy_mean=None)  # fmt: skip
    document, figures = written(snapshot)
    text = text_of(document)

    assert MOST_PLAYED not in figures and SPOTIFY_ARTISTS not in figures
    assert not NAMED.findall(text)
    assert numbers(text) <= numbers(json.dumps(figures))
