"""The smart-playlist pages in the listener's words: "Route now" says why it is disabled, counts
agree with their nouns, the estimate is coarse enough to read the same on two loads (its figures
behind "Details"), and a click the run overtook gets one sentence that agrees with the card."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from core.runs import RunStatus
from routing import display
from routing.display.overview import BASE_GONE
from routing.models import RouteRun
from routing.services import setup as setup_services
from routing.services.estimate import RouteEstimate
from routing.services.setup import BaseBusy
from tests.accounts.factories import SpotifyCredentialFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory, RouteRunFactory
from tests.routing.routing_pages_support import Setup, make_setup, page_text, route_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> Setup:
    return make_setup()


def named(run: RouteRun, *, up: bool = False) -> str:
    """How the pages name a run: by when it was made, never by its number."""
    made = timezone.localtime(run.created_at)
    return f"{'The' if up else 'the'} {run.kind} of {made.day} {made:%b %Y, %H:%M}"


def messages_of(page: str) -> list[tuple[str, str]]:
    """(level, text) of each message at the top of a page."""
    return re.findall(r'<li class="message ([a-z]+)">(.*?)</li>', page, re.S)


# --- "Route now" -----------------------------------------------------------------------------------
def test_route_now_is_disabled_on_a_base_without_children_and_says_why(client):
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user, playlist__name="Fresh base")
    client.force_login(base.user)

    for url in ("/routing/", f"/routing/{base.pk}/"):
        page = page_text(client.get(url))
        assert (
            f'disabled aria-describedby="route-blocked-{base.pk}">Route now</button>' in page
        ), url
        assert re.search(
            rf'id="route-blocked-{base.pk}">Add a child playlist first: a route fills the base\'s children',
            page,
        ), url


def test_route_now_posted_for_a_base_without_children_queues_nothing_and_says_why(client, queue):
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)
    client.force_login(base.user)

    response = client.post(f"/routing/{base.pk}/route/", follow=True)

    assert response.redirect_chain == [(f"/routing/{base.pk}/", 302)]
    assert messages_of(page_text(response)) == [("error", display.NO_CHILDREN_TO_ROUTE)]
    assert not RouteRun.objects.exists() and queue.calls == []


def test_route_now_is_enabled_once_the_base_has_a_child(client, setup):
    client.force_login(setup.listener)

    page = page_text(client.get(f"/routing/{setup.base.pk}/"))

    assert '<button type="submit" class="button spotify" >Route now</button>' in page
    assert "route-blocked" not in page


def test_route_now_on_a_base_gone_from_spotify_says_why_beside_it(client, setup):
    type(setup.base).objects.filter(pk=setup.base.pk).update(playlist=None)  # gone from the library
    client.force_login(setup.listener)

    page = page_text(client.get("/routing/"))

    assert f'disabled aria-describedby="route-blocked-{setup.base.pk}">Route now' in page
    assert f'id="route-blocked-{setup.base.pk}">{BASE_GONE}' in page


# --- counts and their nouns ------------------------------------------------------------------------
def finished(**fields) -> RouteRun:
    return RouteRunFactory(
        status=RunStatus.SUCCEEDED,
        started_at=timezone.now() - timedelta(seconds=5),
        finished_at=timezone.now(),
        **fields,
    )


@pytest.mark.parametrize(
    ("done", "tracks", "added", "words"),
    [
        (1, 1, 1, "1 child routed, 1 track added, 0 removed."),
        (2, 7, 3, "2 children routed, 3 tracks added, 0 removed."),
    ],
)
def test_a_finished_route_counts_its_children_and_tracks_in_the_right_number(done, tracks, added, words):
    run = finished(
        children_total=done,
        children_done=done,
        tracks=tracks,
        details={"writes": {"child0000000000000000001": {"added": added, "removed": 0}}},
    )

    assert display.describe_route(run).endswith(words)
    api_words = display.describe_run(run)
    singular = done == 1
    assert ("into 1 child playlist;" in api_words) is singular
    assert (f"{tracks} track routed" if tracks == 1 else f"{tracks} tracks routed") in api_words


def test_a_running_route_of_one_child_says_child_not_children(client, setup):
    route_event(setup.base, RunStatus.RUNNING, children_total=1, children_done=0, tracks=1)
    client.force_login(setup.listener)

    page = page_text(client.get(f"/routing/{setup.base.pk}/"))

    assert "Routing 1 track: 0 of 1 child playlist done." in page
    assert re.search(r'data-role="children-done">0 of 1 child done<', page)


def test_a_route_that_failed_on_its_only_child_says_child():
    run = RouteRunFactory(failed=True, children_total=1, children_done=0)

    assert "stopped after 0 of 1 child (" in display.describe_route(run)


def test_a_route_that_failed_before_counting_its_children_says_so_without_zero_of_zero():
    run = RouteRunFactory(failed=True, children_total=0, children_done=0)

    assert display.describe_route(run).endswith("stopped before routing any child (0 tracks added, 0 removed).")


# --- the estimate ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.4, "a few seconds"),
        (9.9, "a few seconds"),
        (10, "under a minute"),
        (59, "under a minute"),
        (61, "up to 2 minutes"),
        (150, "up to 3 minutes"),
        (290, "up to 5 minutes"),
        (50 * 60, "up to 60 minutes"),
        (100 * 60, "up to 2 hours"),
        (3 * 3600 + 1, "up to 4 hours"),
    ],
)
def test_the_estimate_is_worded_in_coarse_bands(seconds, words):
    estimate = RouteEstimate(requests=10, seconds=seconds, seconds_per_request=0.1, measured=True)

    assert display.describe_estimate(estimate) == words


def estimate_line(page: str) -> str:
    (line,) = re.findall(r"<p class=\"muted\">Estimated duration: (.*?)\.</p>", page)
    return line


def test_the_estimate_reads_the_same_on_two_loads_while_the_measured_rate_shifts(client, setup):
    # Sandbox-fast runs: 0.02 s a request; the next run's one slow request makes it 0.03 s.
    # The figures change (behind "Details"), the listener's words do not.
    now = timezone.now()
    route_event(
        setup.base,
        RunStatus.SUCCEEDED,
        started_at=now - timedelta(seconds=2),
        finished_at=now - timedelta(seconds=1),
        spotify_requests=50,
    )
    client.force_login(setup.listener)
    first = page_text(client.get(f"/routing/{setup.base.pk}/"))
    again = page_text(client.get(f"/routing/{setup.base.pk}/"))
    route_event(
        setup.base,
        RunStatus.SUCCEEDED,
        started_at=now - timedelta(seconds=2),
        finished_at=now,
        spotify_requests=50,
    )
    after_a_run = page_text(client.get(f"/routing/{setup.base.pk}/"))

    assert estimate_line(first) == estimate_line(again) == estimate_line(after_a_run) == "a few seconds"
    assert "at the measured 0.02 s each" in first and "at the measured 0.03 s each" in after_a_run
    assert first.index("<summary>Details</summary>") < first.index("at the measured 0.02 s each")


def test_no_engineer_figure_shows_outside_a_details_toggle(client, setup):
    route_event(
        setup.base,
        RunStatus.SUCCEEDED,
        started_at=timezone.now() - timedelta(seconds=3),
        finished_at=timezone.now(),
        spotify_requests=12,
        rate_limited=1,
        details={
            "cache": {"hit_rate": 0.5},
            "playlist_items_cache": {"hit_rate": 1.0},
            "writes": {setup.chill.spotify_id: {"added": 1, "removed": 0, "requests": 3}},
        },
    )
    client.force_login(setup.listener)

    page = page_text(client.get(f"/routing/{setup.base.pk}/"))

    outside = re.sub(r"<details class=\"figures\">.*?</details>", "", page, flags=re.S)
    for figure in ("Cache hits", "children 100%", "Spotify request", "HTTP 429"):
        assert figure not in outside and figure in page, figure
    rate = r"\d\.\d\d s each"  # the measured seconds per request
    assert re.search(rate, page) and not re.search(rate, outside)


# --- a click the run overtook ------------------------------------------------------------------------
def test_a_run_is_named_by_when_it_was_made_and_its_trigger_in_words(client, setup):
    made = timezone.make_aware(datetime(2026, 12, 6, 6, 37))
    route = route_event(setup.base, RunStatus.SUCCEEDED, finished_at=made, children_done=1)
    RouteRun.objects.filter(pk=route.pk).update(created_at=made, trigger="import")
    undo = route_event(setup.base, RunStatus.SUCCEEDED, finished_at=made, children_done=1)
    RouteRun.objects.filter(pk=undo.pk).update(
        kind="restore", restore_of=route, trigger="button", created_at=made + timedelta(hours=1)
    )
    client.force_login(setup.listener)

    history = page_text(client.get(f"/routing/{setup.base.pk}/")).split('id="history"')[1]

    assert "Route of 6 Dec 2026, 06:37" in history and "After an import" in history
    assert "Restore of 6 Dec 2026, 07:37" in history
    assert "An undo · undoes the route of 6 Dec 2026, 06:37" in history
    assert "brought back to before the route of 6 Dec 2026, 06:37" in history
    assert not re.search(r"#\d", re.sub(r"<[^>]*>", "", history)), "a run number on the listener's page"


@pytest.mark.parametrize(
    ("action", "verb"),
    [("cancel", "cancel"), ("confirm", "confirm"), ("discard", "discard")],
)
def test_acting_on_a_run_that_has_finished_since_says_so_once_without_a_refusal(client, setup, action, verb):
    done = route_event(setup.base, RunStatus.SUCCEEDED, finished_at=timezone.now(), children_done=2)
    client.force_login(setup.listener)

    response = client.post(f"/routing/runs/{done.pk}/{action}/", follow=True)

    assert response.redirect_chain == [(f"/routing/{setup.base.pk}/", 302)]
    assert messages_of(page_text(response)) == [
        ("info", f"{named(done, up=True)} had already finished (done): there was nothing left to {verb}.")
    ]
    assert RouteRun.objects.get(pk=done.pk).status == RunStatus.SUCCEEDED


def test_confirming_twice_says_the_route_is_queued_again(client, setup, queue):
    run = route_event(setup.base, RunStatus.WAITING, details={"confirmation": {"children": []}})
    client.force_login(setup.listener)

    client.post(f"/routing/runs/{run.pk}/confirm/", follow=True)  # its message is shown there
    response = client.post(f"/routing/runs/{run.pk}/confirm/", follow=True)

    assert messages_of(page_text(response)) == [
        ("info", f"{named(run, up=True)} no longer waits for your confirmation: it is queued again.")
    ]


def test_confirming_a_route_that_already_runs_says_it_runs(client, setup):
    running = route_event(setup.base, RunStatus.RUNNING)
    client.force_login(setup.listener)

    response = client.post(f"/routing/runs/{running.pk}/confirm/", follow=True)

    assert messages_of(page_text(response)) == [
        ("info", f"{named(running, up=True)} no longer waits for your confirmation: it is running now.")
    ]


def test_cancelling_a_running_route_is_still_refused_in_words(client, setup):
    running = route_event(setup.base, RunStatus.RUNNING)
    client.force_login(setup.listener)

    response = client.post(f"/routing/runs/{running.pk}/cancel/", follow=True)

    assert messages_of(page_text(response)) == [
        ("error", f"Route #{running.pk} is running now and cannot be cancelled; it ends by itself.")
    ]


def test_a_change_refused_by_a_route_that_finished_meanwhile_does_not_say_it_still_runs(
    client, setup, monkeypatch
):
    run = route_event(setup.base, RunStatus.RUNNING)

    def busy_then_finished(**kwargs):
        # The route was running when the change was checked, and finishes before the page renders.
        RouteRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED, finished_at=timezone.now())
        raise BaseBusy(f"“Everything” is being routed right now ({named(run)}, running).", active=run)

    monkeypatch.setattr(setup_services, "update_base_options", busy_then_finished)
    client.force_login(setup.listener)

    response = client.post(f"/routing/{setup.base.pk}/options/", {"first_match_only": "on"})

    page = page_text(response)
    assert response.status_code == 409
    assert messages_of(page) == [
        (
            "error",
            f"Nothing was changed: {named(run)} was still running when this arrived. "
            "It has finished since, so you can send it again.",
        )
    ]
    assert "being routed right now" not in page and "Last run:" in page
