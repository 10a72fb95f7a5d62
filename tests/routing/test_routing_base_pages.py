"""What the smart-playlist overview and a base's page show (children and their filters in words,
the live progress, the last run, the estimate, the run history) and what their forms change."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from library.models import ItemsStatus
from routing.models import BasePlaylist, ChildPlaylist
from core.runs import RunStatus
from tests.library.factories import ArtistFactory, PlaylistFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.routing.factories import RouteRunFactory
from tests.support.tables import stacked_table_problems
from tests.routing.routing_pages_support import (
    page_text,
    route_event,
    Setup,
    make_setup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> Setup:
    return make_setup()


def positions(base) -> list[str]:
    return list(ChildPlaylist.objects.filter(base=base).order_by("position").values_list("name", flat=True))


# --- the overview ---------------------------------------------------------------------------------
def test_the_overview_shows_each_base_with_its_children_their_filters_in_words_and_the_last_run(
    client, setup
):
    ChildPlaylistFactory(
        base=setup.base,
        name="Short 90s",
        mode="add_only",
        filters={
            "match": "any",
            "conditions": [
                {"field": "release_year", "op": "between", "value": {"min": 1990, "max": 1999}},
                {"field": "duration", "op": "between", "value": {"min": None, "max": 150}},
                {"field": "artist", "op": "in", "value": [ArtistFactory(name="Pavement").spotify_id]},
            ],
        },
    )
    client.force_login(setup.listener)

    page = page_text(client.get("/routing/"))

    assert 'href="/routing/{}/">Everything</a>'.format(setup.base.pk) in page
    assert page.index("Chill") < page.index("Loud") < page.index("Short 90s")  # routing order
    assert "Tracks where genre is any of “rock”, “indie”." in page
    assert "Every track of the base." in page
    assert (
        "Tracks where release year is between 1990 and 1999 or duration is at most 2:30 "
        "or artist is any of “Pavement”." in page
    )
    assert "Add only" in page and "Rebuild" in page
    assert "Last run:" in page and "Failed" in page
    assert "Could not write to “Loud”: Spotify answered HTTP 502." in page
    assert 'action="/routing/{}/route/"'.format(setup.base.pk) in page and ">Route now</button>" in page


def test_the_overview_shows_a_running_routes_progress_for_the_script_to_follow(client, setup):
    route_event(setup.base, RunStatus.RUNNING, children_total=5, children_done=2)
    client.force_login(setup.listener)

    page = page_text(client.get("/routing/"))

    assert f'data-status-url="/api/base-playlists/{setup.base.pk}/route-status"' in page
    assert 'data-active="true"' in page
    assert re.search(r'<progress data-role="bar" max="5"\s+value="2"', page)
    assert "2 of 5 child playlists done." in page and "2 of 5 children done" in page
    assert '<script src="/static/js/routing-progress.js" defer></script>' in page


def test_the_estimates_details_say_when_its_rate_is_a_default_and_when_it_is_measured(client, setup):
    client.force_login(setup.listener)

    default = page_text(client.get("/routing/"))

    assert re.search(
        r"<summary>Details</summary><p class=\"muted\">About \d+ s: \d+ Spotify requests at a default "
        r"0\.25 s each \(no run of yours has been measured yet\)\.</p>",
        default,
    )
    finished = timezone.now()
    route_event(
        setup.base,
        RunStatus.SUCCEEDED,
        started_at=finished - timedelta(seconds=14),
        finished_at=finished,
        spotify_requests=100,
    )

    measured = page_text(client.get("/routing/"))

    assert re.search(
        r"<summary>Details</summary><p class=\"muted\">About \d+ s: \d+ Spotify requests at the measured "
        r"0\.14 s each\.</p>",
        measured,
    )


def test_the_make_a_base_form_offers_readable_playlists_and_says_why_not_the_others(client, setup):
    PlaylistFactory(user=setup.listener, name="Crate finds", items_status=ItemsStatus.NOT_AVAILABLE)
    PlaylistFactory(name="A stranger's playlist")
    client.force_login(setup.listener)

    page = page_text(client.get("/routing/"))
    form = page[page.index('id="new-base"') :]

    assert f'<option value="{setup.candidate.pk}">Road trip' in form
    assert "Crate finds — Spotify does not let this app read its tracks" in form
    assert "Everything — already a base playlist" in form
    assert "Each track only to the first matching child" in form
    assert "Route automatically after every import that changed the base" in form
    assert "A stranger" not in page


def test_making_a_base_keeps_its_options_and_opens_its_page(client, setup):
    client.force_login(setup.listener)

    response = client.post(
        "/routing/bases/new/", {"playlist": setup.candidate.pk, "auto_route_after_import": "on"}, follow=True
    )

    base = BasePlaylist.objects.get(playlist=setup.candidate)
    assert response.redirect_chain == [(f"/routing/{base.pk}/", 302)]
    assert (base.user, base.first_match_only, base.auto_route_after_import) == (setup.listener, False, True)
    assert "“Road trip” is now a base playlist" in page_text(response)


def test_a_playlist_that_cannot_be_a_base_is_refused_with_the_reason(client, setup):
    unreadable = PlaylistFactory(
        user=setup.listener, name="Crate finds", items_status=ItemsStatus.NOT_AVAILABLE
    )
    client.force_login(setup.listener)

    refused = client.post("/routing/bases/new/", {"playlist": unreadable.pk})
    again = client.post("/routing/bases/new/", {"playlist": setup.base.playlist.pk})

    assert refused.status_code == 400
    assert "Spotify does not let this app read the tracks of “Crate finds”" in page_text(refused)
    assert again.status_code == 409 and "“Everything” is already a base playlist." in page_text(again)
    assert BasePlaylist.objects.filter(user=setup.listener).count() == 1


def test_the_overview_costs_a_bounded_number_of_queries(client, setup, django_assert_max_num_queries):
    for _ in range(4):
        base = BasePlaylistFactory(user=setup.listener)
        for _ in range(3):
            ChildPlaylistFactory(base=base)
        route_event(base, RunStatus.SUCCEEDED)
    client.force_login(setup.listener)

    # Session, user, bases with children, active and last routes, candidates; and the
    # estimate, a few queries per base (routing.services.estimate).
    with django_assert_max_num_queries(12 + 6 * 5):
        assert client.get("/routing/").status_code == 200


# --- one base -------------------------------------------------------------------------------------
def test_the_base_page_shows_the_run_history_newest_first_with_its_figures(client, setup):
    now = timezone.now()
    completed = route_event(
        setup.base,
        RunStatus.SUCCEEDED,
        started_at=now - timedelta(seconds=12),
        finished_at=now,
        children_total=2,
        children_done=2,
        spotify_requests=85,
        details={
            "duration_ms": 12_400,
            "cache": {"hits": 3, "misses": 1, "mirror": 5, "hit_rate": 0.75},
            "playlist_items_cache": {"hits": 1, "misses": 1, "hit_rate": 0.5},
            "writes": {
                setup.chill.spotify_id: {"added": 3, "removed": 1, "write_requests": 2, "requests": 4},
                "goneChild0000000000000": {"added": 1, "removed": 0, "write_requests": 1, "requests": 2},
            },
        },
    )
    client.force_login(setup.listener)

    page = page_text(client.get(f"/routing/{setup.base.pk}/"))
    history = page[page.index('id="history"') :]

    assert history.index(f'id="run-{completed.pk}"') < history.index(f'id="run-{setup.failed.pk}"')
    row = history[history.index(f'id="run-{completed.pk}"') : history.index(f'id="run-{setup.failed.pk}"')]
    when = f"{timezone.localtime(now):%Y-%m-%d %H:%M}"  # one word: no line break at its hyphens
    assert f'<span class="nowrap">{when}</span> — 2 children routed, 4 tracks added, 1 removed.' in row
    assert ">12 s<" in row
    assert "<li>Chill: +3 −1</li>" in row and "<li>goneChild0000000000000: +1 −0</li>" in row
    # The engineer's figures are there, behind the row's "Details" toggle only.
    before, figures = row.split('<details class="figures"><summary>Details</summary>')
    assert "Spotify request" not in before and "Cache hits" not in before and "children 50%" not in before
    assert "<li>85 Spotify requests</li>" in figures
    assert "<li>Cache hits: artists 75% · children 50%</li>" in figures
    assert "<li>Chill: 4 requests</li>" in figures
    assert "<li>goneChild0000000000000: 2 requests</li>" in figures
    failed_row = history[history.index(f'id="run-{setup.failed.pk}"') :]
    assert "Could not write to “Loud”" in failed_row
    assert f'action="/routing/runs/{setup.failed.pk}/retry/"' in failed_row and "Retry</button>" in failed_row


def test_a_retried_failure_offers_no_second_retry(client, setup):
    route_event(setup.base, RunStatus.SUCCEEDED, retry_of=setup.failed, trigger="retry")
    client.force_login(setup.listener)

    page = page_text(client.get(f"/routing/{setup.base.pk}/"))

    at = timezone.localtime(setup.failed.created_at)
    assert f"A retry · retries the route of {at.day} {at:%b %Y, %H:%M}" in page and "/retry/" not in page


def test_the_base_page_shows_the_active_route_and_the_last_finished_one(client, setup):
    active = route_event(setup.base, RunStatus.QUEUED, resume_at=timezone.now() + timedelta(minutes=30))
    client.force_login(setup.listener)

    page = page_text(client.get(f"/routing/{setup.base.pk}/"))

    assert "Paused by Spotify's rate limit until" in page and 'data-active="true"' in page
    assert f'id="run-{active.pk}"' in page
    assert "Last run:" in page and "Could not write to “Loud”" in page


def test_the_base_page_costs_a_bounded_number_of_queries(client, setup, django_assert_max_num_queries):
    for _ in range(10):
        ChildPlaylistFactory(base=setup.base)
    for _ in range(30):
        route_event(setup.base, RunStatus.FAILED)
    client.force_login(setup.listener)

    with django_assert_max_num_queries(20):
        assert client.get(f"/routing/{setup.base.pk}/").status_code == 200


def test_on_a_phone_each_childs_cells_are_named_by_their_column(client, setup):
    """The children's table stacks below 40rem: "Mode: …", "Actions: …" come from data-label."""
    client.force_login(setup.listener)

    assert stacked_table_problems(client.get(f"/routing/{setup.base.pk}/").content.decode()) == (1, [])

def test_options_are_saved_unchecked_boxes_included(client, setup):
    BasePlaylist.objects.filter(pk=setup.base.pk).update(auto_route_after_import=True)
    client.force_login(setup.listener)

    response = client.post(f"/routing/{setup.base.pk}/options/", {"first_match_only": "on"}, follow=True)

    setup.base.refresh_from_db()
    assert (setup.base.first_match_only, setup.base.auto_route_after_import) == (True, False)
    assert "Options saved." in page_text(response)


def test_adding_one_of_the_listeners_playlists_attaches_it_last_and_opens_its_editor(client, setup):
    client.force_login(setup.listener)

    page = page_text(client.get(f"/routing/{setup.base.pk}/"))
    assert f'<option value="{setup.owned.pk}">Clean cuts' in page
    response = client.post(
        f"/routing/{setup.base.pk}/children/new/",
        {"playlist": setup.owned.pk, "mode": "rebuild"},
        follow=True,
    )

    child = ChildPlaylist.objects.get(base=setup.base, spotify_id=setup.owned.spotify_id)
    assert response.redirect_chain == [(f"/routing/children/{child.pk}/", 302)]
    assert (child.name, child.playlist, positions(setup.base)) == (
        "Clean cuts",
        setup.owned,
        ["Chill", "Loud", "Clean cuts"],
    )
    assert "Attached “Clean cuts”" in page_text(response)


def test_adding_a_child_needs_a_playlist_or_a_name(client, setup):
    not_owned = PlaylistFactory(user=setup.listener, name="Someone else's", owner_spotify_id="someone")
    client.force_login(setup.listener)

    nothing = client.post(f"/routing/{setup.base.pk}/children/new/", {"playlist": "", "mode": "rebuild"})
    foreign = client.post(
        f"/routing/{setup.base.pk}/children/new/", {"playlist": not_owned.pk, "mode": "rebuild"}
    )

    assert nothing.status_code == 400 and "Name the new playlist, or choose one of yours" in page_text(
        nothing
    )
    assert foreign.status_code == 400 and "Select a valid choice" in page_text(foreign)
    assert positions(setup.base) == ["Chill", "Loud"]


def test_children_move_up_and_down_and_stay_at_the_edges(client, setup):
    client.force_login(setup.listener)

    client.post(f"/routing/children/{setup.loud.pk}/move/", {"direction": "up"})
    assert positions(setup.base) == ["Loud", "Chill"]
    client.post(f"/routing/children/{setup.loud.pk}/move/", {"direction": "up"})
    assert positions(setup.base) == ["Loud", "Chill"]
    client.post(f"/routing/children/{setup.loud.pk}/move/", {"direction": "down"})
    assert positions(setup.base) == ["Chill", "Loud"]
    assert client.post(f"/routing/children/{setup.loud.pk}/move/", {"direction": "left"}).status_code == 400


def test_detaching_a_child_closes_the_gap_and_says_spotify_keeps_it(client, setup):
    third = ChildPlaylistFactory(base=setup.base, name="Third")
    client.force_login(setup.listener)

    response = client.post(f"/routing/children/{setup.chill.pk}/delete/", follow=True)

    assert positions(setup.base) == ["Loud", "Third"]
    assert ChildPlaylist.objects.get(pk=third.pk).position == 1
    assert "Detached “Chill”" in page_text(response) and "stays on Spotify" in page_text(response)


def test_stopping_a_base_asks_first_then_forgets_its_set_up(client, setup):
    client.force_login(setup.listener)

    confirm = page_text(client.get(f"/routing/{setup.base.pk}/delete/"))
    assert "Stop routing “Everything”?" in confirm and "“Chill”, “Loud” keep the tracks they have" in confirm
    assert BasePlaylist.objects.filter(pk=setup.base.pk).exists()

    response = client.post(f"/routing/{setup.base.pk}/delete/", follow=True)

    assert response.redirect_chain == [("/routing/", 302)]
    assert not BasePlaylist.objects.filter(pk=setup.base.pk).exists()
    assert not ChildPlaylist.objects.filter(base_id=setup.base.pk).exists()
    assert "“Everything” no longer feeds other playlists" in page_text(response)


def test_the_progress_script_polls_the_sync_status_api_and_disables_edits_while_routing():
    script = Path(finders.find("js/routing-progress.js")).read_text()

    assert "box.dataset.statusUrl" in script and 'credentials: "same-origin"' in script
    assert "[data-edit]" in script and "setTimeout(poll" in script


def test_route_events_of_the_page_are_only_of_this_base(client, setup):
    other = BasePlaylistFactory(user=setup.listener)
    foreign = RouteRunFactory(base=other, status=RunStatus.FAILED)
    client.force_login(setup.listener)

    page = page_text(client.get(f"/routing/{setup.base.pk}/"))

    assert f'id="run-{foreign.pk}"' not in page and f'id="run-{setup.failed.pk}"' in page
