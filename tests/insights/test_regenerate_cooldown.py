"""The regeneration cooldown (INSIGHT_REGENERATE_COOLDOWN): a written insight is not written again
within that many seconds of its `generated_at`, through the API (429, Retry-After, a sentence) or
the insight cards (the same sentence); the row decides, not a cache; a failed one may be asked
again at once. The clock is the test's (time-machine), so none of this depends on today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from rest_framework.test import APIClient

from core.runs import RunStatus
from insights.models import GeneratedInsight
from insights.services import insight_writer
from insights.services.insight_writer import GENERATE_INSIGHT_TASK, RegeneratedTooSoon
from tests.support.throttles import clear_throttle_counts
from tests.insights.factories import GeneratedInsightFactory
from tests.llm.factories import ProviderFactory

pytestmark = pytest.mark.django_db

ANCHOR = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOO_SOON = "This insight was written less than 10 minutes ago; it can be written again in 7 minutes."


@pytest.fixture
def clock(settings, time_machine, queue):
    """Ten minutes' cooldown; it is 09:00, the insight was written at 08:53."""
    settings.INSIGHT_REGENERATE_COOLDOWN = 600
    ProviderFactory(name="primary")
    time_machine.move_to(ANCHOR, tick=False)
    return time_machine


@pytest.fixture
def written():
    return GeneratedInsightFactory(generated_at=ANCHOR - timedelta(minutes=3))


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def regenerate(insight):
    return api_for(insight.user).post(f"/api/insights/{insight.pk}/regenerate")


def test_regenerating_within_the_cooldown_is_a_429_with_retry_after_and_a_sentence(clock, written, queue):
    refused = regenerate(written)

    assert (refused.status_code, refused["Retry-After"], refused.json()) == (
        429, str(7 * 60), {"detail": TOO_SOON},
    )  # fmt: skip
    assert GeneratedInsight.objects.get(pk=written.pk).status == RunStatus.SUCCEEDED
    assert queue.of(GENERATE_INSIGHT_TASK) == []


def test_once_the_cooldown_has_passed_the_insight_is_written_again(
    clock, written, queue, django_capture_on_commit_callbacks
):
    clock.move_to(ANCHOR + timedelta(minutes=7), tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        answer = regenerate(written)

    assert answer.status_code == 202
    assert GeneratedInsight.objects.get(pk=written.pk).status == RunStatus.QUEUED
    assert queue.of(GENERATE_INSIGHT_TASK) == [(GENERATE_INSIGHT_TASK, written.pk)]


def test_the_cooldown_is_the_rows_own_and_holds_without_any_cached_count(clock, written):
    assert regenerate(written).status_code == 429
    clear_throttle_counts()  # another web process, or a cache that was emptied

    assert regenerate(written).json() == {"detail": TOO_SOON}


def test_a_failed_insight_may_be_asked_again_at_once(clock, queue):
    failed = GeneratedInsightFactory(
        generated_at=ANCHOR - timedelta(minutes=1),
        status=RunStatus.FAILED,
        error="The LLM's answer was unusable.",
    )

    assert regenerate(failed).status_code == 202


def test_a_regeneration_written_since_the_row_was_read_is_not_followed_by_another(clock, queue):
    # Read at 08:00; a regeneration finished at 08:59 before this one's UPDATE: the UPDATE
    # re-checks the row's time, so no second LLM call follows the first.
    insight = GeneratedInsightFactory(generated_at=ANCHOR - timedelta(hours=1))
    GeneratedInsight.objects.filter(pk=insight.pk).update(generated_at=ANCHOR - timedelta(minutes=1))

    with pytest.raises(RegeneratedTooSoon) as refused:
        insight_writer.regenerate_insight(user=insight.user, insight=insight)

    assert refused.value.retry_after == 9 * 60
    assert GeneratedInsight.objects.get(pk=insight.pk).status == RunStatus.SUCCEEDED
    assert queue.of(GENERATE_INSIGHT_TASK) == []


def test_a_cooldown_of_zero_lets_an_insight_be_written_again_at_once(clock, written, settings):
    settings.INSIGHT_REGENERATE_COOLDOWN = 0

    assert regenerate(written).status_code == 202


def test_the_insight_cards_regenerate_button_says_the_same_sentence_and_writes_nothing(
    clock, written, queue, client
):
    client.force_login(written.user)
    form = {"snapshot": written.snapshot_id, "kind": written.kind, "tone": written.tone}

    page = client.post("/insights/generate/", {**form, "action": "regenerate"}, follow=True)

    assert [str(message) for message in get_messages(page.wsgi_request)] == [TOO_SOON]
    assert TOO_SOON in page.content.decode()
    assert GeneratedInsight.objects.get(pk=written.pk).status == RunStatus.SUCCEEDED
    assert queue.of(GENERATE_INSIGHT_TASK) == []


def test_the_card_says_beside_its_button_when_the_shown_tone_may_be_regenerated(clock, written, client):
    client.force_login(written.user)

    waiting = client.get("/insights/").content.decode()
    clock.move_to(ANCHOR + timedelta(minutes=7), tick=False)
    ready = client.get("/insights/").content.decode()

    card = waiting[waiting.index(f'id="insight-{written.kind}"') :].split("</section>", 1)[0]
    at = (ANCHOR + timedelta(minutes=7)).astimezone(timezone.get_current_timezone()).strftime("%H:%M")
    assert f"This neutral insight can be regenerated from {at}; another tone can be written now." in card
    assert 'data-role="submit">Regenerate</button>' in card and "disabled" not in card  # other tones may go
    assert 'data-role="cooldown"' not in ready


def test_a_stranger_still_gets_404_and_anonymous_401(clock, written):
    stranger = GeneratedInsightFactory().user

    assert api_for(stranger).post(f"/api/insights/{written.pk}/regenerate").status_code == 404
    assert APIClient().post(f"/api/insights/{written.pk}/regenerate").status_code == 401
