"""Per-listener throttles (core.throttles): counted per user id and scope in the default cache,
refused with a sentence naming the count and the wait, answered 429 with Retry-After by the one
exception handler; a waiting time in words. Each scope on its endpoints and pages:
tests/<app>/test_throttles.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from rest_framework.exceptions import Throttled as DrfThrottled

from core.errors import exception_handler, wait_in_words
from core.throttles import ListenerThrottle, Throttled
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

ANCHOR = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class ImportThrottle(ListenerThrottle):
    scope = "imports"
    asked = ("asked for an import", "asked for {count} imports")


def request_of(user):
    request = RequestFactory().post("/sync/import/", REMOTE_ADDR="10.0.0.1")
    request.user = user
    return request


def refusal_of(user) -> Throttled:
    with pytest.raises(Throttled) as refused:
        ImportThrottle.check(request_of(user))
    return refused.value


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(ANCHOR, tick=False)
    return time_machine


# --- counting ---------------------------------------------------------------------------------
def test_the_request_past_the_limit_is_refused_naming_the_count_and_the_wait(throttle_rates, clock):
    throttle_rates(imports="3/hour")
    listener = UserFactory()

    for minute in (0, 10, 20):
        clock.move_to(ANCHOR + timedelta(minutes=minute), tick=False)
        ImportThrottle.check(request_of(listener))
    clock.move_to(ANCHOR + timedelta(minutes=48), tick=False)
    refused = refusal_of(listener)

    # The first of the three leaves the hour at 10:00, 12 minutes from now.
    assert str(refused) == "You have asked for 3 imports in the last hour; try again in 12 minutes."
    assert (refused.status, refused.retry_after) == (429, 12 * 60)


def test_the_listener_is_let_in_again_once_the_oldest_request_leaves_the_window(throttle_rates, clock):
    throttle_rates(imports="2/hour")
    listener = UserFactory()
    ImportThrottle.check(request_of(listener))
    clock.move_to(ANCHOR + timedelta(minutes=30), tick=False)
    ImportThrottle.check(request_of(listener))
    refusal_of(listener)  # refused requests are not counted

    clock.move_to(ANCHOR + timedelta(minutes=60, seconds=1), tick=False)
    ImportThrottle.check(request_of(listener))

    assert "try again in 30 minutes" in str(refusal_of(listener))


def test_listeners_are_counted_apart_even_from_one_address(throttle_rates, clock):
    throttle_rates(imports="1/hour")
    listener, housemate = UserFactory(), UserFactory()
    ImportThrottle.check(request_of(listener))

    ImportThrottle.check(request_of(housemate))  # the same REMOTE_ADDR, another listener

    assert str(refusal_of(listener)) == "You have asked for an import in the last hour; try again in 1 hour."


def test_a_rate_lowered_below_what_was_counted_still_names_an_exact_wait(throttle_rates, clock):
    throttle_rates(imports="5/hour")
    listener = UserFactory()
    for minute in (0, 5, 10, 15):
        clock.move_to(ANCHOR + timedelta(minutes=minute), tick=False)
        ImportThrottle.check(request_of(listener))

    throttle_rates(imports="2/hour")
    refused = refusal_of(listener)

    # Allowed once fewer than two still count: when the second-newest (09:10) leaves, at 10:10.
    assert refused.retry_after == 55 * 60 and "try again in 55 minutes" in str(refused)


def test_a_scope_set_to_off_is_not_limited(throttle_rates):
    throttle_rates(imports=None)
    listener = UserFactory()

    for _ in range(50):
        ImportThrottle.check(request_of(listener))


def test_a_scope_without_a_rate_is_a_configuration_error(settings):
    settings.THROTTLE_RATES = {}

    with pytest.raises(ImproperlyConfigured, match="'imports'"):
        ImportThrottle.check(request_of(UserFactory()))


def test_a_short_window_says_so_in_its_own_words(throttle_rates, clock):
    throttle_rates(imports="2/minute")
    listener = UserFactory()
    ImportThrottle.check(request_of(listener))
    ImportThrottle.check(request_of(listener))
    clock.move_to(ANCHOR + timedelta(seconds=20), tick=False)

    refused = refusal_of(listener)

    assert str(refused) == "You have asked for 2 imports in the last minute; try again in 40 seconds."
    assert refused.retry_after == 40


# --- the answer -------------------------------------------------------------------------------
def test_the_one_handler_answers_a_refusal_with_429_retry_after_and_the_sentence():
    sentence = "You have asked for 6 imports in the last hour; try again in 12 minutes."

    response = exception_handler(Throttled(sentence, retry_after=720), {})

    assert (response.status_code, response["Retry-After"]) == (429, "720")
    assert response.data == {"detail": sentence}


def test_drfs_own_throttles_are_answered_in_the_same_words():
    response = exception_handler(DrfThrottled(wait=719.2), {})

    assert (response.status_code, response["Retry-After"]) == (429, "720")
    assert response.data == {"detail": "Too many requests; try again in 12 minutes."}


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.2, "1 second"),
        (40, "40 seconds"),
        (59.5, "1 minute"),
        (61, "2 minutes"),
        (720, "12 minutes"),
        (3600, "1 hour"),
        (3601, "1 hour 1 minute"),
        (2 * 3600 + 5 * 60, "2 hours 5 minutes"),
        (86400, "24 hours"),
    ],
)
def test_a_wait_is_said_in_words_rounded_up(seconds, words):
    assert wait_in_words(seconds) == words
