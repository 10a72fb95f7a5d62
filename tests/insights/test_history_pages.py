"""The history page: plays by day, a "may be incomplete" band where a gap lies, polling status.
Owner, stranger, anonymous."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from insights.models import GapReason
from tests.accounts.factories import UserFactory
from tests.library.factories import ArtistFactory, TrackFactory
from tests.insights.factories import HistoryGapFactory, HistoryStateFactory, PlayFactory
from tests.support.tables import stacked_table_problems

pytestmark = pytest.mark.django_db

URL = "/history/"


@pytest.fixture
def owner():
    return UserFactory()


def play(user, name: str, when: datetime, artist: str = "The Piers"):
    return PlayFactory(
        user=user, played_at=when, track=TrackFactory(name=name, artist=ArtistFactory(name=artist))
    )


def test_the_owner_sees_plays_by_day_with_the_gap_band_between_the_right_plays(client, owner):
    today = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    if today > timezone.localtime():
        today -= timedelta(days=1)
    morning = play(owner, "Morning Song", today - timedelta(hours=2), artist="Early Birds")
    evening = play(owner, "Last Night's Song", today - timedelta(hours=16))
    play(owner, "Older Song", today - timedelta(days=1, hours=17))
    HistoryStateFactory(user=owner, first_polled_at=today - timedelta(days=3))
    HistoryGapFactory(user=owner, starts_at=evening.played_at, ends_at=morning.played_at)
    client.force_login(owner)

    html = client.get(URL).content.decode()

    polled = (today - timedelta(days=3)).strftime("%-d %B %Y, %H:%M")
    assert f"Linernotes has collected your plays from Spotify every hour since {polled}." in html
    assert "<strong>3 plays recorded</strong>" in html
    assert "the first collection brought those" not in html  # every play came after polling began
    assert html.count("<h2>") == 3  # three days
    assert today.strftime("%A %-d %B %Y") in html
    assert "Early Birds" in html and "The Piers" in html
    band = html.index("May be incomplete")
    assert html.index("Morning Song") < band < html.index("Last Night&#x27;s Song") < html.index("Older Song")
    assert GapReason.OVERFLOW.label in html


def test_on_a_phone_each_plays_cells_are_named_by_their_column(client, owner):
    """The day's table stacks below 40rem: "Artists: …", "Album: …" come from data-label."""
    when = datetime(2025, 3, 1, 12, tzinfo=timezone.get_current_timezone())
    play(owner, "Morning Song", when)
    played = play(owner, "Evening Song", when + timedelta(hours=6))
    HistoryGapFactory(user=owner, starts_at=when, ends_at=played.played_at)
    client.force_login(owner)

    assert stacked_table_problems(client.get(URL).content.decode()) == (1, [])

def test_an_open_disconnected_gap_sits_above_every_play_and_the_status_says_why(client, owner):
    play(owner, "Before It Broke", timezone.now() - timedelta(hours=5))
    HistoryStateFactory(
        user=owner,
        last_error="Spotify refused the stored grant (invalid_grant).",
        last_attempt_at=timezone.now(),
        disconnected_at=timezone.now() - timedelta(hours=2),
    )
    HistoryGapFactory(
        user=owner,
        reason=GapReason.DISCONNECTED,
        starts_at=timezone.now() - timedelta(hours=5),
        ends_at=None,
    )
    client.force_login(owner)

    html = client.get(URL).content.decode()

    assert html.index("May be incomplete") < html.index("Before It Broke")
    assert "The Spotify connection was lost" in html and "and now may be missing" in html
    assert "Disconnected" in html and "invalid_grant" in html


def test_plays_backfilled_from_before_polling_began_set_the_start_and_the_two_dates_are_explained(
    client, owner
):
    # Polling began an hour ago; its first poll brought Spotify's newest plays, weeks older.
    polled = timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=1)
    oldest = polled - timedelta(days=35, hours=3)
    play(owner, "Backfilled Oldest", oldest)
    play(owner, "Backfilled Newer", polled - timedelta(days=30))
    play(owner, "Polled Later", polled + timedelta(minutes=20))
    HistoryStateFactory(user=owner, first_polled_at=polled, last_polled_at=polled + timedelta(minutes=30))
    client.force_login(owner)

    html = client.get(URL).content.decode()

    def when(moment):
        return timezone.localtime(moment).strftime("%-d %B %Y, %H:%M")

    span = html[html.index('id="history-span"') : html.index('id="history-collection"')]
    assert f"3 plays recorded</strong>, from {when(oldest)} to {when(polled + timedelta(minutes=20))}" in span
    collection = " ".join(html[html.index('id="history-collection"') :].split("</p>", 1)[0].split())
    assert f"every hour since {when(polled)}." in collection
    assert f"the first collection brought those, back to {when(oldest)}; anything older cannot" in collection
    assert html.index("Polled Later") < html.index("Backfilled Newer") < html.index("Backfilled Oldest")


def test_a_listener_not_polled_yet_is_told_when_plays_will_appear(client, owner):
    client.force_login(owner)

    html = client.get(URL).content.decode()

    assert "Not collected yet" in html and "No plays yet" in html


def test_the_page_is_paginated_100_plays_a_page(client, owner):
    for n in range(130):
        PlayFactory(user=owner, played_at=timezone.now() - timedelta(minutes=5 * n + 1))
    client.force_login(owner)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert first.content.decode().count("<time ") == 100 and "Page 1 of 2" in first.content.decode()
    assert second.content.decode().count("<time ") == 30


def test_a_stranger_sees_only_their_own_history(client, owner):
    play(owner, "Private Song", timezone.now() - timedelta(hours=1))
    HistoryGapFactory(user=owner)
    client.force_login(UserFactory())

    html = client.get(URL).content.decode()

    assert "Private Song" not in html and "May be incomplete" not in html and "No plays yet" in html
    assert "plays recorded" not in html and "play recorded" not in html


def test_anonymous_visitors_are_sent_to_sign_in(client, owner):
    play(owner, "Private Song", timezone.now() - timedelta(hours=1))

    response = client.get(URL)

    assert response.status_code == 302 and "next=/history/" in response["Location"]


def test_the_navigation_links_to_the_history_page(client, owner):
    client.force_login(owner)

    assert 'href="/history/"' in client.get("/dashboard/").content.decode()


def test_a_page_costs_the_same_few_queries_however_many_plays_and_gaps(
    client, owner, django_assert_max_num_queries
):
    for n in range(100):
        PlayFactory(user=owner, played_at=timezone.now() - timedelta(minutes=5 * n + 1))
    for n in range(10):
        HistoryGapFactory(
            user=owner,
            starts_at=timezone.now() - timedelta(minutes=50 * n + 2),
            ends_at=None if n == 0 else timezone.now() - timedelta(minutes=50 * n),
        )
    HistoryStateFactory(user=owner)
    client.force_login(owner)

    # Session and user, count, plays with tracks and albums, credits with artists, gaps, state,
    # the latest history import and the latest lookup of the tracks it named first.
    with django_assert_max_num_queries(9):
        html = client.get(URL).content.decode()

    assert html.count("<time ") == 100 and html.count("May be incomplete") == 10
