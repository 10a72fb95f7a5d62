"""The year-in-music page: the owner's figures and charts, the year picker, the latest year by
default, an empty year, a year that cannot be, a stranger's plays never shown, anonymous sent to
sign in; the links from the history and Insights pages; a bounded number of queries. And its API,
GET /api/insights/recap/{year}: owner, stranger, anonymous."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from insights.models import PlaySource
from tests.accounts.factories import UserFactory
from tests.analysis.factories import SongAnalysisFactory
from tests.insights.factories import PlayFactory
from tests.library.factories import ArtistFactory, TrackFactory

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def owner():
    user = UserFactory()
    track = TrackFactory(name="Harbour Lights", artist=ArtistFactory(name="The Piers"))
    SongAnalysisFactory(track=track, mood="nostalgic", genres=["folk"])
    export = {"track": track, "source": PlaySource.EXPORT}
    PlayFactory(user=user, played_at=at(2023, 5, 1, 12), ms_played=180_000, **export)
    for day in (3, 4, 5):
        PlayFactory(user=user, played_at=at(2024, 7, day, 12), ms_played=240_000, **export)
    PlayFactory(user=user, track=track, played_at=at(2024, 7, 6, 12), ms_played=9_000, skipped=True)
    return user


def test_the_owner_sees_the_years_figures_charts_and_favourites(client, owner):
    client.force_login(owner)

    response = client.get("/insights/recap/2024/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your 2024 in music" in html
    assert "<dt>Minutes listened</dt><dd>12</dd>" in html and "<dt>Plays</dt><dd>3</dd>" in html
    assert "<dt>Skips</dt><dd>1</dd>" in html and "3 days" in html
    assert "1 skip is left out of the plays below" in html and "in UTC time" in html
    assert "Harbour Lights" in html and "The Piers" in html and "First played 1 May 2023" in html
    assert 'class="month-columns" role="img"' in html and 'id="recap-months"' in html
    assert "<th scope=\"row\">July</th><td>12</td><td>3</td><td>1</td>" in html
    assert 'id="recap-genres"' in html and "from our song analyses" in html
    assert 'id="recap-moods"' in html and "Nostalgic" in html
    # The year picker lists the years with plays, the one shown marked.
    assert 'href="/insights/recap/2023/"' in html and 'aria-current="page" class="active">2024<' in html


def test_a_favourite_first_played_this_year_is_marked_new(client, owner):
    newcomer = TrackFactory(name="First Light")
    PlayFactory(user=owner, track=newcomer, played_at=at(2024, 8, 1, 12), ms_played=200_000)
    client.force_login(owner)

    html = client.get("/insights/recap/2024/").content.decode()

    assert "New this year</span> first played 1 Aug" in html


def test_the_recap_without_a_year_opens_the_latest_year_with_plays(client, owner):
    client.force_login(owner)

    response = client.get("/insights/recap/")

    assert response.status_code == 302 and response["Location"] == "/insights/recap/2024/"


def test_a_year_without_plays_says_so_kindly(client, owner):
    client.force_login(owner)

    response = client.get("/insights/recap/2020/")

    html = response.content.decode()
    assert response.status_code == 200 and 'id="recap-empty"' in html and "No plays in 2020" in html
    assert 'href="/insights/recap/2024/"' in html


def test_a_listener_without_any_play_is_told_where_plays_come_from(client):
    client.force_login(UserFactory())

    html = client.get(client.get("/insights/recap/")["Location"]).content.decode()

    assert "no play of yours yet" in html and 'href="/history/"' in html


NOT_YEARS = ["1999", "3000", "99999999999999999999", "last-year", "-1", "2024.5"]


@pytest.mark.parametrize("year", NOT_YEARS)
def test_a_year_no_play_can_be_in_or_no_year_at_all_is_not_found(client, owner, year):
    client.force_login(owner)

    assert client.get(f"/insights/recap/{year}/").status_code == 404


def test_a_stranger_sees_none_of_the_owners_plays(client, owner):
    client.force_login(UserFactory())

    html = client.get("/insights/recap/2024/").content.decode()

    assert "Harbour Lights" not in html and 'id="recap-empty"' in html and "/insights/recap/2023/" not in html


def test_anonymous_visitors_are_sent_to_sign_in(client, owner):
    for path in ("/insights/recap/", "/insights/recap/2024/"):
        response = client.get(path)
        assert response.status_code == 302 and f"next={path}" in response["Location"]


def test_the_history_and_insights_pages_link_to_the_recap(client, owner):
    client.force_login(owner)

    for path in ("/history/", "/insights/"):
        assert 'href="/insights/recap/"' in client.get(path).content.decode(), path


def test_a_busy_year_costs_the_same_few_queries(client, owner, django_assert_max_num_queries):
    artists = [ArtistFactory(genres=["indie"]) for _ in range(15)]
    tracks = [TrackFactory(artist=artists[n % 15]) for n in range(40)]
    for track in tracks[:20]:
        SongAnalysisFactory(track=track, mood="happy", genres=["pop"])
    for n in range(400):
        PlayFactory(
            user=owner, track=tracks[n % 40], played_at=at(2024, 1, 1) + timedelta(hours=21 * n),
            ms_played=20_000 + 1_000 * (n % 50), skipped=n % 7 == 0,
        )  # fmt: skip
    client.force_login(owner)

    # Session and user; the history's span and its years; months; plays by track; credits; plays
    # by month and track; analyses; tracks with albums and their credits; artists; first plays
    # of tracks and of artists; days.
    with django_assert_max_num_queries(15):
        html = client.get("/insights/recap/2024/").content.decode()

    assert html.count('class="column"') == 12 and "Most played tracks" in html


def test_the_api_gives_the_owner_their_years_figures(client, owner):
    client.force_login(owner)

    body = client.get("/api/insights/recap/2024").json()

    figures = (body["year"], body["listens"], body["skips"], body["minutes"], body["timezone"])
    assert figures == (2024, 3, 1, 12, "UTC")
    assert body["longest_streak"] == {"days": 3, "first": "2024-07-03", "last": "2024-07-05"}
    july = {"month": "2024-07-01", "listens": 3, "skips": 1, "minutes": 12, "estimated": 0}
    assert body["months"][6] == july
    (track,) = body["top_tracks"]
    assert (track["name"], track["listens"], track["new_this_year"]) == ("Harbour Lights", 3, False)
    assert body["moods"]["rows"] == [{"label": "nostalgic", "counts": [0] * 6 + [3] + [0] * 5, "total": 3}]


@pytest.mark.parametrize("year", ["2020", "1999", "99999999999999999999"])
def test_the_api_answers_404_in_json_for_a_year_without_plays_of_yours(client, owner, year):
    client.force_login(UserFactory())  # a stranger: the owner's 2024 is not theirs either

    for asked in (year, "2024"):
        response = client.get(f"/api/insights/recap/{asked}")
        assert response.status_code == 404, asked
        assert response["Content-Type"].startswith("application/json") and response.json()


def test_the_api_refuses_anonymous_callers(client, owner):
    assert client.get("/api/insights/recap/2024").status_code == 401
