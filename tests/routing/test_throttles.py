"""The routes and previews limits (THROTTLE_RATES "routes", "previews"): routes, their retries
and restores, through the API or the base page, share one per-listener count over all bases;
the filter editor's live preview posts to the preview endpoint, whose count is its own. Past a
limit the API answers 429 with Retry-After and a sentence, a page says the same sentence;
other listeners are unaffected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from core.runs import RunStatus
from routing.models import RouteRun
from tests.support.throttles import ANCHOR, api_for, ask_twice, last_message
from tests.accounts.factories import SpotifyCredentialFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory, RouteRunFactory

pytestmark = pytest.mark.django_db

ROUTES_REFUSAL = "You have asked for 2 routes or restores in the last hour; try again in 40 minutes."
PREVIEWS_REFUSAL = "You have asked for 2 previews in the last hour; try again in 40 minutes."


@pytest.fixture
def limited(throttle_rates, time_machine, queue):
    """Two routes and two previews an hour; the test asks at 09:00 and 09:10, then at 09:20."""
    throttle_rates(routes="2/hour", previews="2/hour")
    time_machine.move_to(ANCHOR, tick=False)
    return time_machine


@pytest.fixture
def base():
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)
    ChildPlaylistFactory(base=base, name="First")
    return base








def route_url(base) -> str:
    return f"/api/base-playlists/{base.pk}/route"


def preview(api, base):
    return api.post(f"/api/base-playlists/{base.pk}/preview", {"read_children": False}, format="json")


# --- routes ---------------------------------------------------------------------------------------
def test_the_third_route_of_a_listener_is_a_429_with_retry_after_and_a_sentence(limited, base):
    api = api_for(base.user)
    ask_twice(limited, lambda: api.post(route_url(base)))

    refused = api.post(route_url(base))

    assert (refused.status_code, refused["Retry-After"], refused.json()) == (
        429, str(40 * 60), {"detail": ROUTES_REFUSAL},
    )  # fmt: skip


def test_the_count_is_the_listeners_over_all_their_bases_and_the_old_path(limited, base):
    other_base = BasePlaylistFactory(user=base.user)
    api = api_for(base.user)
    api.post(route_url(base))
    limited.move_to(ANCHOR + timedelta(minutes=10), tick=False)
    api.post(f"/api/base-playlists/{other_base.pk}/sync")  # the deprecated alias of route
    limited.move_to(ANCHOR + timedelta(minutes=20), tick=False)

    assert api.post(route_url(other_base)).status_code == 429


def test_another_listener_routes_while_the_first_is_refused(limited, base):
    api = api_for(base.user)
    ask_twice(limited, lambda: api.post(route_url(base)))
    assert api.post(route_url(base)).status_code == 429
    theirs = BasePlaylistFactory(user=SpotifyCredentialFactory().user)

    assert api_for(theirs.user).post(route_url(theirs)).status_code == 202


def test_route_now_on_the_base_page_counts_toward_the_apis_limit(limited, base, client):
    client.force_login(base.user)
    ask_twice(limited, lambda: client.post(f"/routing/{base.pk}/route/"))

    assert api_for(base.user).post(route_url(base)).json() == {"detail": ROUTES_REFUSAL}


def test_after_the_apis_routes_the_base_page_says_the_same_sentence_and_queues_nothing(limited, base, client):
    api = api_for(base.user)
    ask_twice(limited, lambda: api.post(route_url(base)))
    RouteRun.objects.update(status=RunStatus.SUCCEEDED)
    client.force_login(base.user)

    response = client.post(f"/routing/{base.pk}/route/")

    assert (response.status_code, response["Location"]) == (302, f"/routing/{base.pk}/")
    assert last_message(response) == ROUTES_REFUSAL
    assert not RouteRun.objects.filter(status=RunStatus.QUEUED).exists()


def test_retries_and_restores_count_as_routes_on_the_api_and_the_page(limited, base, client):
    failed = RouteRunFactory(base=base, failed=True)
    done = RouteRunFactory(base=base, completed=True)
    client.force_login(base.user)
    api = api_for(base.user)
    api.post(f"/api/base-playlists/{base.pk}/runs/{failed.pk}/retry/")
    RouteRun.objects.filter(retry_of=failed).update(status=RunStatus.SUCCEEDED)
    limited.move_to(ANCHOR + timedelta(minutes=10), tick=False)
    client.post(f"/routing/runs/{done.pk}/restore/")  # refused (no backups), but asked: counted
    limited.move_to(ANCHOR + timedelta(minutes=20), tick=False)

    refused_restore = api.post(f"/api/base-playlists/{base.pk}/runs/{done.pk}/restore")
    refused_retry = api.post(f"/api/base-playlists/{base.pk}/runs/{failed.pk}/retry/")
    page_retry = client.post(f"/routing/runs/{failed.pk}/retry/")
    page_restore = client.post(f"/routing/runs/{done.pk}/restore/")

    assert (refused_restore.status_code, refused_restore.json()) == (429, {"detail": ROUTES_REFUSAL})
    assert refused_retry.status_code == 429
    assert last_message(page_retry) == ROUTES_REFUSAL and last_message(page_restore) == ROUTES_REFUSAL


# --- previews -------------------------------------------------------------------------------------
def test_the_third_preview_of_a_listener_is_a_429_with_retry_after_and_a_sentence(limited, base):
    api = api_for(base.user)
    ask_twice(limited, lambda: preview(api, base))

    refused = preview(api, base)

    assert (refused.status_code, refused["Retry-After"], refused.json()) == (
        429, str(40 * 60), {"detail": PREVIEWS_REFUSAL},
    )  # fmt: skip


def test_another_listener_previews_while_the_first_is_refused(limited, base):
    api = api_for(base.user)
    ask_twice(limited, lambda: preview(api, base))
    theirs = BasePlaylistFactory(user=SpotifyCredentialFactory().user)

    assert preview(api, base).status_code == 429
    assert preview(api_for(theirs.user), theirs).status_code == 200


def test_previews_and_routes_are_counted_apart(limited, base):
    api = api_for(base.user)
    ask_twice(limited, lambda: preview(api, base))

    assert api.post(route_url(base)).status_code == 202


def test_the_filter_editors_live_preview_posts_to_the_counted_endpoint(limited, base, client):
    # The page has no preview of its own: filter-preview.js posts drafts here (session auth)
    # and shows a refusal's detail, so the page and the API share this count by construction.
    child = base.children.first()
    client.force_login(base.user)

    page = client.get(f"/routing/children/{child.pk}/").content.decode()
    ask_twice(limited, lambda: client.post(f"/api/base-playlists/{base.pk}/preview", {}, "application/json"))
    refused = client.post(f"/api/base-playlists/{base.pk}/preview", {}, "application/json")

    assert f'data-preview-url="/api/base-playlists/{base.pk}/preview"' in page
    assert (refused.status_code, refused.json()) == (429, {"detail": PREVIEWS_REFUSAL})


# --- anonymous --------------------------------------------------------------------------------------
def test_anonymous_callers_are_still_refused_as_before(limited, base, client):
    assert APIClient().post(route_url(base)).status_code == 401
    assert preview(APIClient(), base).status_code == 401
    response = client.post(f"/routing/{base.pk}/route/")
    assert response.status_code == 302 and response["Location"].startswith("/?next=")
