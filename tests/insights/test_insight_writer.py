"""LLM-written insights against the live LLM sandbox: the prompt, caching (a second request makes
no LLM call, regenerate makes one), the task's claim, failures and postponing, weekly summaries."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import jsonschema
import pytest
from django.utils import timezone
from django_q.models import Schedule

from insights import tasks
from core import recovery
from core.runs import RunStatus
from insights.models import GeneratedInsight, InsightKind, InsightTone, TimeRange
from insights.services import insight_prompt
from insights.services.insight_prompt import (
    MOST_PLAYED,
    NO_PLAYS,
    SPOTIFY_ARTISTS,
    SPOTIFY_SONGS,
    AnswerInvalid,
    build_messages,
    facts_of,
    unplayed_artist_names,
    validate_answer,
)
from insights.services.insight_writer import (
    GENERATE_INSIGHT_TASK,
    NoProvider,
    SnapshotNotYours,
    queue_wellness_insight,
    regenerate_insight,
    request_insight,
    write_insight,
)
from llm.models import Provider, ProviderHealth, ProviderKind
from tests.accounts.factories import UserFactory
from tests.library.factories import ArtistFactory, TrackFactory
from tests.fixtures.llm_sandbox import FALLBACK_MODEL, PRIMARY_MODEL
from tests.insights.factories import GeneratedInsightFactory, PlayFactory, RichListeningSnapshotFactory
from tests.llm.factories import ProviderFactory
from tests.support.concurrency import race

pytestmark = pytest.mark.django_db


@pytest.fixture
def insight_queue(queue, monkeypatch):
    """The conftest's fake queue (core.runs' enqueue), also for insights (the real broker:
    test_insight_cluster)."""
    return queue


@pytest.fixture
def snapshot():
    return RichListeningSnapshotFactory()


@pytest.fixture
def ask(django_capture_on_commit_callbacks, insight_queue):
    """request_insight with its after-commit enqueue run, as outside a test transaction."""

    def ask(snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL):
        with django_capture_on_commit_callbacks(execute=True):
            return request_insight(user=snapshot.user, snapshot=snapshot, kind=kind, tone=tone)

    return ask


def _regenerate(capture, insight):
    with capture(execute=True):
        return regenerate_insight(user=insight.user, insight=insight)


# --- the prompt and the answer ---------------------------------------------------------------


def test_the_prompt_names_the_top_artists_and_songs_and_gives_each_kind_its_own_figures(snapshot):
    (system, user) = build_messages(snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.PLAYFUL)

    assert system["role"] == "system" and "JSON" in system["content"]
    ask, block = user["content"].split("\nFacts (the only names and figures you may use):\n")
    assert "wellness" in ask and "medical advice" in ask and "witty" in ask
    assert block.startswith("<<<FACTS>>>\n") and block.endswith("\n<<<END FACTS>>>")
    figures = facts_of([user])
    # Plays and Spotify's ranking under keys that say which is which.
    assert figures[MOST_PLAYED] == {"Artist 1": 41, "Artist 2": 27, "Artist 3": 19, "Artist 4": 8, "Artist 5": 5}
    assert figures[SPOTIFY_ARTISTS] == [f"Artist {rank}" for rank in range(1, 6)]
    assert figures["moods"]["calm"] == "34%" and figures["energy (0-1)"] == 0.41
    assert figures["busiest hours"] == ["21:00", "20:00", "22:00"]
    assert SPOTIFY_SONGS not in figures  # a roast's and a summary's figure, not a wellness note's
    roast = facts_of(build_messages(snapshot=snapshot, kind=InsightKind.ROAST, tone=InsightTone.NEUTRAL))
    assert roast[SPOTIFY_SONGS][0] == "Song 1 by Singer 1" and "moods" not in roast
    assert len(system["content"]) + len(user["content"]) < 2500  # small: every request pays for it


def test_artists_and_songs_not_in_the_catalog_are_left_out_of_the_prompt():
    snapshot = RichListeningSnapshotFactory(catalog=False)

    figures = facts_of(build_messages(snapshot=snapshot, kind=InsightKind.ROAST, tone=InsightTone.NEUTRAL))

    assert MOST_PLAYED not in figures and SPOTIFY_ARTISTS not in figures and SPOTIFY_SONGS not in figures
    assert figures["genres"]["indie folk"] == "32%"


def test_a_regeneration_asks_for_a_fresh_take(snapshot):
    first = build_messages(snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL)
    again = build_messages(
        snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL, generation=1
    )

    assert "version 2" in again[1]["content"] and "version" not in first[1]["content"]


def test_the_example_answer_in_the_prompt_keeps_to_the_schema():
    jsonschema.validate(json.loads(insight_prompt.EXAMPLE_ANSWER), insight_prompt.INSIGHT_SCHEMA)


def test_an_answer_is_tidied_and_blank_text_is_refused():
    answer = validate_answer(
        {
            "headline": "  Calm   nights ",
            "paragraphs": ["One.", "One.", " Two "],
            "highlights": [{"label": "Mood", "value": "calm"}, {"label": "mood", "value": "again"}],
        }
    )

    assert answer.headline == "Calm nights" and answer.paragraphs == ["One.", "Two"]
    assert answer.highlights == [{"label": "Mood", "value": "calm"}]
    with pytest.raises(AnswerInvalid, match="paragraph 2 is blank"):
        validate_answer(
            {"headline": "H", "paragraphs": ["ok", " \n "], "highlights": [{"label": "a", "value": "b"}]}
        )
    with pytest.raises(AnswerInvalid, match="headline"):
        validate_answer(
            {"headline": "\t", "paragraphs": ["ok"], "highlights": [{"label": "a", "value": "b"}]}
        )
    with pytest.raises(AnswerInvalid, match="highlight 1"):
        validate_answer({"headline": "H", "paragraphs": ["ok"], "highlights": [{"label": "a", "value": " "}]})


def _figures(snapshot, kind=InsightKind.WELLNESS) -> dict:
    return facts_of(build_messages(snapshot=snapshot, kind=kind, tone=InsightTone.NEUTRAL))


def test_the_prompt_orders_artists_by_their_plays_and_keeps_spotifys_ranking_apart():
    # Spotify ranks Ash first, but Ash has no play in the window; Cedar has the most.
    plays = {"Ash": 0, "Birch": 4, "Cedar": 8, "Dune": 4}
    snapshot = RichListeningSnapshotFactory(
        catalog=False,
        top_artists=[{"id": f"a{rank}", "rank": rank, "plays": n} for rank, n in enumerate(plays.values(), 1)],
    )
    for rank, name in enumerate(plays, 1):
        ArtistFactory(spotify_id=f"a{rank}", name=name)

    figures = _figures(snapshot)

    assert list(figures[MOST_PLAYED].items()) == [("Cedar", 8), ("Birch", 4), ("Dune", 4)]  # a tie: by rank
    assert figures[SPOTIFY_ARTISTS] == ["Ash", "Birch", "Cedar", "Dune"]
    assert unplayed_artist_names(snapshot=snapshot) == {"Ash"}
    system = build_messages(snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL)[0]
    assert "Spotify's own ranking, not plays" in system["content"]


def test_with_no_plays_the_prompt_says_no_artist_has_one():
    snapshot = RichListeningSnapshotFactory(
        play_count=0, top_artists=[{"id": "a1", "rank": 1, "plays": 0}], catalog=False
    )
    ArtistFactory(spotify_id="a1", name="Ash")

    figures = _figures(snapshot)

    assert figures[MOST_PLAYED] == NO_PLAYS and figures[SPOTIFY_ARTISTS] == ["Ash"]


@pytest.mark.parametrize(
    "claim",
    [
        {"headline": "Ash led your listening"},
        {"paragraphs": ["Over the last 4 weeks, Ash tops your plays with ease."]},
        {"headline": "Ash on repeat"},
        {"highlights": [{"label": "Top artist", "value": "Ash"}]},
    ],
)
def test_an_answer_saying_an_artist_without_plays_led_the_listening_is_refused(claim):
    answer = {"headline": "Calm weeks", "paragraphs": ["Cedar led."], "highlights": [{"label": "a", "value": "b"}]}

    with pytest.raises(AnswerInvalid, match="it says Ash led your listening, but no play of Ash is recorded"):
        validate_answer(answer | claim, unplayed={"Ash"})
    validate_answer(answer | claim, unplayed={"Birch"})  # said of an artist with plays: fine


def test_spotifys_ranking_and_other_clauses_naming_an_unplayed_artist_are_no_lead_claim():
    answer = {
        "headline": "Cedar led your listening",
        "paragraphs": [
            "Spotify ranks Ash first among your artists, and Ash leads its list.",
            "Ash has no recorded play, while Cedar led with 8 plays. Ashes topped nothing.",
        ],
        "highlights": [{"label": "Spotify's #1 artist", "value": "Ash"}, {"label": "Top artist", "value": "Cedar"}],
    }

    assert validate_answer(answer, unplayed={"Ash"}).headline == "Cedar led your listening"


# --- caching, regenerating, claiming ---------------------------------------------------------


def test_insight_caching_a_second_request_makes_no_llm_call_and_regenerate_makes_one(
    analysis_llm, snapshot, ask, insight_queue, django_capture_on_commit_callbacks
):
    sandbox = analysis_llm.sandbox
    insight, queued = ask(snapshot)
    assert queued and insight.status == RunStatus.QUEUED and insight.prompt_version == insight_prompt.PROMPT_VERSION
    assert insight_queue.of(GENERATE_INSIGHT_TASK) == [(GENERATE_INSIGHT_TASK, insight.pk)]
    assert GeneratedInsight.objects.get(pk=insight.pk).task_id == "task-1"

    written = write_insight(insight_id=insight.pk)

    assert written.status == RunStatus.SUCCEEDED and written.generation == 1 and written.error == ""
    assert written.headline and 1 <= len(written.paragraphs) <= 4 and 1 <= len(written.highlights) <= 5
    assert set(written.highlights[0]) == {"label", "value"}
    assert (written.provider, written.model) == ("primary", PRIMARY_MODEL)
    assert written.prompt_tokens > 0 and written.completion_tokens > 0 and written.generation_ms is not None
    assert written.generated_at is not None
    assert sandbox.requests_to("primary") == 1

    again, queued_again = ask(snapshot)

    assert again.pk == insight.pk and not queued_again and again.headline == written.headline
    assert sandbox.requests_to("primary") == 1  # served from the row
    assert len(insight_queue.of(GENERATE_INSIGHT_TASK)) == 1  # and no task

    regenerated, queued = _regenerate(django_capture_on_commit_callbacks, again)
    assert queued and regenerated.status == RunStatus.QUEUED
    assert len(insight_queue.of(GENERATE_INSIGHT_TASK)) == 2
    rewritten = write_insight(insight_id=insight.pk)

    assert sandbox.requests_to("primary") == 2  # exactly one more call
    assert rewritten.pk == insight.pk and rewritten.status == RunStatus.SUCCEEDED and rewritten.generation == 2
    assert rewritten.headline != written.headline  # asked for a fresh take
    assert GeneratedInsight.objects.count() == 1


def test_each_tone_and_kind_is_its_own_insight(analysis_llm, snapshot, ask):
    wellness, _ = ask(snapshot)
    playful, queued = ask(snapshot, tone=InsightTone.PLAYFUL)
    roast, _ = ask(snapshot, kind=InsightKind.ROAST)

    assert queued and len({wellness.pk, playful.pk, roast.pk}) == 3


def test_a_second_delivery_of_the_task_does_nothing(analysis_llm, snapshot, ask):
    insight, _ = ask(snapshot)
    write_insight(insight_id=insight.pk)

    again = tasks.generate_insight(insight.pk)

    assert analysis_llm.sandbox.requests_to("primary") == 1
    assert GeneratedInsight.objects.get(pk=insight.pk).generation == 1 and ": succeeded" in again
    assert tasks.generate_insight(10**9) == f"insight #{10**9}: no such insight"


def test_an_insight_on_its_way_is_returned_as_it_is_and_not_queued_twice(
    analysis_llm, snapshot, ask, insight_queue, django_capture_on_commit_callbacks
):
    insight, _ = ask(snapshot)
    GeneratedInsight.objects.filter(pk=insight.pk).update(status=RunStatus.RUNNING)

    again, queued = ask(snapshot)
    regenerated, regenerate_queued = _regenerate(django_capture_on_commit_callbacks, again)

    assert again.pk == insight.pk and not queued and not regenerate_queued
    assert regenerated.status == RunStatus.RUNNING
    assert len(insight_queue.of(GENERATE_INSIGHT_TASK)) == 1


@pytest.mark.postgres_only
def test_concurrent_requests_for_the_same_insight_make_one_row_and_one_task(transactional_db, insight_queue):
    ProviderFactory(name="primary")
    snapshot = RichListeningSnapshotFactory()

    results = race(
        8,
        lambda: request_insight(
            user=snapshot.user, snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL
        ),
    )

    assert len({insight.pk for insight, _ in results}) == 1 and sum(queued for _, queued in results) == 1
    assert GeneratedInsight.objects.count() == 1 and len(insight_queue.of(GENERATE_INSIGHT_TASK)) == 1


def test_a_request_for_another_users_snapshot_is_refused(analysis_llm, snapshot):
    with pytest.raises(SnapshotNotYours):
        request_insight(
            user=UserFactory(), snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL
        )
    assert not GeneratedInsight.objects.exists()


def test_without_any_llm_provider_nothing_is_queued(snapshot, insight_queue):
    with pytest.raises(NoProvider, match="No LLM provider"):
        request_insight(
            user=snapshot.user, snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL
        )
    assert not GeneratedInsight.objects.exists() and not insight_queue.calls


# --- failures --------------------------------------------------------------------------------


def test_an_invalid_answer_is_repaired_by_the_router_and_the_insight_written(analysis_llm, snapshot, ask):
    analysis_llm.sandbox.fault(provider="primary", kind="malformed", variant="schema", count=1)
    insight, _ = ask(snapshot)

    written = write_insight(insight_id=insight.pk)

    assert written.status == RunStatus.SUCCEEDED and written.headline
    assert analysis_llm.sandbox.requests_to("primary") == 2  # the bad answer, then its repair


def test_answers_invalid_everywhere_leave_the_insight_queued_for_later_not_half_written(
    analysis_llm, snapshot, ask
):
    sandbox = analysis_llm.sandbox
    ProviderFactory(
        name="fallback", kind=ProviderKind.OLLAMA, base_url=sandbox.ollama_url("fallback"),
        model=FALLBACK_MODEL, priority=20, read_timeout=5.0,
    )  # fmt: skip
    sandbox.fault(provider="*", kind="malformed", variant="content")
    insight, _ = ask(snapshot)

    waiting = write_insight(insight_id=insight.pk)

    # Each provider: an answer and its repair, both unreadable; then both circuits are open.
    assert (sandbox.requests_to("primary"), sandbox.requests_to("fallback")) == (2, 2)
    assert waiting.status == RunStatus.QUEUED and "Waiting for an LLM provider" in waiting.error
    assert (waiting.headline, waiting.paragraphs, waiting.highlights, waiting.generation) == ("", [], [], 0)
    assert Schedule.objects.filter(name=f"insight-resume-{insight.pk}").exists()


def test_all_providers_down_queues_the_insight_again_with_a_schedule_and_it_is_written_once_one_is_back(
    analysis_llm, snapshot, ask
):
    sandbox = analysis_llm.sandbox
    sandbox.fault(provider="*", kind="down")
    insight, _ = ask(snapshot)

    postponed = write_insight(insight_id=insight.pk)

    assert postponed.status == RunStatus.QUEUED and "Waiting for an LLM provider" in postponed.error
    resume = Schedule.objects.get(name=f"insight-resume-{insight.pk}")
    assert (resume.func, resume.args, resume.schedule_type) == (
        GENERATE_INSIGHT_TASK,
        f"({insight.pk},)",
        Schedule.ONCE,
    )
    assert resume.next_run > timezone.now()

    # The provider is back and its cooldown over; the schedule fires.
    sandbox.clear_faults()
    ProviderHealth.objects.update(opened_until=timezone.now() - timedelta(seconds=1))
    GeneratedInsight.objects.filter(pk=insight.pk).update(resume_at=timezone.now())  # it is due
    result = tasks.generate_insight(insight.pk)

    done = GeneratedInsight.objects.get(pk=insight.pk)
    assert done.status == RunStatus.SUCCEEDED and done.error == "" and done.generation == 1, result


def test_a_refused_request_fails_with_the_reason_and_keeps_the_last_good_text(
    analysis_llm, snapshot, ask, django_capture_on_commit_callbacks, insight_queue
):
    insight, _ = ask(snapshot)
    written = write_insight(insight_id=insight.pk)
    analysis_llm.sandbox.fault(provider="primary", kind="status", status=400)
    _regenerate(django_capture_on_commit_callbacks, written)

    with pytest.raises(tasks.TaskFailed, match="refused the request"):  # a failed job for staff
        tasks.generate_insight(insight.pk)

    failed = GeneratedInsight.objects.get(pk=insight.pk)
    assert failed.status == RunStatus.FAILED and "refused the request" in failed.error
    assert (failed.headline, failed.paragraphs, failed.generation) == (
        written.headline,
        written.paragraphs,
        1,
    )
    # Asking again queues a failed insight again.
    analysis_llm.sandbox.clear_faults()
    again, queued = ask(snapshot)
    assert queued and again.status == RunStatus.QUEUED and again.error == ""
    assert len(insight_queue.of(GENERATE_INSIGHT_TASK)) == 3


def test_regenerating_an_insight_of_an_older_prompt_writes_one_under_the_current_prompt(
    analysis_llm, snapshot, django_capture_on_commit_callbacks, insight_queue
):
    old = GeneratedInsightFactory(snapshot=snapshot, prompt_version="insight-v0")

    current, queued = _regenerate(django_capture_on_commit_callbacks, old)

    assert queued and current.pk != old.pk and current.prompt_version == insight_prompt.PROMPT_VERSION
    assert GeneratedInsight.objects.get(pk=old.pk).generation == 1  # left as it was


# --- weekly summaries ------------------------------------------------------------------------


def test_weekly_summaries_are_queued_from_each_listeners_latest_short_term_snapshot_once(
    analysis_llm, insight_queue, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    listener = UserFactory()
    RichListeningSnapshotFactory(user=listener, snapshot_date=today - timedelta(days=7))
    latest = RichListeningSnapshotFactory(user=listener, snapshot_date=today)
    RichListeningSnapshotFactory(user=listener, snapshot_date=today, time_range=TimeRange.MEDIUM)
    other = RichListeningSnapshotFactory()
    RichListeningSnapshotFactory(user=UserFactory(is_active=False))

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.generate_weekly_summaries()
    second = tasks.generate_weekly_summaries()

    summaries = GeneratedInsight.objects.filter(kind=InsightKind.WEEKLY_SUMMARY, tone=InsightTone.NEUTRAL)
    assert set(summaries.values_list("snapshot_id", flat=True)) == {latest.pk, other.pk}
    assert first == "weekly summaries: 2 queued, 0 already written or under way"
    assert second == "weekly summaries: 0 queued, 2 already written or under way"
    assert len(insight_queue.of(GENERATE_INSIGHT_TASK)) == 2


def test_after_an_ingest_the_wellness_insight_is_queued_once_and_a_missing_provider_is_no_error(
    snapshot, insight_queue, django_capture_on_commit_callbacks
):
    assert queue_wellness_insight(snapshot=snapshot) is None  # no provider yet: nothing, no error
    ProviderFactory(name="primary")

    with django_capture_on_commit_callbacks(execute=True):
        first = queue_wellness_insight(snapshot=snapshot)
    second = queue_wellness_insight(snapshot=snapshot)

    assert (first.kind, first.tone, first.status) == ("wellness", "neutral", RunStatus.QUEUED)
    assert second.pk == first.pk and len(insight_queue.of(GENERATE_INSIGHT_TASK)) == 1


def test_weekly_summaries_wait_for_an_llm_provider(insight_queue):
    RichListeningSnapshotFactory()
    assert not Provider.objects.exists()

    assert tasks.generate_weekly_summaries() == "weekly summaries: 0 queued, 0 already written or under way"
    assert not GeneratedInsight.objects.exists()


def test_an_insight_left_running_by_a_dead_worker_is_queued_again_by_the_next_request(ask, insight_queue):
    ProviderFactory()
    lost_at = timezone.now() - recovery.stall_after(GeneratedInsight) - timedelta(seconds=1)
    stuck = GeneratedInsightFactory(status=RunStatus.RUNNING, started_at=lost_at, heartbeat_at=lost_at)
    busy = GeneratedInsightFactory(status=RunStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(), kind="roast")

    again, queued = ask(stuck.snapshot, kind=stuck.kind, tone=stuck.tone)
    same, not_queued = ask(busy.snapshot, kind="roast", tone=busy.tone)

    assert queued and again.pk == stuck.pk and again.status == RunStatus.QUEUED
    assert not not_queued and same.status == RunStatus.RUNNING
    assert insight_queue.of(GENERATE_INSIGHT_TASK) == [(GENERATE_INSIGHT_TASK, stuck.pk)]
    assert GeneratedInsight.objects.count() == 2


def test_a_written_insight_is_written_again_once_a_re_ingest_changed_its_snapshots_figures(
    analysis_llm, snapshot, ask, insight_queue
):
    insight, _ = ask(snapshot)
    write_insight(insight_id=insight.pk)
    cached, queued_again = ask(snapshot)
    assert not queued_again and cached.status == RunStatus.SUCCEEDED  # same figures: served as stored

    # The day's ingest ran again and the figures moved: the stored text no longer describes them.
    type(snapshot).objects.filter(pk=snapshot.pk).update(play_count=snapshot.play_count + 7)
    snapshot.refresh_from_db()
    stale, queued = ask(snapshot)
    written = write_insight(insight_id=stale.pk)

    assert queued and stale.pk == insight.pk
    assert written.status == RunStatus.SUCCEEDED and written.generation == 2
    assert analysis_llm.sandbox.requests_to("primary") == 2


def test_a_queued_insight_whose_task_never_came_is_queued_again_once_lost(ask, insight_queue):
    ProviderFactory()
    forgotten = GeneratedInsightFactory(
        status=RunStatus.QUEUED,
        enqueued_at=timezone.now() - GeneratedInsight.lost_after - timedelta(seconds=1),
    )
    waiting = GeneratedInsightFactory(status=RunStatus.QUEUED, enqueued_at=timezone.now(), kind="roast")

    again, queued = ask(forgotten.snapshot, kind=forgotten.kind, tone=forgotten.tone)
    same, not_queued = ask(waiting.snapshot, kind="roast", tone=waiting.tone)

    assert queued and again.pk == forgotten.pk
    assert GeneratedInsight.objects.get(pk=forgotten.pk).enqueued_at > forgotten.enqueued_at
    assert not not_queued and same.pk == waiting.pk
    assert insight_queue.of(GENERATE_INSIGHT_TASK) == [(GENERATE_INSIGHT_TASK, forgotten.pk)]


def test_a_weekly_summary_is_written_from_the_weeks_own_plays():
    snapshot = RichListeningSnapshotFactory(snapshot_date=date(2026, 11, 22))
    hymn, other = TrackFactory(name="Harbour Hymn"), TrackFactory(name="Once Only")
    inside = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
    for minutes in range(3):
        PlayFactory(user=snapshot.user, track=hymn, played_at=inside + timedelta(minutes=minutes * 5))
    PlayFactory(user=snapshot.user, track=other, played_at=inside)
    PlayFactory(
        user=snapshot.user, track=other, played_at=datetime(2026, 11, 10, tzinfo=UTC)
    )  # before the week
    PlayFactory(track=hymn, played_at=inside)  # another listener's

    weekly = build_messages(snapshot=snapshot, kind=InsightKind.WEEKLY_SUMMARY, tone=InsightTone.NEUTRAL)
    wellness = build_messages(snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL)

    figures = facts_of(weekly)
    assert figures["this week: plays"] == 4
    assert figures["this week: most played songs"] == ["Harbour Hymn", "Once Only"]
    assert "this week: plays" not in wellness[1]["content"]


def test_the_prompt_says_where_the_moods_come_from():
    estimated = RichListeningSnapshotFactory(moods_estimated=True)
    measured = RichListeningSnapshotFactory(moods_estimated=False)

    def said(snapshot):
        return build_messages(snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL)[1][
            "content"
        ]

    assert "estimated by an AI from lyrics" in said(estimated)
    assert "Spotify's audio features" in said(measured)
