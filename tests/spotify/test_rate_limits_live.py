"""The 429 and failure policy of the Spotify client, against the live sandbox.

Waits are real (short); the limits are set per test through settings.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import SpotifyPause
from spotify import api as spotify_api
from spotify.client import get_spotify_client
from spotify.errors import SpotifyRateLimited, SpotifyRefused, SpotifyUnavailable
from tests.accounts.conftest import credential_from_sandbox, sandbox_count

pytestmark = pytest.mark.django_db

# spotipy's me() asks for "/v1/me/"; the fault pattern must match that exact path.
ME = "/v1/me/"

SLACK = 1.0  # seconds a call may take beyond its waits: a few local HTTP round trips


@pytest.fixture
def spotify(demo_credential):
    with get_spotify_client(user=demo_credential.user) as client:
        yield client


def _timed(call):
    started = time.monotonic()
    try:
        return call(), time.monotonic() - started
    except Exception as exc:
        exc.elapsed = time.monotonic() - started
        raise


def test_a_short_retry_after_is_waited_out_and_the_call_succeeds(sandbox, spotify, settings):
    settings.SPOTIFY_MAX_RETRY_AFTER = 2
    sandbox.fail_next(method="GET", path="/v1/me/playlists", status=429, retry_after=1)

    page, elapsed = _timed(lambda: spotify.api.current_user_playlists(limit=1))

    assert page["total"] >= 70
    assert 1.0 <= elapsed < 2 + SLACK
    assert spotify.stats.rate_limited == 1 and spotify.stats.retries == 1
    assert sandbox_count(sandbox, "GET /v1/me/playlists") == 2


def test_a_long_retry_after_raises_at_once_with_when_to_resume(sandbox, spotify, settings, demo_credential):
    settings.SPOTIFY_MAX_RETRY_AFTER = 10
    sandbox.fail_next(method="GET", path="/v1/me/playlists", status=429, retry_after=3600)

    with pytest.raises(SpotifyRateLimited) as error:
        _timed(lambda: spotify.api.current_user_playlists(limit=1))

    expected = timezone.now() + timedelta(seconds=3600)
    assert error.value.retry_after == 3600
    assert abs((error.value.resume_at - expected).total_seconds()) < 5
    assert error.value.elapsed < SLACK and error.value.app_wide
    # The whole deployment pauses: Spotify's limits are the developer account's.
    pause = SpotifyPause.objects.get()
    assert (pause.reason, pause.retry_after, pause.user_id) == ("rate_limit", 3600, demo_credential.user_id)
    assert abs((pause.until - expected).total_seconds()) < 5


def test_repeated_short_retry_afters_never_block_past_the_setting(sandbox, spotify, settings):
    settings.SPOTIFY_MAX_RETRY_AFTER = 2
    sandbox.fail_next(method="GET", path=ME, status=429, retry_after=1, count=10)

    with pytest.raises(SpotifyRateLimited) as error:
        _timed(spotify.api.me)

    assert error.value.elapsed < 2 + SLACK
    assert 1 <= spotify.stats.rate_limited <= 3


def test_the_sandboxs_own_rate_limit_is_waited_out_within_the_setting(sandbox, spotify, settings):
    settings.SPOTIFY_MAX_RETRY_AFTER = 3
    sandbox.configure(rate_limit={"budget": 3, "window_seconds": 1})

    for _ in range(8):
        _, elapsed = _timed(spotify.api.me)
        assert elapsed < 3 + SLACK

    assert spotify.stats.rate_limited >= 1
    assert sandbox_count(sandbox, "GET /v1/me") == 8 + spotify.stats.rate_limited


def test_a_forced_long_retry_after_from_the_sandbox_raises(sandbox, spotify, settings):
    settings.SPOTIFY_MAX_RETRY_AFTER = 5
    sandbox.configure(rate_limit={"budget": 1, "window_seconds": 60}, retry_after_seconds=7200)
    spotify.api.me()

    with pytest.raises(SpotifyRateLimited) as error:
        _timed(spotify.api.me)

    assert error.value.retry_after == 7200
    assert error.value.elapsed < SLACK


def test_the_dashboard_shows_when_spotify_lets_us_back_in(sandbox, client, demo_credential):
    sandbox.fail_next(method="GET", path="/v1/me/playlists", status=429, retry_after=3600)
    with pytest.raises(SpotifyRateLimited), get_spotify_client(user=demo_credential.user) as spotify:
        spotify_api.my_playlists(client=spotify, limit=1)  # a run meets the long Retry-After and records it
    client.force_login(demo_credential.user)

    first = client.get("/dashboard/")
    second = client.get("/dashboard/")

    assert first.status_code == 200 and "Spotify asked us to pause until" in first.content.decode()
    assert "Spotify asked us to pause until" in second.content.decode()
    # The pages did not ask Spotify at all.
    assert sandbox_count(sandbox, "GET /v1/me/playlists") == 1


def test_a_brief_server_error_is_retried(sandbox, spotify):
    sandbox.fail_next(method="GET", path=ME, status=503, count=2)

    assert spotify.api.me()["id"] == "demo"
    assert spotify.stats.retries == 2
    assert sandbox_count(sandbox, "GET /v1/me") == 3


def test_a_lasting_server_error_raises_unavailable_after_a_few_quick_tries(sandbox, spotify):
    sandbox.fail_next(method="GET", path=ME, status=500, count=10)

    with pytest.raises(SpotifyUnavailable) as error:
        _timed(spotify.api.me)

    assert sandbox_count(sandbox, "GET /v1/me") == 3
    assert error.value.elapsed < 2 + SLACK
    # Said in words a listener reads on their import card, not as a request line.
    assert str(error.value) == "Spotify is not answering properly (error 500 while reading your Spotify profile)."


@pytest.mark.parametrize("kind", ["reset", "malformed"])
def test_a_reset_connection_or_garbled_body_is_retried(sandbox, spotify, kind):
    sandbox.fail_next(method="GET", path=ME, kind=kind)

    assert spotify.api.me()["id"] == "demo"
    assert spotify.stats.retries == 1


def test_a_response_slower_than_the_timeout_is_retried(sandbox, settings, demo_credential):
    settings.SPOTIFY_HTTP_TIMEOUT = 1
    sandbox.fail_next(method="GET", path=ME, kind="latency", latency_ms=2500)

    with get_spotify_client(user=demo_credential.user) as spotify:
        (me, elapsed) = _timed(spotify.api.me)

    assert me["id"] == "demo"
    assert spotify.stats.retries == 1
    assert elapsed < 1 + 0.5 + SLACK + 1
    # The sandbox finishes the abandoned slow request later; wait for it so its count
    # does not land in the next test's counters.
    deadline = time.monotonic() + 5
    while sandbox_count(sandbox, "GET /v1/me") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sandbox_count(sandbox, "GET /v1/me") == 2


def test_a_post_that_failed_unclearly_is_not_resent(sandbox, spotify):
    # A create that timed out or 5xx'd may have happened; resending could duplicate it.
    sandbox.fail_next(method="POST", path="/v1/me/playlists", status=502)

    with pytest.raises(SpotifyUnavailable) as error:
        spotify.api.current_user_playlist_create("Routed: Late Night")

    assert sandbox_count(sandbox, "POST /v1/me/playlists") == 1
    assert "(error 502 while creating a playlist)" in str(error.value)


def test_a_request_with_no_words_of_its_own_is_named_without_its_ids(sandbox, spotify):
    sandbox.fail_next(method="GET", path="/v1/playlists/*/followers/contains", status=503, count=10)

    with pytest.raises(SpotifyUnavailable) as error:
        spotify.api._get("playlists/37i9dQZF1DXcBWIGoYBM5M/followers/contains", ids="demo")

    assert "(error 503 while GET /v1/playlists/…/followers/contains)" in str(error.value)
    assert "37i9dQZF1DXcBWIGoYBM5M" not in str(error.value)


def test_a_client_error_is_refused_at_once_as_our_own_exception(sandbox, spotify):
    with pytest.raises(SpotifyRefused) as error:
        spotify_api.playlist(client=spotify, playlist_id="0000000000000000000000")

    assert error.value.status == 404
    assert spotify.stats.retries == 0


def test_every_request_is_counted_like_the_sandbox_counts_it(sandbox, settings):
    settings.SPOTIFY_MAX_RETRY_AFTER = 2
    credential = credential_from_sandbox(sandbox, expires_in=1)  # forces one refresh
    sandbox.fail_next(method="GET", path="/v1/me/playlists", status=429, retry_after=1)
    sandbox.fail_next(method="GET", path=ME, status=503)

    with get_spotify_client(user=credential.user) as spotify:
        spotify.api.me()
        spotify.api.current_user_playlists(limit=5)
        spotify.api.current_user_playlists(limit=5, offset=5)

    counters = sandbox.counters()
    assert counters["by_route"] == dict(spotify.stats.by_endpoint)
    assert spotify.stats.requests == counters["total"] == 1 + 2 + 3
    assert spotify.stats.rate_limited == counters["status_429"]
    assert (spotify.stats.rate_limited, spotify.stats.refreshes, spotify.stats.retries) == (1, 1, 2)
