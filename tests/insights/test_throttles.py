"""The ingest and insights limits (THROTTLE_RATES "ingest", "insights"): "Ingest now" and
POST /api/listening/ingest share one per-listener count; asking for an insight and regenerating
one, through the API or the insight cards, share another. Past a limit the API answers 429 with
Retry-After and a sentence, the page shows the same sentence; other listeners are unaffected.
The regeneration cooldown: test_regenerate_cooldown.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from core.runs import RunStatus
from insights.models import GeneratedInsight, ListeningIngest
from tests.support.throttles import ANCHOR, api_for, ask_twice, last_message
from tests.accounts.factories import SpotifyCredentialFactory
from tests.insights.factories import GeneratedInsightFactory, RichListeningSnapshotFactory
from tests.llm.factories import ProviderFactory

pytestmark = pytest.mark.django_db

INGEST, PAGE_INGEST = "/api/listening/ingest", "/insights/ingest/"
GENERATE, PAGE_GENERATE = "/api/insights/generate", "/insights/generate/"
INGEST_REFUSAL = (
    "You have asked to read your listening from Spotify 2 times in the last hour; try again in 40 minutes."
)
INSIGHTS_REFUSAL = "You have asked for 2 insights to be written in the last hour; try again in 40 minutes."


@pytest.fixture
def limited(throttle_rates, time_machine):
    """Two ingests and two insights an hour; the test asks at 09:00 and 09:10, then at 09:20."""
    throttle_rates(ingest="2/hour", insights="2/hour")
    time_machine.move_to(ANCHOR, tick=False)
    return time_machine


@pytest.fixture
def snapshot(queue):
    ProviderFactory(name="primary")
    return RichListeningSnapshotFactory()








def generate(api, snapshot, kind="wellness"):
    return api.post(GENERATE, {"snapshot": snapshot.pk, "type": kind}, format="json")


def card_form(snapshot, **extra) -> dict:
    return {"snapshot": snapshot.pk, "kind": "wellness", "tone": "neutral", "next": "/insights/", **extra}


# --- ingest ---------------------------------------------------------------------------------------
def test_the_third_ingest_of_a_listener_is_a_429_with_retry_after_and_a_sentence(limited, queue):
    listener = SpotifyCredentialFactory().user
    api = api_for(listener)
    ask_twice(limited, lambda: api.post(INGEST))

    refused = api.post(INGEST)

    assert (refused.status_code, refused["Retry-After"], refused.json()) == (
        429, str(40 * 60), {"detail": INGEST_REFUSAL},
    )  # fmt: skip


def test_another_listener_ingests_while_the_first_is_refused(limited, queue):
    api = api_for(SpotifyCredentialFactory().user)
    ask_twice(limited, lambda: api.post(INGEST))
    other = SpotifyCredentialFactory().user

    assert api.post(INGEST).status_code == 429
    assert api_for(other).post(INGEST).status_code == 202
    assert ListeningIngest.objects.filter(user=other).count() == 1


def test_ingest_now_counts_toward_the_apis_limit_and_says_the_same_sentence(limited, queue, client):
    listener = SpotifyCredentialFactory().user
    client.force_login(listener)
    client.post(PAGE_INGEST)
    ListeningIngest.objects.update(status=RunStatus.SUCCEEDED)  # read: the next would be a new one
    limited.move_to(ANCHOR + timedelta(minutes=10), tick=False)
    api_for(listener).post(INGEST)
    ListeningIngest.objects.update(status=RunStatus.SUCCEEDED)
    limited.move_to(ANCHOR + timedelta(minutes=20), tick=False)

    page = client.post(PAGE_INGEST, {"range": "medium_term"}, follow=True)

    assert page.redirect_chain == [("/insights/?range=medium_term", 302)]
    assert INGEST_REFUSAL in page.content.decode()
    assert api_for(listener).post(INGEST).status_code == 429
    assert ListeningIngest.objects.filter(user=listener).count() == 2  # the refused asked for none


# --- insights -------------------------------------------------------------------------------------
def test_the_third_insight_asked_of_a_listener_is_a_429_with_retry_after_and_a_sentence(limited, snapshot):
    api = api_for(snapshot.user)
    ask_twice(limited, lambda: generate(api, snapshot))

    refused = generate(api, snapshot, kind="roast")

    assert (refused.status_code, refused["Retry-After"], refused.json()) == (
        429, str(40 * 60), {"detail": INSIGHTS_REFUSAL},
    )  # fmt: skip
    assert not GeneratedInsight.objects.filter(kind="roast").exists()


def test_another_listener_asks_for_insights_while_the_first_is_refused(limited, snapshot):
    api = api_for(snapshot.user)
    ask_twice(limited, lambda: generate(api, snapshot))
    theirs = RichListeningSnapshotFactory()

    assert generate(api, snapshot).status_code == 429
    assert generate(api_for(theirs.user), theirs).status_code == 202


def test_regenerating_counts_with_asking_for_insights(limited, snapshot):
    written = GeneratedInsightFactory(snapshot=snapshot, generated_at=ANCHOR - timedelta(days=1))
    api = api_for(snapshot.user)
    ask_twice(limited, lambda: generate(api, snapshot, kind="roast"))

    refused = api.post(f"/api/insights/{written.pk}/regenerate")

    assert (refused.status_code, refused.json()) == (429, {"detail": INSIGHTS_REFUSAL})
    assert GeneratedInsight.objects.get(pk=written.pk).status == RunStatus.SUCCEEDED


def test_the_insight_cards_count_toward_the_apis_limit_and_say_the_same_sentence(limited, snapshot, client):
    written = GeneratedInsightFactory(snapshot=snapshot, generated_at=ANCHOR - timedelta(days=1))
    client.force_login(snapshot.user)
    client.post(PAGE_GENERATE, card_form(snapshot, kind="roast"))
    limited.move_to(ANCHOR + timedelta(minutes=10), tick=False)
    generate(api_for(snapshot.user), snapshot, kind="personality")
    limited.move_to(ANCHOR + timedelta(minutes=20), tick=False)

    page = client.post(PAGE_GENERATE, card_form(snapshot, action="regenerate"), follow=True)

    assert INSIGHTS_REFUSAL in page.content.decode()
    assert last_message(page) == INSIGHTS_REFUSAL
    assert GeneratedInsight.objects.get(pk=written.pk).status == RunStatus.SUCCEEDED
    assert generate(api_for(snapshot.user), snapshot).status_code == 429


# --- anonymous ------------------------------------------------------------------------------------
def test_anonymous_callers_are_still_refused_as_before(limited, client):
    for path in (INGEST, GENERATE, "/api/insights/1/regenerate"):
        assert APIClient().post(path).status_code == 401
    for path in (PAGE_INGEST, PAGE_GENERATE):
        response = client.post(path)
        assert response.status_code == 302 and response["Location"].startswith("/?next=")
