"""/staff/llm/: the router's status card for staff who may view providers (403 for other staff); 404
for listeners, 302 to sign in for anonymous."""

from __future__ import annotations

import re

import pytest

from llm.services.circuit import force_provider
from tests.core.factories import StaffFactory
from tests.llm.conftest import PRIMARY_KEY
from tests.llm.factories import LLMCallFactory, ProviderFactory, ProviderHealthFactory

pytestmark = pytest.mark.django_db
PAGE = "/staff/llm/"


def test_staff_see_every_provider_its_circuit_and_the_latest_calls(client, staff):
    primary = ProviderFactory(name="primary", api_key=PRIMARY_KEY)
    ProviderFactory(name="fallback", kind="ollama")
    ProviderHealthFactory(provider=primary, down=True)
    force_provider(name="fallback")
    LLMCallFactory(provider=primary, purpose="song-analysis")
    client.force_login(staff)

    response = client.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "primary" in html and "fallback" in html and "down until" in html
    assert "Forced: <strong>fallback</strong>" in html and "song-analysis" in html
    assert PRIMARY_KEY not in html
    # Both tables, providers and calls, in the house style (table.list), not the browser's bare one.
    assert re.findall(r"<table[^>]*>", html) == ['<table class="list llm-providers stacked">', '<table class="list llm-calls stacked">']


def test_the_page_says_when_there_is_no_provider(client, staff):
    client.force_login(staff)

    assert "No provider yet" in client.get(PAGE).content.decode()


def test_a_listener_who_is_not_staff_gets_404(client, listener):
    client.force_login(listener)

    assert client.get(PAGE).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302 and response["Location"] == f"/?next={PAGE}"


def test_staff_find_the_page_in_the_navigation_and_listeners_do_not(client, staff, listener):
    client.force_login(staff)
    assert f'href="{PAGE}"' in client.get("/library/").content.decode()

    client.force_login(listener)
    assert f'href="{PAGE}"' not in client.get("/library/").content.decode()


def test_staff_without_the_providers_view_permission_get_403(client, bare_staff):
    client.force_login(bare_staff)

    assert client.get(PAGE).status_code == 403
    assert f'href="{PAGE}"' not in client.get("/library/").content.decode()


def test_the_latest_calls_show_only_to_staff_who_may_view_call_records(client):
    LLMCallFactory(purpose="song-analysis")
    client.force_login(StaffFactory(perms=["llm.view_provider"]))

    response = client.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Latest calls" not in html and "song-analysis" not in html


def test_a_superuser_sees_the_page(client, superuser):
    client.force_login(superuser)

    assert client.get(PAGE).status_code == 200


def test_a_call_made_this_minute_reads_just_now(client, staff):
    LLMCallFactory(purpose="song-analysis")
    client.force_login(staff)

    html = client.get(PAGE).content.decode()

    assert "just now" in html and "0\xa0minutes" not in html


def test_a_provider_up_without_a_check_says_why(client, staff):
    ProviderFactory(name="fresh")
    client.force_login(staff)

    html = client.get(PAGE).content.decode()

    assert "not called or checked yet" in html and "never" not in html
