"""The Insights page: the latest listening snapshot of a range, drawn as inline SVG and CSS
charts, with the trend across the listener's snapshot days; and its "Ingest now" button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from core.throttles import Throttled
from analysis.vocabulary import MOODS
from insights import selectors
from insights.models import ListeningSnapshot, TimeRange
from insights.services.ingests import request_ingest
from insights.services.snapshots import ListeningIngestFailed
from insights.throttles import IngestThrottle
from insights.templatetags.charts import line_points

TOP_ARTISTS_SHOWN = 10
GENRES_SHOWN = 8
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TREND_WIDTH, TREND_HEIGHT = 600, 120
MOOD_DAYS_SHOWN = 14


def _time_range(value: str | None) -> str | None:
    value = value or TimeRange.SHORT
    return value if value in TimeRange.values else None


@login_required
@require_GET
def insights(request: HttpRequest) -> HttpResponse:
    time_range = _time_range(request.GET.get("range"))
    if time_range is None:
        return HttpResponseBadRequest("range: must be one of short_term, medium_term or long_term.")
    snapshot = selectors.latest_snapshot(user=request.user, time_range=time_range)
    context: dict[str, Any] = {
        "tabs": [(value, label, value == time_range) for value, label in TimeRange.choices],
        "time_range": time_range,
        "snapshot": snapshot,
        # The LLM insight cards (insights/_insight_cards.html), written from this snapshot.
        "show_insight_cards": snapshot is not None,
    }
    if snapshot is not None:
        context.update(_charts(user=request.user, snapshot=snapshot))
        context["insight_cards"] = selectors.insight_cards(
            user=request.user, snapshot=snapshot, chosen=request.GET
        )
    return render(request, "insights/insights.html", context)


@login_required
@require_POST
def ingest(request: HttpRequest) -> HttpResponse:
    time_range = _time_range(request.POST.get("range")) or TimeRange.SHORT
    try:
        IngestThrottle.check(request)  # the API's ingest limit and counter
        _, created = request_ingest(user=request.user)
    except (Throttled, ListeningIngestFailed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Reading your listening from Spotify: reload this page in a minute."
            if created
            else "Your listening is already being read from Spotify: reload this page in a minute.",
        )
    return redirect(f"{reverse('insights:insights')}?range={time_range}")


def _charts(*, user: User, snapshot: ListeningSnapshot) -> dict[str, Any]:
    return {
        "artists": _top_artists(snapshot),
        "genres": _bars(list(snapshot.genre_distribution.items()), keep=GENRES_SHOWN),
        "moods": _bars(list(snapshot.mood_distribution.items()), keep=len(snapshot.mood_distribution)),
        "decades": _bars(
            sorted(snapshot.decade_distribution.items()), keep=len(snapshot.decade_distribution)
        ),
        "heat": _heat(snapshot.weekday_hours),
        **_trend(user=user, time_range=snapshot.time_range),
    }


def _top_artists(snapshot: ListeningSnapshot) -> dict[str, Any]:
    """Bars by stored plays in the window; by rank when the history has none (a new user)."""
    entries = snapshot.top_artists[:TOP_ARTISTS_SHOWN]
    names = selectors.artist_names(artist_ids=(entry["id"] for entry in entries))
    by_plays = any(entry.get("plays") for entry in entries)
    size = len(snapshot.top_artists)
    values = [entry.get("plays", 0) if by_plays else size - entry["rank"] + 1 for entry in entries]
    most = max(values, default=0) or 1
    rows = [
        {
            "name": names.get(entry["id"], entry["id"]),
            "rank": entry["rank"],
            "plays": entry.get("plays", 0),
            "width": round(value / most * 100, 1),
        }
        for entry, value in zip(entries, values, strict=True)
    ]
    return {"rows": rows, "by_plays": by_plays}


def _bars(items: list[tuple[str, float]], *, keep: int) -> list[dict[str, Any]]:
    """Label, share and bar width (relative to the largest share); the rest as "Other"."""
    shown = items[:keep]
    rest = sum(share for _, share in items[keep:])
    if rest > 0:
        shown.append(("Other", rest))
    most = max((share for _, share in shown), default=0) or 1
    return [{"label": label, "share": share, "width": round(share / most * 100, 1)} for label, share in shown]


def _heat(grid: list[list[int]]) -> dict[str, Any]:
    rows = [(WEEKDAYS[day], counts) for day, counts in enumerate(grid)] if len(grid) == 7 else []
    return {"rows": rows, "most": max((max(counts) for counts in grid), default=0), "hours": range(24)}


def _mood_days(days: list[ListeningSnapshot]) -> dict[str, Any]:
    """Mood over time: per snapshot day (the last MOOD_DAYS_SHOWN), its mood shares as one
    stacked bar; each mood keeps its colour (a hue by its place in the vocabulary)."""
    hue = {mood: index * 360 // len(MOODS) for index, mood in enumerate(MOODS)}
    rows, present = [], set()
    for day in days[-MOOD_DAYS_SHOWN:]:
        shares = sorted(
            ((mood, share) for mood, share in day.mood_distribution.items() if mood in hue and share > 0),
            key=lambda pair: MOODS.index(pair[0]),
        )
        present.update(mood for mood, _ in shares)
        rows.append(
            {
                "date": day.snapshot_date,
                "segments": [
                    {"mood": mood, "share": share, "width": round(share * 100, 2), "hue": hue[mood]}
                    for mood, share in shares
                ],
            }
        )
    keys = [{"mood": mood, "hue": hue[mood]} for mood in MOODS if mood in present]
    return {"rows": rows if present else [], "keys": keys}


def _trend(*, user: User, time_range: str) -> dict[str, Any]:
    days = selectors.snapshot_trend(user=user, time_range=time_range)
    size = {"width": TREND_WIDTH, "height": TREND_HEIGHT}
    return {
        "mood_days": _mood_days(days),
        "trend": {
            "days": days,
            "first": days[0].snapshot_date if days else None,
            "last": days[-1].snapshot_date if days else None,
            "energy": line_points([day.energy_mean for day in days], **size),
            "genre_diversity": line_points([day.genre_diversity for day in days], **size),
            "mood_diversity": line_points([day.mood_diversity for day in days], **size),
            **size,
        }
    }
