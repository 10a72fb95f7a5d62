"""The LLM sandbox writes a listening insight from the figures in the product's prompt
(insights.services.insight_prompt.build_messages): readable sentences that name the listener's
real top artists and give the figures as they were given, and nothing else."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from insights.models import InsightKind, InsightTone, TimeRange
from insights.services.insight_prompt import (
    INSIGHT_SCHEMA,
    MOST_PLAYED,
    SPOTIFY_ARTISTS,
    build_messages,
    facts_of,
    unplayed_artist_names,
    validate_answer,
)
from sandbox.llm.answers import Want, answer
from sandbox.llm.schema_fill import WORDS
from tests.accounts.factories import UserFactory
from tests.insights.factories import ListeningSnapshotFactory, PlayFactory, RichListeningSnapshotFactory
from tests.library.factories import ArtistFactory

pytestmark = pytest.mark.django_db
NUMBER = re.compile(r"\d+(?:\.\d+)?")
NAMED = re.compile(r"\b(?:Artist|Singer|Song) \d+\b")  # the rich snapshot's catalog names


def written(snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL, generation=0) -> tuple[dict, dict]:
    """(the answer, the figures the prompt gave) for the product's prompt."""
    messages = build_messages(snapshot=snapshot, kind=kind, tone=tone, generation=generation)
    figures = facts_of(messages)
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


# --- who led: the page's top artist by plays, never Spotify's #1 without a play ---------------

LED = re.compile(r"(?:^|, )([A-Z][^,.]*?) led your listening")  # "…, Cedar led your listening"


def _ranked_apart(user, *, time_range=TimeRange.SHORT, plays=(0, 4, 8, 4), play_count=16):
    """A snapshot whose Spotify #1 (Ash) is not its most played artist (Cedar, with these plays)."""
    names = ("Ash", "Birch", "Cedar", "Dune")
    for rank, name in enumerate(names, 1):
        ArtistFactory(spotify_id=f"apart-{rank}", name=name)
    return RichListeningSnapshotFactory(
        user=user, time_range=time_range, play_count=play_count, catalog=False,
        top_artists=[{"id": f"apart-{rank}", "rank": rank, "plays": n} for rank, n in enumerate(plays, 1)],
    )  # fmt: skip


def _page_top_artist(client, user, time_range) -> str:
    """The first name in the Insights page's "Top artists" chart, as a listener reads it."""
    client.force_login(user)
    html = client.get(f"/insights/?range={time_range}").content.decode()
    chart = html[html.index('id="artists-heading"') :]
    return re.search(r'<span class="bar-label">([^<]+)<small>', chart).group(1)


@pytest.mark.parametrize("tone", list(InsightTone))
def test_the_artist_said_to_lead_is_the_pages_top_artist_by_plays_not_spotifys_first(client, tone):
    user = UserFactory()
    snapshot = _ranked_apart(user, time_range=TimeRange.MEDIUM)

    document, figures = written(snapshot, tone=tone)
    paragraphs = " ".join(document["paragraphs"])

    page_top = _page_top_artist(client, user, TimeRange.MEDIUM)
    assert page_top == "Cedar"
    assert LED.search(paragraphs).group(1) == page_top
    assert "Cedar led your listening with 8 plays, followed by Birch (4 plays) and Dune (4 plays)." in paragraphs
    assert "Spotify ranks Ash first among your artists over the last 6 months." in paragraphs
    assert "Ash" not in document["headline"]
    assert {"label": "Most played artist", "value": "Cedar (8 plays)"} in document["highlights"]
    # The product's own check agrees: nothing here says Ash led.
    validate_answer(document, unplayed=unplayed_artist_names(snapshot=snapshot))


def test_with_no_plays_the_insight_says_so_and_names_no_leader():
    snapshot = _ranked_apart(UserFactory(), plays=(0, 0, 0, 0), play_count=0)

    document, _ = written(snapshot, tone=InsightTone.SUPPORTIVE)
    text = text_of(document)

    assert "Over the last 4 weeks, no play of your top artists is recorded, so none of them can be said to " \
        "have led your listening." in text  # fmt: skip
    assert not LED.search(text) and "Most played" not in text
    assert "Spotify ranks Ash first among your artists over the last 4 weeks." in text
    assert document["headline"] in ("A look at your last 4 weeks", "Your last 4 weeks, in figures")
    validate_answer(document, unplayed=unplayed_artist_names(snapshot=snapshot))


# Every range's headline (one per tone and version) and the sentence that opens the insight.
HEADLINES = {
    TimeRange.SHORT: (
        ["Cedar tops your plays over the last 4 weeks", "Most played over the last 4 weeks: Cedar"],
        ["Cedar carried your last 4 weeks", "Over the last 4 weeks, Cedar is out in front"],
        "Over the last 4 weeks, Cedar led your listening",
        "Spotify ranks Ash first among your artists over the last 4 weeks.",
    ),
    TimeRange.MEDIUM: (
        ["Cedar tops your plays over the last 6 months", "Most played over the last 6 months: Cedar"],
        ["Cedar carried your last 6 months", "Over the last 6 months, Cedar is out in front"],
        "Over the last 6 months, Cedar led your listening",
        "Spotify ranks Ash first among your artists over the last 6 months.",
    ),
    TimeRange.LONG: (
        ["Cedar tops your plays so far", "Most played so far: Cedar"],
        ["Cedar carried your listening so far", "So far, Cedar is out in front"],
        "Across everything Linernotes has recorded, Cedar led your listening",
        "Spotify ranks Ash first among your artists of all time.",
    ),
}


@pytest.mark.parametrize("time_range", list(TimeRange))
def test_each_ranges_headline_and_opening_read_as_english(time_range):
    neutral, supportive, opening, ranking = HEADLINES[time_range]
    snapshot = _ranked_apart(UserFactory(), time_range=time_range)

    assert [written(snapshot, generation=n)[0]["headline"] for n in range(2)] == neutral
    assert [written(snapshot, tone=InsightTone.SUPPORTIVE, generation=n)[0]["headline"] for n in range(2)] == supportive
    paragraphs = " ".join(written(snapshot)[0]["paragraphs"])
    assert paragraphs.startswith(opening) and ranking in paragraphs
    assert "your all time" not in paragraphs.lower() and "your all time" not in " ".join(neutral + supportive).lower()


@pytest.mark.parametrize(
    ("variety", "spread"), [(0.85, "a wide spread"), (0.2, "a narrow spread"), (0.55, "neither one genre")]
)
@pytest.mark.parametrize("tone", [InsightTone.SUPPORTIVE, InsightTone.PLAYFUL])
def test_the_closing_remark_stands_on_the_genre_variety_it_quotes(variety, spread, tone):
    document, figures = written(RichListeningSnapshotFactory(genre_diversity=variety), tone=tone)

    assert figures["genre variety (0-1)"] == variety
    closing = document["paragraphs"][-1]
    assert closing.startswith(f"Your genre variety is {variety}: {spread}"), closing
    text = text_of(document)
    for canned in ("listening well", "clear voice", "Keep following what you love", "algorithm salutes"):
        assert canned not in text


def test_without_a_genre_variety_there_is_no_closing_remark():
    document, figures = written(RichListeningSnapshotFactory(genre_diversity=None), tone=InsightTone.SUPPORTIVE)

    assert "genre variety (0-1)" not in figures
    assert "genre variety" not in text_of(document).lower()


@pytest.mark.parametrize(("energy", "idea"), [(0.8, "a calmer album"), (0.3, "something brighter"), (None, None)])
def test_a_wellness_idea_stands_on_the_energy_figure_and_there_is_none_without_it(energy, idea):
    document, figures = written(RichListeningSnapshotFactory(energy_mean=energy), tone=InsightTone.SUPPORTIVE)

    text = text_of(document)
    assert figures.get("energy (0-1)") == energy
    if idea is None:
        assert "One idea" not in text  # no song analysed yet: nothing to base advice on
    else:
        assert "One idea: " in text and idea in text
