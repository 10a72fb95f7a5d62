"""The Insights page (/insights/) and its "Ingest now" button: owner, stranger, anonymous."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django_q.brokers import get_broker
from django_q.signing import SignedPackage

from core.queues import BULK, cluster_name
from insights.models import ListeningIngest, TimeRange
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.library.factories import ArtistFactory
from tests.insights.factories import GeneratedInsightFactory, ListeningSnapshotFactory

PAGE = "/insights/"
INGEST = "/insights/ingest/"


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def snapshots(owner):
    """Two days of the owner's short-term snapshots and one long-term: the latest has the figures."""
    ArtistFactory(spotify_id="artist-kestrel", name="Kestrel Choir")
    ArtistFactory(spotify_id="artist-ninth", name="Ninth Harbour")
    grid = [[0] * 24 for _ in range(7)]
    grid[2][21] = 6  # Wednesday 21:00, the busiest cell
    grid[5][9] = 3
    ListeningSnapshotFactory(user=owner, snapshot_date=date(2026, 3, 1), energy_mean=0.2, genre_diversity=0.4)
    latest = ListeningSnapshotFactory(
        user=owner,
        snapshot_date=date(2026, 3, 2),
        top_artists=[
            {"id": "artist-kestrel", "rank": 1, "plays": 8},
            {"id": "artist-ninth", "rank": 2, "plays": 2},
        ],
        genre_distribution={"dream pop": 0.75, "shoegaze": 0.25},
        mood_distribution={"melancholic": 0.6, "calm": 0.4},
        decade_distribution={"1990s": 0.5, "2010s": 0.5},
        weekday_hours=grid,
        play_count=9,
        energy_mean=0.7,
        explicit_share=0.3,
    )
    ListeningSnapshotFactory(
        user=owner,
        time_range=TimeRange.LONG,
        genre_distribution={"baroque": 1.0},
        top_artists=[],
        play_count=1,
    )
    return latest


@pytest.mark.django_db
def test_the_owner_sees_the_latest_short_term_figures_as_charts(client, owner, snapshots):
    client.force_login(owner)

    response = client.get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Kestrel Choir", "8 plays", "Ninth Harbour", "dream pop", "75%", "Melancholic", "60%",
                 "1990s", "30% of your top tracks are explicit", "2 snapshots",
                 "estimated from our song analyses"):  # fmt: skip
        assert text in page, text
    assert "baroque" not in page  # the long-term snapshot is another tab
    # Bars are relative to the largest: Kestrel's 8 plays fill it, Ninth's 2 a quarter.
    assert "--w: 100.0%" in page and "--w: 25.0%" in page
    # The heat map: 7 × 24 cells, the busiest at full strength, half of it at 0.50.
    assert page.count('class="heat-cell"') == 7 * 24
    assert 'style="--a: 1.00" title="Wed 21:00 · 6 plays"' in page
    assert 'style="--a: 0.50" title="Sat 9:00 · 3 plays"' in page
    # Trends: energy 0.2 then 0.7 across the plot (x 36 to 586, y 122 for 0 up to 10 for 1).
    assert re.search(r'class="line energy" points="36\.0,99\.6 586\.0,43\.6"', page)
    assert 'id="insight-cards"' in page  # the LLM insight cards of this snapshot
    assert not re.search(r"<script[^>]*\bsrc=", page)  # no chart library, no CDN


@pytest.mark.django_db
def test_a_tab_shows_another_range_and_a_bad_one_is_a_400(client, owner, snapshots):
    client.force_login(owner)

    long_page = client.get(PAGE, {"range": "long_term"}).content.decode()
    bad = client.get(PAGE, {"range": "forever"})

    assert "baroque" in long_page and "dream pop" not in long_page
    assert 'aria-current="page" class="active">All time' in long_page
    assert bad.status_code == 400 and "range" in bad.content.decode()


@pytest.mark.django_db
def test_another_listener_sees_their_own_empty_state_never_the_owners_figures(client, snapshots):
    client.force_login(UserFactory())

    page = client.get(PAGE).content.decode()

    assert "No snapshot yet" in page and "Ingest now" in page
    assert "Kestrel Choir" not in page and "dream pop" not in page


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, snapshots):
    assert client.get(PAGE).status_code == 302
    response = client.post(INGEST)
    assert response.status_code == 302 and "/insights/" not in response["Location"].split("?")[0]


@pytest.mark.django_db
def test_the_nav_links_to_insights(client, owner):
    client.force_login(owner)

    # On the page itself, the link says so (base.html marks the current page).
    assert '<a href="/insights/" aria-current="page">Insights</a>' in client.get("/insights/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_ingest_now_queues_the_callers_ingest_and_comes_back_with_a_message(client, owner):
    broker = get_broker(cluster_name(BULK))
    broker.purge_queue()
    SpotifyCredentialFactory(user=owner)
    client.force_login(owner)

    response = client.post(INGEST, {"range": "medium_term"}, follow=True)
    again = client.post(INGEST, {"range": "medium_term"}, follow=True)

    assert response.redirect_chain == [("/insights/?range=medium_term", 302)]
    assert "Reading your listening from Spotify" in response.content.decode()
    assert "already being read from Spotify" in again.content.decode()
    ingest = ListeningIngest.objects.get(user=owner)
    tasks = [SignedPackage.loads(package) for _, package in broker.dequeue() or []]
    assert [(t["func"], t["args"]) for t in tasks] == [("insights.tasks.run_ingest", (ingest.pk,))]


@pytest.mark.django_db
def test_ingest_now_without_a_spotify_connection_says_what_to_do(client, owner):
    client.force_login(owner)

    response = client.post(INGEST, follow=True)

    assert "sign in with Spotify first" in response.content.decode()


@pytest.mark.django_db
def test_the_page_shows_the_written_insight_of_its_snapshot_and_not_another_listeners(client):
    mine = GeneratedInsightFactory(headline="Calm evenings, restless Fridays")
    GeneratedInsightFactory(headline="Someone else's headline")
    client.force_login(mine.user)

    html = client.get(PAGE).content.decode()

    assert 'id="insight-cards"' in html
    assert "Calm evenings, restless Fridays" in html and "Someone else&#x27;s headline" not in html
    assert "Someone else's headline" not in html
    assert "Roast" in html  # a card for every kind, each with its Generate button


@pytest.mark.django_db
def test_mood_over_time_draws_each_days_mood_shares_as_one_stacked_bar(client, owner):
    ListeningSnapshotFactory(
        user=owner, snapshot_date=date(2026, 3, 1), mood_distribution={"calm": 0.75, "dark": 0.25}
    )
    ListeningSnapshotFactory(user=owner, snapshot_date=date(2026, 3, 2), mood_distribution={"happy": 1.0})
    client.force_login(owner)

    page = client.get(PAGE).content.decode()

    section = page[page.index('id="mood-days-heading"') : page.index('id="trend-heading"')]
    assert re.findall(r"<li><span class=\"bar-label\">([^<]+)</span>", section) == ["1 Mar", "2 Mar"]
    assert re.findall(r'class="seg" style="--w: ([\d.]+)%', section) == ["75.0", "25.0", "100.0"]
    assert "Calm" in section and "Dark" in section and "Happy" in section


@pytest.mark.django_db
def test_the_page_costs_a_bounded_number_of_queries_however_many_days_and_insights(
    client, owner, django_assert_max_num_queries
):
    for day in range(1, 31):
        snapshot = ListeningSnapshotFactory(user=owner, snapshot_date=date(2026, 3, day))
    for kind in ("wellness", "roast", "productivity", "weekly_summary"):
        GeneratedInsightFactory(snapshot=snapshot, kind=kind)
    client.force_login(owner)

    with django_assert_max_num_queries(12):
        response = client.get(PAGE)

    assert response.status_code == 200 and response.content.decode().count('class="seg"') >= 14
