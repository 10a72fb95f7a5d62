"""Landing page, dashboard and sign-out: owner, stranger, anonymous.

Dashboards of connected users call Spotify, so those live in test_dashboard_live.py;
here the users are in states that need no call (reconnect needed, rate limited, not connected).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SpotifyPause
from tests.accounts.factories import (
    SpotifyCredentialFactory,
    SpotifyPauseFactory,
    UserFactory,
    api_token_secret,
)

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_get_a_sign_in_form_that_posts_to_the_spotify_login(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'method="post" action="{reverse("spotify_login")}"' in html
    assert "Sign in with Spotify" in html
    assert "csrfmiddlewaretoken" in html


def test_signed_in_users_are_sent_from_the_landing_page_to_the_dashboard(client):
    client.force_login(UserFactory())

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_anonymous_visitors_are_sent_from_the_dashboard_to_the_landing_page(client):
    response = client.get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")


def test_the_dashboard_shows_a_reconnect_button_when_the_grant_is_gone(client):
    credential = SpotifyCredentialFactory(reconnect=True, user__display_name="Ada Listener")
    client.force_login(credential.user)

    html = client.get("/dashboard/").content.decode()

    assert "Ada Listener" in html
    assert "Reconnect needed" in html
    assert "Reconnect Spotify" in html
    assert f'action="{reverse("spotify_login")}"' in html


def test_the_dashboard_shows_until_when_spotify_asked_us_to_pause(client, settings):
    settings.TIME_ZONE = "UTC"  # the page shows local time; the assertion reads UTC
    credential = SpotifyCredentialFactory(rate_limited=True)
    pause = SpotifyPause.objects.get()
    client.force_login(credential.user)

    html = client.get("/dashboard/").content.decode()

    assert "Paused" in html and "your import continues then" in html
    assert pause.until.isoformat(timespec="seconds")[:16] in html


def test_every_listener_sees_the_pause_another_listeners_request_met(client):
    SpotifyCredentialFactory(rate_limited=True)  # somebody else's request met the quota
    bystander = SpotifyCredentialFactory()
    client.force_login(bystander.user)

    html = client.get("/dashboard/").content.decode()

    assert "Spotify asked us to pause until" in html and "shared by every listener" in html


def test_a_pause_that_ended_is_not_shown(client):
    credential = SpotifyCredentialFactory()
    SpotifyPauseFactory(until=timezone.now() - timedelta(seconds=1), user=credential.user)
    client.force_login(credential.user)

    html = client.get("/dashboard/").content.decode()

    assert "Connected" in html and "pause" not in html.lower()


def test_the_dashboard_offers_to_connect_a_user_without_credentials(client):
    client.force_login(UserFactory())

    html = client.get("/dashboard/").content.decode()

    assert "Not connected" in html
    assert "Connect Spotify" in html


def test_a_strangers_dashboard_shows_only_their_own_name(client):
    owner = SpotifyCredentialFactory(reconnect=True, user__display_name="Owner Olga").user
    stranger = SpotifyCredentialFactory(reconnect=True, user__display_name="Stranger Sam").user
    secret = api_token_secret(owner, name="Olga's phone")
    client.force_login(stranger)

    html = client.get("/dashboard/").content.decode()

    assert "Stranger Sam" in html
    assert "Owner Olga" not in html
    assert owner.spotify_credential.spotify_user_id not in html
    assert "Olga's phone" not in html and secret[:12] not in html


def test_the_dashboard_never_shows_spotify_tokens(client):
    credential = SpotifyCredentialFactory(reconnect=True)
    client.force_login(credential.user)

    html = client.get("/dashboard/").content.decode()

    assert credential.access_token not in html and credential.refresh_token not in html


def test_sign_out_is_a_csrf_protected_post(client):
    user = UserFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)

    assert strict.post(reverse("account_logout")).status_code == 403
    assert strict.get("/dashboard/").status_code == 200

    client.force_login(user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/dashboard/").status_code == 302


def test_signing_out_by_get_only_shows_a_confirmation(client):
    client.force_login(UserFactory())

    response = client.get(reverse("account_logout"))

    assert response.status_code == 200
    assert client.get("/dashboard/").status_code == 200


def test_pages_use_the_local_stylesheet_and_no_external_assets(client):
    html = client.get("/").content.decode()

    assert "/static/css/app.css" in html
    assert "https://" not in html and "http://" not in html


def test_the_dashboard_needs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    credential = SpotifyCredentialFactory(reconnect=True)
    for name in ("phone", "laptop", "script"):
        api_token_secret(credential.user, name=name)
    client.force_login(credential.user)

    # Session, user, credential, the deployment's Spotify pause, the tokens (one list), the
    # import card, and the library's totals (one aggregate).
    with django_assert_max_num_queries(8):
        client.get("/dashboard/")
