"""Written insights keep to their facts, against the live LLM sandbox: an ungrounded answer is
repaired once, then the next provider is asked, and with none grounded nothing is stored; what
was checked is stored with the insight and shown under "Based on"."""

from __future__ import annotations

import json

import pytest

from core.runs import RunStatus
from insights.models import InsightKind, InsightTone, TimeRange
from insights.services.insight_grounding import InsightCheck, listener_vocabulary
from insights.services.insight_prompt import INSIGHT_SCHEMA, build_messages, facts_of, prompt_facts
from insights.services.insight_writer import request_insight, write_insight
from llm.models import CallOutcome, CircuitState, LLMCall, ProviderHealth, ProviderKind
from sandbox.llm.answers import Want, answer
from tests.accounts.factories import UserFactory
from tests.fixtures.llm_sandbox import FALLBACK_MODEL
from tests.insights.factories import GeneratedInsightFactory, PlayFactory, RichListeningSnapshotFactory
from tests.library.factories import ArtistFactory
from tests.llm.factories import ProviderFactory

pytestmark = pytest.mark.django_db
# The case: an artist the listener never played and a share no figure supports.
UNGROUNDED = {
    "headline": "Calm weeks with Phoebe Bridgers",
    "paragraphs": ["36 % of your plays are calm, and Phoebe Bridgers kept you company."],
    "highlights": [{"label": "Calm plays", "value": "36%"}],
}


@pytest.fixture
def snapshot():
    return RichListeningSnapshotFactory()


@pytest.fixture
def ask(django_capture_on_commit_callbacks, queue):
    def ask(snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL):
        with django_capture_on_commit_callbacks(execute=True):
            return request_insight(user=snapshot.user, snapshot=snapshot, kind=kind, tone=tone)[0]

    return ask


def _fallback(sandbox):
    return ProviderFactory(
        name="fallback", kind=ProviderKind.OLLAMA, base_url=sandbox.ollama_url("fallback"),
        model=FALLBACK_MODEL, priority=20, read_timeout=5.0,
    )  # fmt: skip


@pytest.mark.parametrize("time_range", [TimeRange.SHORT, TimeRange.LONG])
def test_every_insight_the_sandbox_model_writes_is_grounded(time_range):
    snapshot = RichListeningSnapshotFactory(time_range=time_range)
    for rank in range(1, 4):  # a weekly summary's own plays
        PlayFactory(user=snapshot.user, track_id=snapshot.top_tracks[rank - 1]["id"])
    refused = []
    for kind in InsightKind.values:
        facts = prompt_facts(snapshot=snapshot, kind=kind)
        check = InsightCheck(snapshot=snapshot, facts=facts)
        for tone in InsightTone.values:
            for generation in (0, 1, 2):
                messages = build_messages(snapshot=snapshot, kind=kind, tone=tone, generation=generation, facts=facts)
                reply = answer(seed=1, model="llama-3.1-70b-instruct", messages=messages,
                               want=Want("schema", INSIGHT_SCHEMA), malformed=None)  # fmt: skip
                verdict = check(json.loads(reply.content))
                if verdict is not None:
                    refused.append((kind, tone, generation, verdict.detail))

    assert refused == []


def test_the_facts_block_is_what_the_check_reads(snapshot):
    messages = build_messages(snapshot=snapshot, kind=InsightKind.ROAST, tone=InsightTone.PLAYFUL)

    assert facts_of(messages) == prompt_facts(snapshot=snapshot, kind=InsightKind.ROAST)
    assert "<<<FACTS>>>" in messages[0]["content"]  # the system prompt says what the block is


def test_the_listeners_vocabulary_holds_their_played_artists_and_songs_and_the_genres():
    snapshot = RichListeningSnapshotFactory(catalog=False, top_artists=[], top_tracks=[])
    play = PlayFactory(user=snapshot.user, track__name="Motion Sickness", track__artist__name="Phoebe Bridgers")
    PlayFactory(track__name="Someone else's song")  # another listener's

    names, artists = listener_vocabulary(snapshot=snapshot)

    assert {"Motion Sickness", "Phoebe Bridgers", "indie folk", "rock"} <= set(names)
    assert "Someone else's song" not in names and artists == ["Phoebe Bridgers"], play


def test_a_grounded_insight_stores_what_it_was_checked_against(analysis_llm, snapshot, ask):
    written = write_insight(insight_id=ask(snapshot).pk)

    grounding = written.grounding
    assert written.status == RunStatus.SUCCEEDED
    assert grounding["facts"] == prompt_facts(snapshot=snapshot, kind=InsightKind.WELLNESS)
    assert "Artist 1" in grounding["names"] and "41" in grounding["numbers"]
    assert grounding["ungrounded_names"] == grounding["ungrounded_numbers"] == []
    assert (grounding["provider"], grounding["attempts"], grounding["passed_over"]) == ("primary", 1, [])


def test_the_accepted_answer_is_validated_and_grounded_once_not_again_to_be_stored(
    analysis_llm, snapshot, ask, monkeypatch
):
    from insights.services import insight_grounding

    real, checked = insight_grounding.check_grounding, []

    def counted(**kwargs):
        checked.append(1)
        return real(**kwargs)

    monkeypatch.setattr(insight_grounding, "check_grounding", counted)
    analysis_llm.sandbox.fault(provider="primary", kind="answer", content=UNGROUNDED, count=1)

    written = write_insight(insight_id=ask(snapshot).pk)

    assert written.status == RunStatus.SUCCEEDED and written.grounding["ungrounded_names"] == []
    # The refused answer once, the repaired one once: its "Based on" record reuses that report.
    assert len(checked) == 2


def test_an_ungrounded_answer_is_repaired_once_by_the_same_provider(analysis_llm, snapshot, ask):
    sandbox = analysis_llm.sandbox
    sandbox.fault(provider="primary", kind="answer", content=UNGROUNDED, count=1)

    written = write_insight(insight_id=ask(snapshot).pk)

    assert written.status == RunStatus.SUCCEEDED and "Phoebe" not in written.headline
    assert sandbox.requests_to("primary") == 2 and written.grounding["attempts"] == 2
    bad = LLMCall.objects.filter(outcome=CallOutcome.INVALID).get()
    # Staff's record counts what was wrong and never quotes the answer.
    assert bad.error == "ungrounded: 1 name(s) and 1 number(s) not among the facts"


def test_still_ungrounded_after_the_repair_the_next_provider_writes_it(analysis_llm, snapshot, ask):
    sandbox = analysis_llm.sandbox
    _fallback(sandbox)
    sandbox.fault(provider="primary", kind="answer", content=UNGROUNDED, count=2)

    written = write_insight(insight_id=ask(snapshot).pk)

    assert written.status == RunStatus.SUCCEEDED and written.provider == "fallback"
    assert (sandbox.requests_to("primary"), sandbox.requests_to("fallback")) == (2, 1)
    (passed,) = written.grounding["passed_over"]
    assert passed["provider"] == "primary" and "ungrounded" in passed["why"]
    # It answered: only the answer was wrong, so its circuit stays closed for other requests.
    assert ProviderHealth.objects.get(provider__name="primary").state == CircuitState.CLOSED


def test_with_no_grounded_answer_anywhere_nothing_is_written_and_the_run_fails_with_the_reason(
    analysis_llm, snapshot, ask
):
    sandbox = analysis_llm.sandbox
    _fallback(sandbox)
    sandbox.fault(provider="*", kind="answer", content=UNGROUNDED)

    failed = write_insight(insight_id=ask(snapshot).pk)

    assert failed.status == RunStatus.FAILED
    assert "No LLM provider wrote an insight that keeps to your listening's facts" in failed.error
    assert "Phoebe" not in failed.error  # the reason counts, it does not repeat the invention
    assert (failed.headline, failed.paragraphs, failed.grounding) == ("", [], {})
    assert (sandbox.requests_to("primary"), sandbox.requests_to("fallback")) == (2, 2)


def test_an_answer_claiming_an_unplayed_artist_led_is_repaired_like_an_ungrounded_one(analysis_llm, ask):
    snapshot = RichListeningSnapshotFactory(
        catalog=False, top_artists=[{"id": "a1", "rank": 1, "plays": 0}, {"id": "a2", "rank": 2, "plays": 5}]
    )
    ArtistFactory(spotify_id="a1", name="Ash")
    ArtistFactory(spotify_id="a2", name="Birch")
    claim = {"headline": "Ash led your listening", "paragraphs": ["Ash on repeat."],
             "highlights": [{"label": "Top artist", "value": "Ash"}]}  # fmt: skip
    analysis_llm.sandbox.fault(provider="primary", kind="answer", content=claim, count=1)

    written = write_insight(insight_id=ask(snapshot).pk)

    assert written.status == RunStatus.SUCCEEDED and written.headline.startswith("Birch")
    assert analysis_llm.sandbox.requests_to("primary") == 2


def test_an_answer_keeping_the_examples_bracketed_descriptions_is_refused(snapshot):
    check = InsightCheck(snapshot=snapshot, facts=prompt_facts(snapshot=snapshot, kind=InsightKind.WELLNESS))
    copied = {"headline": "[a short title]", "paragraphs": ["Calm weeks."],
              "highlights": [{"label": "Plays", "value": "107"}]}  # fmt: skip

    verdict = check(copied)

    assert verdict is not None and "[bracketed description]" in verdict.detail
    assert "Phoebe" not in build_messages(snapshot=snapshot, kind=InsightKind.WELLNESS, tone="neutral")[0]["content"]


def test_a_highlight_whose_value_is_a_name_the_facts_do_not_give_is_refused(snapshot):
    check = InsightCheck(snapshot=snapshot, facts=prompt_facts(snapshot=snapshot, kind=InsightKind.WELLNESS))
    answer = {"headline": "Calm weeks", "paragraphs": ["Calm weeks."],
              "highlights": [{"label": "Most played", "value": "Drake"}]}  # fmt: skip

    verdict = check(answer)

    assert verdict is not None and "Drake" in verdict.detail


# --- "Based on" on the page ------------------------------------------------------------------


def _grounded_insight():
    snapshot = RichListeningSnapshotFactory()
    facts = prompt_facts(snapshot=snapshot, kind=InsightKind.WELLNESS)
    return GeneratedInsightFactory(
        snapshot=snapshot,
        grounding={"facts_version": "facts-v1", "facts": facts, "names": ["Artist 1"], "numbers": ["34%"],
                   "ungrounded_names": [], "ungrounded_numbers": [], "provider": "fallback", "attempts": 3,
                   "passed_over": [{"provider": "primary", "why": "answer refused after one repair"}]},
    )  # fmt: skip


def test_the_insights_page_shows_what_an_insight_is_based_on_on_request(client):
    insight = _grounded_insight()
    client.force_login(insight.user)

    page = client.get(f"/insights/?snapshot={insight.snapshot_id}").content.decode()

    assert 'data-role="based-on"' in page and "<summary>Based on…</summary>" in page
    assert "Artist 1 (41), Artist 2 (27)" in page  # the facts block, as a reader says it
    assert "Names checked: Artist 1" in page and "Numbers checked: 34%" in page
    assert "3 attempts; primary passed over: answer refused after one repair" in page


def test_an_insight_written_before_the_check_shows_no_based_on(client):
    insight = GeneratedInsightFactory()
    client.force_login(insight.user)

    page = client.get(f"/insights/?snapshot={insight.snapshot_id}").content.decode()

    assert insight.headline in page and 'data-role="based-on"' not in page


def test_the_api_gives_the_grounding_to_the_owner_only(client):
    insight = _grounded_insight()
    client.force_login(insight.user)

    mine = client.get(f"/api/insights/{insight.pk}")
    assert mine.status_code == 200 and mine.json()["grounding"]["names"] == ["Artist 1"]
    client.force_login(UserFactory())
    assert client.get(f"/api/insights/{insight.pk}").status_code == 404
    client.logout()
    assert client.get(f"/api/insights/{insight.pk}").status_code in (401, 403)
