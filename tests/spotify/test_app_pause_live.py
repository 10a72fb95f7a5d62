"""Spotify's quota is the developer account's (July 2026): one quota 429, or a Retry-After too long
to wait out, pauses every Spotify call of the deployment until then, whoever's call met it and
whichever process holds a client. Short 429s stay per request, with a minimum back-off however
little Retry-After says, and a postponement never shorter than SPOTIFY_MIN_POSTPONE."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import SpotifyPause
from spotify import api as spotify_api
from spotify.client import get_spotify_client
from spotify.errors import SpotifyRateLimited
from tests.accounts.conftest import credential_from_sandbox, sandbox_count
from tests.accounts.factories import SpotifyPauseFactory

pytestmark = pytest.mark.django_db

PLAYLISTS = "/v1/me/playlists"
QUOTA_BODY = {"error": {"status": 429, "message": "API rate limit exceeded", "reason": "QUOTA_EXCEEDED"}}


def _total(sandbox) -> int:
    return int(sandbox.counters()["total"])


def test_a_quota_429_pauses_every_listener_without_retrying(sandbox, settings):
    settings.SPOTIFY_MAX_RETRY_AFTER = 10
    first = credential_from_sandbox(sandbox, user="demo")
    second = credential_from_sandbox(sandbox, user="other")
    # A quota 429 with a Retry-After short enough to wait out: still never waited, never retried.
    sandbox.fail_next(method="GET", path=PLAYLISTS, status=429, retry_after=5, body=QUOTA_BODY)

    with pytest.raises(SpotifyRateLimited) as met, get_spotify_client(user=first.user) as client:
        spotify_api.my_playlists(client=client, limit=1)

    assert met.value.app_wide and sandbox_count(sandbox, f"GET {PLAYLISTS}") == 1
    pause = SpotifyPause.objects.get()
    assert (pause.reason, pause.retry_after, pause.user_id) == ("quota", 5, first.user_id)
    # Never shorter than the minimum postponement, however short Retry-After was.
    assert pause.until >= timezone.now() + timedelta(seconds=settings.SPOTIFY_MIN_POSTPONE - 2)

    sent = _total(sandbox)
    with pytest.raises(SpotifyRateLimited) as other, get_spotify_client(user=second.user) as client:
        spotify_api.my_playlists(client=client, limit=1)
    assert other.value.app_wide and other.value.resume_at == pause.until
    assert _total(sandbox) == sent  # the other listener sent nothing


def test_a_client_already_in_hand_sees_a_pause_another_process_stored(sandbox, demo_credential):
    with get_spotify_client(user=demo_credential.user) as client:
        spotify_api.my_playlists(client=client, limit=1)
        until = SpotifyPauseFactory(until=timezone.now() + timedelta(hours=14)).until  # another worker met it
        sent = _total(sandbox)

        with pytest.raises(SpotifyRateLimited) as error:
            spotify_api.my_playlists(client=client, limit=1)

    assert error.value.resume_at == until and _total(sandbox) == sent


def test_a_long_retry_after_pauses_the_deployment_and_a_lifted_pause_lets_calls_go(sandbox, demo_credential):
    sandbox.fail_next(method="GET", path=PLAYLISTS, status=429, retry_after=52_531)
    with pytest.raises(SpotifyRateLimited), get_spotify_client(user=demo_credential.user) as client:
        spotify_api.my_playlists(client=client, limit=1)
    assert SpotifyPause.objects.get().reason == "rate_limit"

    SpotifyPause.objects.update(until=timezone.now())  # staff lifted it (admin action)
    with get_spotify_client(user=demo_credential.user) as client:
        assert spotify_api.my_playlists(client=client, limit=1)["total"] >= 70


@pytest.mark.parametrize(
    "fault",
    [
        {"retry_after": 0},  # "Retry-After: 0"
        {},  # no Retry-After at all
        {"retry_after": 0, "body": ""},  # and an empty body
    ],
    ids=["zero", "missing", "empty-body"],
)
def test_a_429_that_asks_for_no_wait_is_still_backed_off_one_then_two_seconds(sandbox, demo_credential, settings, fault):
    settings.SPOTIFY_MAX_RETRY_AFTER = 10
    sandbox.fail_next(method="GET", path=PLAYLISTS, status=429, count=2, **fault)

    started = time.monotonic()
    with get_spotify_client(user=demo_credential.user) as client:
        page = spotify_api.my_playlists(client=client, limit=1)
        stats = client.stats
    elapsed = time.monotonic() - started

    assert page["total"] >= 70
    assert elapsed >= 3.0  # 1 s, then 2 s: never three re-sends within 40 ms
    assert (stats.rate_limited, stats.retries) == (2, 2)
    assert sandbox_count(sandbox, f"GET {PLAYLISTS}") == 3
    assert not SpotifyPause.objects.exists()  # short 429s stay per request


def test_short_429s_that_keep_coming_postpone_the_caller_for_at_least_the_minimum(sandbox, demo_credential, settings):
    settings.SPOTIFY_MAX_RETRY_AFTER = 2
    settings.SPOTIFY_MIN_POSTPONE = 30
    sandbox.fail_next(method="GET", path=PLAYLISTS, status=429, retry_after=0, count=10)

    with pytest.raises(SpotifyRateLimited) as error, get_spotify_client(user=demo_credential.user) as client:
        spotify_api.my_playlists(client=client, limit=1)

    assert not error.value.app_wide and not SpotifyPause.objects.exists()
    assert error.value.resume_at >= timezone.now() + timedelta(seconds=28)
    assert sandbox_count(sandbox, f"GET {PLAYLISTS}") == 2  # waited 1 s; 2 s more would pass the setting


def test_the_sandboxs_quota_answers_as_spotify_does_and_its_end_lets_calls_through(sandbox, demo_credential):
    sandbox.configure(quota={"after_requests": 1, "retry_after": 50_000})
    with get_spotify_client(user=demo_credential.user) as client:
        spotify_api.my_playlists(client=client, limit=1)
        with pytest.raises(SpotifyRateLimited) as error:
            spotify_api.my_playlists(client=client, limit=1)

    assert error.value.app_wide and 49_990 <= error.value.retry_after <= 50_000
    assert SpotifyPause.objects.get().message == "API rate limit exceeded"
    assert sandbox.violations() == []


def test_the_token_refresh_schedule_sends_nothing_while_paused_and_does_not_fail(sandbox, demo_credential):
    from accounts.models import SpotifyCredential
    from spotify.tasks import refresh_expiring_tokens

    SpotifyCredential.objects.filter(pk=demo_credential.pk).update(expires_at=timezone.now())
    SpotifyPauseFactory()
    sent = _total(sandbox)
    token_requests = sandbox.counters()["by_route"].get("/api/token", 0)

    summary = refresh_expiring_tokens()

    assert summary == "0 token(s) refreshed, 0 failed, 1 left until Spotify's pause ends"
    assert _total(sandbox) == sent and sandbox.counters()["by_route"].get("/api/token", 0) == token_requests


def test_lifting_a_pause_brings_forward_only_what_waited_on_spotify(demo_credential):
    from accounts.services import lift_spotify_pauses
    from analysis.models import AnalysisBatch
    from core.runs import RunStatus
    from tests.sync.factories import SyncEventFactory

    pause = SpotifyPauseFactory(until=timezone.now() + timedelta(hours=14))
    user = demo_credential.user
    waiting_import = SyncEventFactory(user=user, resume_at=pause.until)
    batch = AnalysisBatch.objects.create(  # waits for an LLM provider, not for Spotify
        user=user, prompt_version="v", status=RunStatus.QUEUED, resume_at=timezone.now() + timedelta(hours=1)
    )

    assert lift_spotify_pauses(pauses=SpotifyPause.objects.all()) == 1

    waiting_import.refresh_from_db()
    batch.refresh_from_db()
    assert waiting_import.resume_at <= timezone.now() < batch.resume_at


def test_a_sign_in_during_the_pause_sends_no_profile_request_and_says_when_to_come_back(browser, sandbox):
    from tests.accounts.conftest import sign_in_through_sandbox

    sandbox.configure(auto_approve=True)
    SpotifyPauseFactory(until=timezone.now() + timedelta(hours=3))
    sandbox.control("DELETE", "counters")

    response = sign_in_through_sandbox(browser)

    assert response.status_code == 503
    assert "Spotify asked this Linernotes server to pause until" in response.content.decode()
    assert sandbox.counters()["by_route"].get("GET /v1/me", 0) == 0


def test_a_quota_429_on_the_sign_ins_profile_request_pauses_the_deployment(browser, sandbox):
    from accounts.models import SpotifyCredential
    from tests.accounts.conftest import sign_in_through_sandbox

    sandbox.configure(auto_approve=True)
    sandbox.fail_next(method="GET", path="/v1/me*", status=429, retry_after=40_000, body=QUOTA_BODY)

    response = sign_in_through_sandbox(browser)

    assert response.status_code == 503 and not SpotifyCredential.objects.exists()
    pause = SpotifyPause.objects.get()
    assert (pause.reason, pause.retry_after) == ("quota", 40_000)
