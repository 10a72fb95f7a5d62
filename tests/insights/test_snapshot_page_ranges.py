"""The Insights page opens on a range that counts plays, and a range that counts none says why,
from the listener's own history; "Ingest now" is disabled only with its reason beside it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from insights.models import ListeningIngest, ListeningSnapshot, TimeRange
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.insights.factories import HistoryStateFactory, ListeningSnapshotFactory, PlayFactory

pytestmark = pytest.mark.django_db

PAGE = "/insights/"


@pytest.fixture
def owner():
    return UserFactory()


def snapshots(user, *, short: int, medium: int, long: int) -> dict[str, ListeningSnapshot]:
    """Today's three snapshots with these play counts; each range's genres name it."""
    counts = {TimeRange.SHORT: short, TimeRange.MEDIUM: medium, TimeRange.LONG: long}
    return {
        value: ListeningSnapshotFactory(
            user=user, time_range=value, play_count=count, genre_distribution={f"{value} genre": 1.0}
        )
        for value, count in counts.items()
    }


def active_tab(html: str) -> str:
    return re.search(r'aria-current="page" class="active">([^<]+)', html).group(1).strip()


def day(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def test_a_listener_whose_plays_are_older_than_four_weeks_lands_on_six_months_and_is_told_why(client, owner):
    # Spotify's newest 50 plays, backfilled by the first poll an hour ago, all from two months back.
    newest = timezone.now() - timedelta(days=60)
    for n in range(3):
        PlayFactory(user=owner, played_at=newest - timedelta(hours=n))
    HistoryStateFactory(user=owner, first_polled_at=timezone.now() - timedelta(hours=1))
    snapshots(owner, short=0, medium=3, long=3)
    client.force_login(owner)

    html = client.get(PAGE).content.decode()

    assert active_tab(html) == "Last 6 months"
    assert "medium_term genre" in html and "short_term genre" not in html
    note = html[html.index('id="opened-on"') :]
    note = note[: note.index("</p>")]
    assert "“Last 4 weeks” counts no plays" in note
    assert f"Your newest recorded play is from {day(newest)}" in note
    assert "Spotify gives only your newest 50 plays" in note
    # Each tab says how many plays its snapshot counts, so the empty one is visible before a click.
    assert "Last 4 weeks <span class=\"tab-count\">· 0 plays</span>" in html
    assert "3 plays counted (last 6 months) of 3 recorded in all" in " ".join(html.split())


def test_asking_for_the_empty_range_keeps_it_and_explains_it_on_the_page(client, owner):
    newest = timezone.now() - timedelta(days=60)
    PlayFactory(user=owner, played_at=newest)
    HistoryStateFactory(user=owner, first_polled_at=timezone.now() - timedelta(hours=1))
    snapshots(owner, short=0, medium=1, long=1)
    client.force_login(owner)

    html = client.get(PAGE, {"range": "short_term"}).content.decode()

    assert active_tab(html) == "Last 4 weeks" and 'id="opened-on"' not in html
    assert "No plays counted for “Last 4 weeks”." in html
    assert f"newest recorded play is from {day(newest)}, before the last 4 weeks" in html
    assert "No plays counted in this range (see above)" in html  # the heat map does not repeat it


def test_with_no_range_counting_plays_the_page_stays_on_four_weeks_and_says_nothing_was_collected(
    client, owner
):
    snapshots(owner, short=0, medium=0, long=0)
    client.force_login(owner)

    html = client.get(PAGE).content.decode()

    assert active_tab(html) == "Last 4 weeks" and 'id="opened-on"' not in html
    assert "Linernotes has not collected your plays from Spotify yet" in html


def test_a_listener_polled_with_nothing_to_collect_is_told_spotify_had_no_plays(client, owner):
    HistoryStateFactory(user=owner)
    snapshots(owner, short=0, medium=0, long=0)
    client.force_login(owner)

    html = client.get(PAGE).content.decode()

    assert "Spotify had no plays to give when Linernotes last collected them" in html


def test_plays_recorded_after_the_snapshot_are_named_and_ingest_now_is_offered(client, owner):
    SpotifyCredentialFactory(user=owner)
    HistoryStateFactory(user=owner)
    taken = snapshots(owner, short=0, medium=0, long=0)
    ListeningSnapshot.objects.filter(pk__in=[s.pk for s in taken.values()]).update(
        updated_at=timezone.now() - timedelta(hours=2)
    )
    for n in range(2):
        PlayFactory(user=owner, played_at=timezone.now() - timedelta(minutes=30 + n))
    client.force_login(owner)

    html = client.get(PAGE).content.decode()

    assert "before 2 plays recorded since: the next snapshot (every night, or Ingest now) counts them" in html
    button = re.search(r"<button[^>]*>Ingest now</button>", html).group(0)
    assert "disabled" not in button


def test_ingest_now_is_disabled_with_the_reason_while_an_ingest_runs_or_spotify_is_not_connected(
    client, owner
):
    client.force_login(owner)

    unconnected = client.get(PAGE).content.decode()
    SpotifyCredentialFactory(user=owner)
    ListeningIngest.objects.create(user=owner, snapshot_date=timezone.localdate())
    running = client.get(PAGE).content.decode()

    for html, reason in (
        (unconnected, "Spotify is not connected (or its access was revoked): sign in with Spotify on the dashboard."),
        (running, "Your listening is being read from Spotify now"),
    ):
        button = re.search(r"<button[^>]*>Ingest now</button>", html).group(0)
        assert "disabled" in button and 'aria-describedby="ingest-blocked"' in button
        assert re.search(rf'id="ingest-blocked">{re.escape(reason)}', html)


def test_a_stranger_sees_neither_the_owners_counts_nor_the_owners_reasons(client, owner):
    PlayFactory(user=owner, played_at=timezone.now() - timedelta(days=60))
    snapshots(owner, short=0, medium=7, long=7)
    client.force_login(UserFactory())

    html = client.get(PAGE).content.decode()

    assert "No snapshot yet" in html and "tab-count" not in html
    assert "newest recorded play" not in html and "medium_term genre" not in html


def test_the_insights_and_history_pages_give_the_same_total_of_recorded_plays(client, owner):
    for n in range(3):
        PlayFactory(user=owner, played_at=timezone.now() - timedelta(days=n + 1))
    snapshots(owner, short=3, medium=3, long=3)
    client.force_login(owner)

    insights = " ".join(client.get(PAGE).content.decode().split())
    history = client.get("/history/").content.decode()

    assert "3 plays counted (last 4 weeks) of 3 recorded in all" in insights
    assert "<strong>3 plays recorded</strong>" in history
