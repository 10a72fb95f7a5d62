"""A grant's life against the live sandbox: when it was first authorised, the dashboard's
warning before Spotify ends it, invalid_grant marking the listener for reconnecting once and
every schedule leaving them alone, the stored refresh token kept, and /me's account_id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from accounts import credentials
from accounts.models import SpotifyCredential
from accounts.selectors import get_connection_state
from insights.services import history, snapshots
from routing.models import RouteRun
from routing.services import auto_route
from spotify import api
from spotify import services as spotify_services
from spotify.client import get_spotify_client
from spotify.errors import ReconnectNeeded
from tests.accounts.conftest import credential_from_sandbox, sign_in_through_sandbox
from tests.accounts.factories import SpotifyCredentialFactory
from tests.routing.factories import BasePlaylistFactory

pytestmark = pytest.mark.django_db

# A fixed anchor: the grant ends five days after it, at noon UTC on 3 June.
ANCHOR = datetime(2027, 5, 29, 12, 0, tzinfo=UTC)
GRANT_ENDS = datetime(2027, 6, 3, 12, 0, tzinfo=UTC)
TOKEN_ROUTE = "POST /api/token"


def _first_authorized_for(end: datetime, settings) -> datetime:
    return end - timedelta(days=settings.SPOTIFY_GRANT_LIFETIME_DAYS)


def _v1_requests(sandbox) -> int:
    return sum(n for route, n in sandbox.counters()["by_route"].items() if " /v1/" in route)


# --- first authorisation and account_id ----------------------------------------------------
def test_sign_in_stores_the_account_id_spotify_sends_in_me(browser, sandbox):
    sandbox.configure(auto_approve=True)
    token = sandbox.issue_token(user="demo")["access_token"]
    profile = requests.get(
        f"{sandbox.api_url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()

    sign_in_through_sandbox(browser)

    credential = SpotifyCredential.objects.get()
    assert profile["account_id"] and profile["account_id"] != profile["id"]
    assert credential.account_id == profile["account_id"]


def test_signing_in_again_before_the_end_starts_the_six_months_again_and_the_warning_goes(
    browser, sandbox, time_machine, settings
):
    """What the dashboard asks for ("Reconnect Spotify before …") works: a new authorisation
    brings a new refresh token, whose six months count from then, in the sandbox as on Spotify."""
    settings.TIME_ZONE = "UTC"
    sandbox.configure(auto_approve=True)
    time_machine.move_to(ANCHOR, tick=False)
    sign_in_through_sandbox(browser)
    time_machine.move_to(ANCHOR + timedelta(days=settings.SPOTIFY_GRANT_LIFETIME_DAYS - 5), tick=False)
    user = SpotifyCredential.objects.get().user
    assert get_connection_state(user=user).grant_warning.startswith("Reconnect Spotify before")
    browser.logout()  # (the browser's session has long expired by now anyway)

    sign_in_through_sandbox(browser)

    credential = SpotifyCredential.objects.get()
    renewed = ANCHOR + timedelta(days=settings.SPOTIFY_GRANT_LIFETIME_DAYS - 5)
    assert credential.first_authorized_at == credential.last_sign_in_at == renewed
    assert "Reconnect Spotify before" not in browser.get("/dashboard/").content.decode()


def test_a_sign_in_after_the_grant_was_lost_starts_a_new_one(browser, sandbox, time_machine):
    sandbox.configure(auto_approve=True)
    time_machine.move_to(ANCHOR, tick=False)
    sign_in_through_sandbox(browser)
    credential = SpotifyCredential.objects.get()
    credentials.mark_reconnect_needed(credential=credential, reason="Spotify refused the stored grant.")
    browser.logout()
    time_machine.move_to(ANCHOR + timedelta(days=40), tick=False)

    sign_in_through_sandbox(browser)

    credential.refresh_from_db()
    assert credential.first_authorized_at == ANCHOR + timedelta(days=40)
    assert not credential.reconnect_needed


# --- the dashboard's warning ------------------------------------------------------------
@pytest.mark.parametrize(
    ("time_zone", "day"),
    [("UTC", "3 June"), ("Pacific/Auckland", "4 June")],  # noon UTC is past midnight in Auckland
)
def test_a_listener_five_days_from_the_end_is_told_to_reconnect_by_then(client, settings, time_machine, time_zone, day):
    settings.TIME_ZONE = time_zone
    time_machine.move_to(ANCHOR, tick=False)
    credential = SpotifyCredentialFactory(first_authorized_at=_first_authorized_for(GRANT_ENDS, settings))
    client.force_login(credential.user)

    html = client.get(reverse("accounts:dashboard")).content.decode()

    assert f"Reconnect Spotify before {day} to keep your imports running." in html


def test_no_warning_more_than_two_weeks_before_the_end(client, settings, time_machine):
    time_machine.move_to(GRANT_ENDS - timedelta(days=settings.SPOTIFY_GRANT_WARNING_DAYS, minutes=1), tick=False)
    credential = SpotifyCredentialFactory(first_authorized_at=_first_authorized_for(GRANT_ENDS, settings))
    client.force_login(credential.user)

    html = client.get(reverse("accounts:dashboard")).content.decode()

    assert "Reconnect Spotify before" not in html


def test_the_lifetime_is_a_setting(client, settings, time_machine):
    settings.TIME_ZONE = "UTC"
    settings.SPOTIFY_GRANT_LIFETIME_DAYS = 30
    time_machine.move_to(ANCHOR, tick=False)
    credential = SpotifyCredentialFactory(first_authorized_at=ANCHOR - timedelta(days=25))
    client.force_login(credential.user)

    html = client.get(reverse("accounts:dashboard")).content.decode()

    assert "Reconnect Spotify before 3 June" in html


def test_a_grant_past_its_end_by_our_count_asks_to_reconnect_now_without_a_past_date(client, settings, time_machine):
    time_machine.move_to(ANCHOR, tick=False)
    credential = SpotifyCredentialFactory(
        first_authorized_at=ANCHOR - timedelta(days=settings.SPOTIFY_GRANT_LIFETIME_DAYS + 3)
    )
    client.force_login(credential.user)

    html = client.get(reverse("accounts:dashboard")).content.decode()

    assert "reconnect Spotify now" in html and "Reconnect Spotify before" not in html


# --- invalid_grant --------------------------------------------------------------------------
@pytest.fixture
def ended_grant(sandbox) -> SpotifyCredential:
    """A listener whose access token is due and whose grant Spotify has ended."""
    credential = credential_from_sandbox(sandbox, expires_in=60)
    SpotifyCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    sandbox.configure(refresh_token_lifetime_seconds=0)
    sandbox.control("DELETE", "counters")
    return credential


def test_invalid_grant_marks_the_listener_for_reconnecting_after_one_token_request(ended_grant, sandbox):
    with pytest.raises(ReconnectNeeded), get_spotify_client(user=ended_grant.user) as spotify:
        api.me(client=spotify)

    ended_grant.refresh_from_db()
    assert ended_grant.reconnect_needed
    assert "Refresh token revoked" in ended_grant.reconnect_reason
    counters = sandbox.counters()["by_route"]
    assert counters == {TOKEN_ROUTE: 1}  # no retry, and no /v1 call with a dead token


def test_the_schedules_ask_spotify_nothing_for_a_listener_who_must_reconnect(ended_grant, sandbox):
    with pytest.raises(ReconnectNeeded), get_spotify_client(user=ended_grant.user) as spotify:
        api.me(client=spotify)
    base = BasePlaylistFactory(user=ended_grant.user, waits_for_analyses_since=timezone.now() - timedelta(hours=1))
    sandbox.control("DELETE", "counters")

    refreshed = spotify_services.refresh_expiring_credentials(within=timedelta(days=1))
    polled = history.poll_all_histories()
    ingested = snapshots.ingest_all_users()
    routed = auto_route.route_overdue()

    assert sandbox.counters()["total"] == 0
    assert (refreshed.refreshed, refreshed.failed) == (0, 0)
    assert polled.outcomes[history.PollOutcome.DISCONNECTED] == 1
    assert ingested.ingested == [] and ingested.failed == {}
    # The route is put off, not dropped: the base still waits for the listener to reconnect.
    assert routed == [] and not RouteRun.objects.exists()
    base.refresh_from_db()
    assert base.waits_for_analyses_since is not None


def test_a_connected_listeners_waiting_base_is_routed_by_the_same_schedule(sandbox):
    credential = credential_from_sandbox(sandbox)
    BasePlaylistFactory(user=credential.user, waits_for_analyses_since=timezone.now() - timedelta(hours=1))

    assert len(auto_route.route_overdue()) == 1


# --- the stored refresh token -----------------------------------------------------------
def test_a_refresh_answer_without_a_refresh_token_keeps_the_stored_one(sandbox):
    credential = credential_from_sandbox(sandbox)
    stored_refresh, stored_access = credential.refresh_token, credential.access_token
    SpotifyCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    with get_spotify_client(user=credential.user) as spotify:
        assert api.me(client=spotify)["id"] == "demo"

    credential.refresh_from_db()
    assert sandbox.counters()["by_route"][TOKEN_ROUTE] == 1  # the sandbox sent no new one
    assert credential.access_token != stored_access
    assert credential.refresh_token == stored_refresh
