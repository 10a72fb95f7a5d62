"""The insights API (/api/insights/...) and the insight cards' Generate/Regenerate action and
partial: owner, stranger, anonymous on each; bad input is a 400 with a message per field."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from rest_framework.test import APIClient

from insights import selectors
from core.runs import RunStatus
from insights.models import GeneratedInsight, InsightKind, InsightTone
from insights.services import insight_writer
from insights.services.insight_writer import GENERATE_INSIGHT_TASK
from tests.accounts.factories import UserFactory
from tests.insights.factories import GeneratedInsightFactory, RichListeningSnapshotFactory
from tests.llm.factories import ProviderFactory
from tests.support.caches import memory_cache  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
GENERATE = "/api/insights/generate"


@pytest.fixture
def insight_queue(queue):
    return queue  # the conftest's fake queue takes core.runs' enqueues, insights' included


@pytest.fixture
def provider():
    # A configured provider: the requests below are queued, never sent (the writer tests send them).
    return ProviderFactory(name="primary")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def snapshot():
    return RichListeningSnapshotFactory()


@pytest.fixture
def owner(snapshot):
    return snapshot.user


# --- POST /api/insights/generate -------------------------------------------------------------


def test_the_owner_asks_for_an_insight_and_gets_202_with_it_queued(
    api, owner, snapshot, provider, insight_queue
):
    api.force_authenticate(owner)

    response = api.post(
        GENERATE, {"snapshot": snapshot.pk, "type": "wellness", "tone": "playful"}, format="json"
    )

    assert response.status_code == 202
    insight = response.json()["insight"]
    assert (insight["type"], insight["tone"], insight["status"], insight["snapshot"]) == (
        "wellness", "playful", "queued", snapshot.pk,
    )  # fmt: skip
    assert insight["prompt_version"] == insight_writer.PROMPT_VERSION and insight["headline"] == ""
    row = GeneratedInsight.objects.get(pk=insight["id"])
    assert (row.user, row.kind, row.tone) == (owner, InsightKind.WELLNESS, InsightTone.PLAYFUL)


@pytest.mark.django_db(transaction=True)
def test_a_queued_insight_answers_with_its_task_and_where_to_follow_it(api, provider, insight_queue):
    # A transactional test: the enqueue after commit happens before the view answers, as in production.
    snapshot = RichListeningSnapshotFactory()
    api.force_authenticate(snapshot.user)

    body = api.post(GENERATE, {"snapshot": snapshot.pk, "type": "roast"}, format="json").json()

    assert body["task_id"] == "task-1" and body["status_url"] == "/api/tasks/task-1"
    assert body["insight"]["tone"] == "neutral" and body["insight"]["task_id"] == "task-1"
    assert insight_queue.of(GENERATE_INSIGHT_TASK) == [(GENERATE_INSIGHT_TASK, body["insight"]["id"])]


def test_asking_again_for_a_written_insight_answers_200_with_it_and_queues_nothing(
    api, owner, snapshot, provider, insight_queue
):
    written = GeneratedInsightFactory(snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL)
    api.force_authenticate(owner)

    response = api.post(
        GENERATE, {"snapshot": snapshot.pk, "type": "wellness", "tone": "neutral"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["insight"]["id"] == written.pk and body["insight"]["headline"] == written.headline
    assert body["insight"]["highlights"] == written.highlights and body["insight"]["generation"] == 1
    assert (body["task_id"], body["status_url"]) == (None, None)
    assert not insight_queue.calls


def test_bad_type_tone_or_snapshot_get_400_with_a_message_per_field(api, owner, provider, insight_queue):
    api.force_authenticate(owner)

    bad = api.post(GENERATE, {"snapshot": "latest", "type": "horoscope", "tone": "sarcastic"}, format="json")
    missing = api.post(GENERATE, {}, format="json")

    assert bad.status_code == 400
    assert set(bad.json()) == {"snapshot", "type", "tone"}
    assert "wellness, roast, productivity, weekly_summary" in bad.json()["type"][0]
    assert "supportive, neutral, playful" in bad.json()["tone"][0]
    assert missing.status_code == 400 and set(missing.json()) == {"snapshot", "type"}
    assert not GeneratedInsight.objects.exists()


@pytest.mark.parametrize(
    "deep", ["[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000], ids=["arrays", "objects"]
)
def test_a_deeply_nested_body_is_a_400_with_a_detail_and_writes_no_insight(
    api, owner, provider, insight_queue, deep
):
    api.force_authenticate(owner)

    response = api.post(GENERATE, deep, content_type="application/json")

    assert response.status_code == 400
    assert "nested more than 32 levels deep" in response.json()["detail"]
    assert not GeneratedInsight.objects.exists() and not insight_queue.calls


def test_a_stranger_gets_404_for_a_snapshot_not_theirs(api, snapshot, provider, insight_queue):
    api.force_authenticate(UserFactory())

    response = api.post(GENERATE, {"snapshot": snapshot.pk, "type": "wellness"}, format="json")

    assert response.status_code == 404
    assert api.post(GENERATE, {"snapshot": 10**9, "type": "wellness"}, format="json").status_code == 404
    assert not GeneratedInsight.objects.exists()


def test_without_an_llm_provider_the_request_gets_409_with_the_reason(api, owner, snapshot, insight_queue):
    api.force_authenticate(owner)

    response = api.post(GENERATE, {"snapshot": snapshot.pk, "type": "wellness"}, format="json")

    assert response.status_code == 409 and "No LLM provider" in response.json()["detail"]


# --- regenerate, one, the list ----------------------------------------------------------------


def test_the_owner_regenerates_an_insight_and_gets_202_once(
    api, owner, snapshot, provider, insight_queue, django_capture_on_commit_callbacks
):
    written = GeneratedInsightFactory(snapshot=snapshot)
    api.force_authenticate(owner)

    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"/api/insights/{written.pk}/regenerate")
        second = api.post(f"/api/insights/{written.pk}/regenerate")

    assert first.status_code == 202 and first.json()["insight"]["status"] == "queued"
    assert second.status_code == 202 and second.json()["insight"]["id"] == written.pk
    assert len(insight_queue.of(GENERATE_INSIGHT_TASK)) == 1  # already queued: not twice


def test_the_owner_reads_an_insight(api, owner, snapshot):
    written = GeneratedInsightFactory(snapshot=snapshot, kind=InsightKind.ROAST, tone=InsightTone.PLAYFUL)
    api.force_authenticate(owner)

    body = api.get(f"/api/insights/{written.pk}").json()

    assert (body["id"], body["type"], body["tone"], body["status"]) == (
        written.pk,
        "roast",
        "playful",
        "succeeded",
    )
    assert body["paragraphs"] == written.paragraphs and body["provider"] == "primary"
    assert (body["prompt_tokens"], body["completion_tokens"], body["generation_ms"]) == (420, 160, 900)


def test_a_stranger_gets_404_for_an_insight_and_cannot_regenerate_it(api, snapshot, provider, insight_queue):
    written = GeneratedInsightFactory(snapshot=snapshot)
    api.force_authenticate(UserFactory())

    assert api.get(f"/api/insights/{written.pk}").status_code == 404
    assert api.post(f"/api/insights/{written.pk}/regenerate").status_code == 404
    assert (
        GeneratedInsight.objects.get(pk=written.pk).status == RunStatus.SUCCEEDED and not insight_queue.calls
    )


def test_the_list_is_the_callers_own_newest_first_and_filters_by_type_and_tone(
    api, owner, snapshot, django_assert_max_num_queries, memory_cache
):
    oldest = GeneratedInsightFactory(snapshot=snapshot, kind=InsightKind.WELLNESS)
    roast = GeneratedInsightFactory(snapshot=snapshot, kind=InsightKind.ROAST, tone=InsightTone.PLAYFUL)
    newest = GeneratedInsightFactory(snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.PLAYFUL)
    GeneratedInsightFactory()  # a stranger's
    api.force_authenticate(owner)

    with django_assert_max_num_queries(4):
        body = api.get("/api/insights/").json()

    assert body["count"] == 3 and [row["id"] for row in body["results"]] == [newest.pk, roast.pk, oldest.pk]
    wellness = api.get("/api/insights/", {"type": "wellness"}).json()["results"]
    assert [row["id"] for row in wellness] == [newest.pk, oldest.pk]
    playful_roast = api.get("/api/insights/", {"type": "roast", "tone": "playful"}).json()["results"]
    assert [row["id"] for row in playful_roast] == [roast.pk]
    bad = api.get("/api/insights/", {"type": "horoscope", "tone": "loud"})
    assert bad.status_code == 400 and set(bad.json()) == {"type", "tone"}


def test_a_stranger_lists_none_of_the_owners_insights(api, snapshot):
    GeneratedInsightFactory(snapshot=snapshot)
    api.force_authenticate(UserFactory())

    assert api.get("/api/insights/").json()["count"] == 0


def test_anonymous_callers_get_401_from_every_insights_endpoint(api, snapshot, provider):
    written = GeneratedInsightFactory(snapshot=snapshot)

    assert api.post(GENERATE, {"snapshot": snapshot.pk, "type": "wellness"}, format="json").status_code == 401
    assert api.post(f"/api/insights/{written.pk}/regenerate").status_code == 401
    assert api.get(f"/api/insights/{written.pk}").status_code == 401
    assert api.get("/api/insights/").status_code == 401


# --- the cards' action: POST /insights/generate/ -----------------------------------------------

ACTION = "/insights/generate/"


def _form(snapshot, **extra):
    return {"snapshot": snapshot.pk, "kind": "wellness", "tone": "supportive", "next": "/insights/?range=short_term",
            **extra}  # fmt: skip


def test_the_owner_generates_from_a_card_and_is_sent_back_to_that_card(
    client, owner, snapshot, provider, insight_queue
):
    client.force_login(owner)

    response = client.post(ACTION, _form(snapshot), follow=False)

    assert response.status_code == 302
    assert response["Location"] == "/insights/?range=short_term&tone-wellness=supportive#insight-wellness"
    insight = GeneratedInsight.objects.get()
    assert (insight.kind, insight.tone, insight.status) == ("wellness", "supportive", RunStatus.QUEUED)
    # The card it lands on says "Writing…" and follows the run: no flash to contradict it later.
    assert [str(m) for m in get_messages(response.wsgi_request)] == []


def test_asking_again_while_it_is_written_flashes_nothing_and_the_card_says_writing(
    client, owner, snapshot, provider, insight_queue
):
    GeneratedInsightFactory(snapshot=snapshot, tone=InsightTone.SUPPORTIVE, status=RunStatus.RUNNING)
    client.force_login(owner)

    response = client.post(ACTION, _form(snapshot), follow=True)

    page = response.content.decode()
    # One "Writing your wellness insight": the card's, which swaps itself for the insight when done.
    assert page.count("Writing your wellness insight") == 1
    assert 'data-role="progress"' in page and 'class="messages"' not in page
    assert GeneratedInsight.objects.count() == 1


def test_generate_shows_a_written_insight_and_regenerate_writes_it_again(
    client, owner, snapshot, provider, insight_queue, django_capture_on_commit_callbacks
):
    written = GeneratedInsightFactory(snapshot=snapshot, tone=InsightTone.SUPPORTIVE)
    client.force_login(owner)

    shown = client.post(ACTION, _form(snapshot, action="generate"))
    assert [str(m) for m in get_messages(shown.wsgi_request)] == [
        "Here is your wellness insight, written earlier from this snapshot."
    ]
    assert not insight_queue.calls

    with django_capture_on_commit_callbacks(execute=True):
        client.post(ACTION, _form(snapshot, action="regenerate"))

    assert GeneratedInsight.objects.get(pk=written.pk).status == RunStatus.QUEUED
    assert insight_queue.of(GENERATE_INSIGHT_TASK) == [(GENERATE_INSIGHT_TASK, written.pk)]


def test_the_card_action_refuses_bad_input_another_users_snapshot_and_unsafe_redirects(
    client, owner, snapshot, provider, insight_queue
):
    client.force_login(owner)

    bad = client.post(ACTION, _form(snapshot, kind="horoscope", tone=""))
    offsite = client.post(ACTION, _form(snapshot, next="https://evil.example/"))
    client.force_login(UserFactory())
    stranger = client.post(ACTION, _form(snapshot, kind="roast"))

    assert bad.status_code == 400 and b"kind:" in bad.content and b"tone:" in bad.content
    assert offsite["Location"].startswith("/insights/?tone-wellness=supportive")
    assert stranger.status_code == 404
    assert list(GeneratedInsight.objects.values_list("kind", flat=True)) == ["wellness"]


def test_anonymous_visitors_are_sent_to_sign_in_by_the_card_action(client, snapshot, provider):
    response = client.post(ACTION, _form(snapshot))

    assert (
        response.status_code == 302 and response["Location"] == "/?next=/insights/generate/"
    )  # sign-in page
    assert client.get(ACTION).status_code == 302  # signed out first; a GET is refused once signed in
    assert not GeneratedInsight.objects.exists()


# --- the cards' partial ----------------------------------------------------------------------


def _render_cards(user, snapshot, query=""):
    request = RequestFactory().get(f"/insights/{query}")
    request.user = user
    cards = selectors.insight_cards(user=user, snapshot=snapshot, chosen=request.GET)
    context = {"snapshot": snapshot, "insight_cards": cards, "show_insight_cards": True}
    return cards, render_to_string("insights/_insight_cards.html", context, request=request)


def test_the_cards_show_wellness_first_with_its_text_and_a_regenerate_button(owner, snapshot):
    GeneratedInsightFactory(snapshot=snapshot, headline="Calm evenings & you", tone=InsightTone.SUPPORTIVE)

    cards, html = _render_cards(owner, snapshot)

    assert [card.kind for card in cards] == ["wellness", "weekly_summary", "productivity", "roast"]
    wellness = html[html.index('id="insight-wellness"') : html.index('id="insight-weekly_summary"')]
    assert "Calm evenings &amp; you" in wellness and "Fridays run livelier" in wellness
    assert "<dt>Top mood</dt><dd>calm (34%)</dd>" in wellness
    assert 'written by primary (<span class="nowrap">llama-3.1-70b-instruct</span>)' in wellness
    assert ">Regenerate</button>" in wellness
    assert '<option value="supportive" selected>' in wellness and "data-poll-url" not in wellness
    assert 'name="csrfmiddlewaretoken"' in wellness
    roast = html[html.index('id="insight-roast"') :]
    assert "Not written yet" in roast and ">Generate</button>" in roast


def test_a_card_being_written_polls_the_api_and_says_to_refresh_without_javascript(owner, snapshot):
    queued = GeneratedInsightFactory(
        snapshot=snapshot,
        status=RunStatus.QUEUED,
        headline="",
        paragraphs=[],
        highlights=[],
        generation=0,
    )

    _, html = _render_cards(owner, snapshot)

    assert f'data-poll-url="/api/insights/{queued.pk}"' in html
    assert '<noscript><p class="muted">Refresh the page in a moment to see it.</p></noscript>' in html
    assert "setTimeout(tick, INTERVAL_MS)" in html and "INTERVAL_MS = 2000" in html
    assert "<script src=" not in html  # inline, no library


def test_a_card_shows_the_tone_just_asked_for_and_a_failed_insight_says_why(owner, snapshot):
    GeneratedInsightFactory(snapshot=snapshot, tone=InsightTone.PLAYFUL, headline="Playful take")
    GeneratedInsightFactory(snapshot=snapshot, tone=InsightTone.NEUTRAL, headline="Neutral take")
    GeneratedInsightFactory(
        snapshot=snapshot,
        kind=InsightKind.ROAST,
        status=RunStatus.FAILED,
        error="Every LLM provider refused",
    )

    cards, html = _render_cards(owner, snapshot, "?tone-wellness=playful")

    assert cards[0].insight.headline == "Playful take" and cards[0].tone == "playful"
    assert (
        selectors.insight_cards(user=owner, snapshot=snapshot)[0].insight.headline == "Neutral take"
    )  # the latest
    assert "Every LLM provider refused" in html[html.index('id="insight-roast"') :]


def test_a_stranger_sees_no_cards_of_the_owners_insights(snapshot):
    GeneratedInsightFactory(snapshot=snapshot)

    cards = selectors.insight_cards(user=UserFactory(), snapshot=snapshot)

    assert all(card.insight is None for card in cards)
