"""The admin's password sign-in has a brute-force limit (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT
failed attempts from an address, or for a username, the next is refused for
ADMIN_LOGIN_COOLOFF_MINUTES, the right password included."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "the-right-password-for-the-admin"


@pytest.fixture
def admin_user():
    return UserFactory(username="operator", is_staff=True, is_superuser=True, password=PASSWORD)


def _attempt(client: Client, *, username: str = "operator", password: str = "wrong", **headers):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **headers)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_attempt_after_the_limit_is_refused_even_with_the_right_password(client, admin_user):
    limit = settings.ADMIN_LOGIN_FAILURE_LIMIT

    failures = [_attempt(client) for _ in range(limit)]
    refused = _attempt(client, password=PASSWORD)

    assert all(response.status_code == 200 for response in failures[:-1])  # the form, with its error
    assert "Please enter the correct username and password" in failures[-2].content.decode()
    assert failures[-1].status_code == 429  # the failure that reaches the limit says so at once
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert not _signed_in(client)


def test_the_right_password_within_the_limit_signs_in_and_clears_the_count(client, admin_user):
    limit = settings.ADMIN_LOGIN_FAILURE_LIMIT
    for _ in range(limit - 1):
        _attempt(client)

    assert _attempt(client, password=PASSWORD).status_code == 302 and _signed_in(client)
    client.logout()
    for _ in range(limit - 1):
        assert _attempt(client).status_code == 200
    assert _attempt(client, password=PASSWORD).status_code == 302


def test_the_limit_lifts_after_the_cool_off(client, admin_user):
    for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT):
        _attempt(client)
    assert _attempt(client, password=PASSWORD).status_code == 429

    later = timezone.now() + timedelta(minutes=settings.ADMIN_LOGIN_COOLOFF_MINUTES, seconds=30)
    with time_machine.travel(later, tick=False):
        response = _attempt(client, password=PASSWORD)

    assert response.status_code == 302 and _signed_in(client)


def test_many_addresses_guessing_one_username_are_stopped_behind_the_proxy(client, admin_user, settings):
    settings.TRUST_PROXY_HEADERS = True
    limit = settings.ADMIN_LOGIN_FAILURE_LIMIT

    for n in range(limit - 1):
        assert _attempt(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}").status_code == 200
    _attempt(client, HTTP_X_FORWARDED_FOR="203.0.113.99")
    refused = _attempt(client, password=PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert refused.status_code == 429


def test_one_address_trying_many_usernames_is_stopped_behind_the_proxy(client, admin_user, settings):
    settings.TRUST_PROXY_HEADERS = True
    limit = settings.ADMIN_LOGIN_FAILURE_LIMIT

    for n in range(limit):
        _attempt(client, username=f"guess{n}", HTTP_X_FORWARDED_FOR="203.0.113.9")
    refused = _attempt(client, password=PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    other_address = _attempt(client, password=PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert refused.status_code == 429
    assert other_address.status_code == 302  # another caller behind the same proxy is not kept out


def test_a_forged_forwarded_for_does_not_give_a_new_address_without_the_proxy(client, admin_user, settings):
    settings.TRUST_PROXY_HEADERS = False
    limit = settings.ADMIN_LOGIN_FAILURE_LIMIT

    for n in range(limit):
        _attempt(client, username=f"guess{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
    refused = _attempt(client, password=PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert refused.status_code == 429
