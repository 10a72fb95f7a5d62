"""Who "led your listening": counted over every recorded play of the range, never only over
Spotify's top artists. The leader here is an artist Spotify lists in none of its ranges; the
expected counts are computed in the test from the Play rows, not by the code under test."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import timedelta

import pytest
import requests
from django.test import Client
from django.utils import timezone

from core.runs import RunStatus
from insights.models import InsightKind, InsightTone, Play, TimeRange
from insights.services.insight_prompt import MOST_PLAYED, snapshot_figures, unplayed_artist_names
from insights.services.insight_writer import request_insight, write_insight
from insights.services.snapshots import ingest_snapshot
from tests.insights.factories import ListeningSnapshotFactory, PlayFactory
from tests.library.factories import ArtistFactory, TrackFactory
from tests.sync.cluster_support import signed_in

pytestmark = pytest.mark.django_db
WINDOWS = {TimeRange.SHORT: timedelta(days=28), TimeRange.MEDIUM: timedelta(days=182), TimeRange.LONG: None}
FIRST_BAR = re.compile(r'<ol class="bars artists">\s*<li><span class="bar-label">([^<]+)')
LED = re.compile(r"(?:^|, )([^,.]+?) led your listening with (\d+) play")


def spotify_top_artist_ids(sandbox) -> dict[str, list[str]]:
    """Spotify's top artists per range, as the sandbox serves them to the demo listener."""
    token = sandbox.issue_token(user="demo")["access_token"]
    ranked = {}
    for time_range in TimeRange.values:
        answer = requests.get(
            f"{sandbox.api_url}/me/top/artists",
            params={"time_range": time_range, "limit": 50},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        answer.raise_for_status()
        ranked[time_range] = [item["id"] for item in answer.json()["items"]]
    return ranked


def plays_by_artist(*, user, time_range: str, now) -> Counter[str]:
    """Plays per artist name in the range's window, straight from the Play rows."""
    counts: Counter[str] = Counter()
    for play in Play.objects.filter(user=user).prefetch_related("track__credits__artist"):
        window = WINDOWS[time_range]
        if window is None or play.played_at > now - window:
            counts.update({credit.artist.name for credit in play.track.credits.all()})
    return counts


def test_the_chart_the_prompt_and_the_insight_name_the_most_played_artist_of_every_range(
    sandbox, analysis_llm, django_capture_on_commit_callbacks, queue
):
    listener = signed_in(sandbox, "demo")
    ranked = spotify_top_artist_ids(sandbox)
    listed = {artist_id for ids in ranked.values() for artist_id in ids}
    # Spotify lists her in no range; Spotify's short-term #1 gets fewer plays in every window.
    yuki = ArtistFactory(name="Yuki & the Stranger")
    assert yuki.spotify_id not in listed
    favourite = ArtistFactory(spotify_id=ranked[TimeRange.SHORT][0])
    now = timezone.now()
    for days_ago in (1, 2, 2, 3, 5, 400):
        PlayFactory(user=listener, track=TrackFactory(artist=yuki), played_at=now - timedelta(days=days_ago))
    for days_ago in (1, 4, 60, 400):
        PlayFactory(user=listener, track=TrackFactory(artist=favourite), played_at=now - timedelta(days=days_ago))

    snapshots = ingest_snapshot(user=listener)
    favourite.refresh_from_db()  # named as Spotify names it now

    browser = Client()
    browser.force_login(listener)
    for snapshot in snapshots:
        expected = plays_by_artist(user=listener, time_range=snapshot.time_range, now=now)
        leader, plays = expected.most_common(1)[0]
        assert leader == "Yuki & the Stranger" and plays > expected[favourite.name] > 0
        assert yuki.spotify_id not in {entry["id"] for entry in snapshot.top_artists}

        page = html.unescape(browser.get(f"/insights/?range={snapshot.time_range}").content.decode())
        first = FIRST_BAR.search(page)
        assert first is not None and first.group(1).strip() == leader, snapshot.time_range
        assert "Most played artists" in page

        figures = snapshot_figures(snapshot=snapshot)
        assert list(figures[MOST_PLAYED].items())[:2] == expected.most_common(2)
        assert leader not in unplayed_artist_names(snapshot=snapshot)

        with django_capture_on_commit_callbacks(execute=True):
            insight, _ = request_insight(
                user=listener, snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL
            )
        written = write_insight(insight_id=insight.pk)
        assert written.status == RunStatus.SUCCEEDED, written.error
        led = LED.search("\n".join(written.paragraphs))
        assert led is not None and (led.group(1), int(led.group(2))) == (leader, plays), written.paragraphs


def test_a_longer_range_says_when_every_recorded_play_falls_in_the_last_four_weeks():
    listener = ListeningSnapshotFactory(play_count=50).user
    day = timezone.localdate()
    for time_range in (TimeRange.MEDIUM, TimeRange.LONG):
        ListeningSnapshotFactory(user=listener, snapshot_date=day, time_range=time_range, play_count=50)
    browser = Client()
    browser.force_login(listener)

    def said(time_range: str) -> bool:
        page = browser.get(f"/insights/?range={time_range}").content.decode()
        return "All 50 plays Linernotes has recorded fall in the last 4 weeks" in page

    assert said(TimeRange.MEDIUM) and said(TimeRange.LONG)
    assert not said(TimeRange.SHORT)

    # One older play in the whole history: the ranges no longer count the same plays.
    listener.snapshots.filter(time_range=TimeRange.LONG).update(play_count=51)
    assert not said(TimeRange.MEDIUM) and not said(TimeRange.LONG)


def test_skips_from_the_privacy_export_are_not_counted_as_listens(sandbox):
    listener = signed_in(sandbox, "demo")
    listened, skipped_past = ArtistFactory(name="Listened To"), ArtistFactory(name="Skipped Past")
    now = timezone.now()
    for hours_ago in (1, 2):
        PlayFactory(user=listener, track=TrackFactory(artist=listened), played_at=now - timedelta(hours=hours_ago))
    for hours_ago in (3, 4, 5):  # under 30 s each: skips, as the export marks them
        PlayFactory(
            user=listener,
            track=TrackFactory(artist=skipped_past),
            played_at=now - timedelta(hours=hours_ago),
            ms_played=9_000,
            skipped=True,
        )

    short = {s.time_range: s for s in ingest_snapshot(user=listener)}[TimeRange.SHORT]

    counted = {entry["id"]: entry["plays"] for entry in short.played_artists}
    assert counted.get(listened.spotify_id) == 2 and skipped_past.spotify_id not in counted
