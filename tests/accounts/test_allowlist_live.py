"""Spotify's Development-mode user list (at most 5 listed users), against the live sandbox:
a listener Spotify does not serve reads why, at sign-in or later, and the operator sees them."""

from __future__ import annotations

import html as html_lib

import pytest
from django.urls import reverse

from accounts.access import NOT_ALLOWLISTED_MESSAGE
from accounts.models import SignInRefusal, SpotifyAccess, SpotifyCredential, User
from tests.accounts.conftest import credential_from_sandbox, sign_in_through_sandbox
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTED_ONLY_DEMO = {"allowlist": ["demo"]}


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_an_unlisted_listener_signing_in_reads_the_allowlist_message_and_nothing_is_stored(browser, sandbox):
    sandbox.configure(auto_approve=True, authorize_user="other", **LISTED_ONLY_DEMO)

    response = sign_in_through_sandbox(browser)

    page = html_lib.unescape(response.content.decode())
    assert response.status_code == 403
    assert NOT_ALLOWLISTED_MESSAGE in page
    assert "did not work" not in page  # not allauth's "stale link" failure
    assert not User.objects.exists() and not SpotifyCredential.objects.exists()
    assert SignInRefusal.objects.get().reason == SignInRefusal.Reason.NOT_ALLOWLISTED
    # The profile request is what Spotify refused; the token endpoint served the sign-in.
    routes = sandbox.counters()["by_route"]
    assert routes["GET /v1/me"] == 1 and routes["POST /api/token"] == 1


def test_a_listed_listener_signs_in_as_usual_while_the_list_is_on(browser, sandbox):
    sandbox.configure(auto_approve=True, **LISTED_ONLY_DEMO)

    response = sign_in_through_sandbox(browser)

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert SpotifyCredential.objects.get().access == SpotifyAccess.SERVED
    assert not SignInRefusal.objects.exists()


def test_a_signed_in_listener_whom_spotify_stops_serving_sees_the_message_on_the_dashboard(
    client, sandbox
):
    from spotify import api
    from spotify.client import get_spotify_client
    from spotify.errors import NotAllowlisted

    credential = credential_from_sandbox(sandbox, user="other")
    sandbox.configure(**LISTED_ONLY_DEMO)

    with pytest.raises(NotAllowlisted), get_spotify_client(user=credential.user) as spotify:
        api.me(client=spotify)

    credential.refresh_from_db()
    assert credential.access == SpotifyAccess.NOT_ALLOWLISTED and credential.access_changed_at is not None
    assert sandbox.counters()["by_route"]["GET /v1/me"] == 1  # refused once, never retried
    client.force_login(credential.user)
    html = html_lib.unescape(client.get(reverse("accounts:dashboard")).content.decode())
    assert NOT_ALLOWLISTED_MESSAGE in html and "Connected" not in html


def test_a_clean_answer_after_the_operator_lists_the_listener_lifts_the_mark(sandbox):
    from spotify import api
    from spotify.client import get_spotify_client

    credential = credential_from_sandbox(sandbox, user="other", access=SpotifyAccess.NOT_ALLOWLISTED)

    with get_spotify_client(user=credential.user) as spotify:
        assert api.me(client=spotify)["id"] == "other"

    credential.refresh_from_db()
    assert credential.access == SpotifyAccess.SERVED


def test_signing_in_again_once_listed_lifts_the_mark(browser, sandbox):
    sandbox.configure(auto_approve=True, authorize_user="other", **LISTED_ONLY_DEMO)
    sign_in_through_sandbox(browser)  # refused
    sandbox.configure(allowlist=["demo", "other"])

    response = sign_in_through_sandbox(browser)

    assert response.status_code == 302
    assert SpotifyCredential.objects.get().access == SpotifyAccess.SERVED


def test_the_admin_lists_and_filters_listeners_spotify_does_not_serve(staff_client):
    refused = SpotifyCredentialFactory(access=SpotifyAccess.NOT_ALLOWLISTED)
    served = SpotifyCredentialFactory()

    credentials = staff_client.get(
        reverse("admin:accounts_spotifycredential_changelist"), {"access__exact": "not_allowlisted"}
    ).content.decode()
    users = staff_client.get(
        reverse("admin:accounts_user_changelist"), {"spotify_credential__access__exact": "not_allowlisted"}
    ).content.decode()

    assert refused.spotify_user_id in credentials and served.spotify_user_id not in credentials
    assert refused.user.username in users and served.user.username not in users
    for html in (credentials, users):
        assert "Not on the app&#x27;s user list" in html


def test_the_admin_counts_refused_sign_ins(staff_client):
    SignInRefusal.objects.create(reason=SignInRefusal.Reason.NOT_ALLOWLISTED)
    SignInRefusal.objects.create(reason=SignInRefusal.Reason.NOT_ALLOWLISTED)

    html = staff_client.get(reverse("admin:accounts_signinrefusal_changelist")).content.decode()

    assert "2 sign-in refusals" in html
    assert "Not on the Development-mode app&#x27;s user list" in html
