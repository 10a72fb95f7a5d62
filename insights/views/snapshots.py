"""The Insights page: the latest listening snapshot of a range, drawn as inline SVG and CSS
charts, with the trend across the listener's snapshot days; and its "Ingest now" button.

Without a `range` in the address the page opens on the first range whose snapshot counts plays
(a new listener's history is often older than four weeks: Spotify gives only the newest 50
plays); a range that counts none says why (insights.views.coverage)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors as account_selectors
from accounts.models import User
from analysis.vocabulary import MOODS
from core.throttles import Throttled
from insights import selectors
from insights.models import ListeningSnapshot, TimeRange
from insights.selectors import CatalogArtist
from insights.services.ingests import active_ingest, request_ingest
from insights.services.snapshot_figures import artists_by_plays
from insights.services.snapshots import ListeningIngestFailed
from insights.templatetags.charts import line_chart
from insights.throttles import IngestThrottle
from insights.views.coverage import no_plays_reason

TOP_ARTISTS_SHOWN = 10
GENRES_SHOWN = 8
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TREND_WIDTH, TREND_HEIGHT = 600, 150
MOOD_DAYS_SHOWN = 14
# The trend charts, one measure each: (key, figure on the snapshot, title, what 0 and 1 mean).
TREND_MEASURES = (
    ("energy", "energy_mean", "Energy", "0 is calm, 1 is intense"),
    ("genre", "genre_diversity", "Genre variety", "0 is a single genre, 1 an even spread over many"),
    ("mood", "mood_diversity", "Mood variety", "0 is a single mood, 1 an even spread over many"),
)


@login_required
@require_GET
def insights(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("range") or None  # "?range=" is no choice, as before
    if asked is not None and asked not in TimeRange.values:
        return HttpResponseBadRequest("range: must be one of short_term, medium_term or long_term.")
    latest = selectors.latest_snapshots(user=request.user)
    time_range = asked or _opening_range(latest)
    snapshot = latest.get(time_range)
    context: dict[str, Any] = {
        "tabs": [
            {"value": value, "label": label, "active": value == time_range, "snapshot": latest.get(value)}
            for value, label in TimeRange.choices
        ],
        "time_range": time_range,
        "range_label": TimeRange(time_range).label,
        # Opened on another range than the first because that one counts no plays: say so.
        "skipped": latest.get(TimeRange.SHORT) if time_range != TimeRange.SHORT and asked is None else None,
        "snapshot": snapshot,
        # The LLM insight cards (insights/_insight_cards.html), written from this snapshot.
        "show_insight_cards": snapshot is not None,
        "same_plays_as_short": _same_plays_as_short(latest, time_range=time_range),
    }
    if snapshot is not None:
        span = selectors.play_span(user=request.user, recorded_after=snapshot.updated_at)
        context["span"] = span
        skipped = context["skipped"]
        if not snapshot.play_count or skipped is not None:
            state = selectors.get_history_state(user=request.user)
            if skipped is not None:
                context["skipped_reason"] = no_plays_reason(snapshot=skipped, span=span, state=state)
            if not snapshot.play_count:
                context["no_plays"] = no_plays_reason(snapshot=snapshot, span=span, state=state)
                context["stale"] = span.recorded_after > 0
        context.update(_charts(user=request.user, snapshot=snapshot))
        context["insight_cards"] = selectors.insight_cards(
            user=request.user, snapshot=snapshot, chosen=request.GET
        )
    if snapshot is None or context.get("stale"):
        context["ingest_blocked"] = _ingest_blocked(user=request.user)
    return render(request, "insights/insights.html", context)


def _opening_range(latest: dict[str, ListeningSnapshot]) -> str:
    """The first range (short, medium, long) whose latest snapshot counts plays; short if none does."""
    for value in TimeRange.values:
        if value in latest and latest[value].play_count:
            return value
    return TimeRange.SHORT


def _same_plays_as_short(latest: dict[str, ListeningSnapshot], *, time_range: str) -> bool:
    """True on a longer range when every play recorded by the day's snapshot falls in the last 4
    weeks (Spotify gives a new listener only their newest 50 plays): the figures match the short
    range's, and the page says why rather than leaving the listener to wonder."""
    short, whole = latest.get(TimeRange.SHORT), latest.get(TimeRange.LONG)
    return (
        time_range != TimeRange.SHORT
        and short is not None
        and whole is not None
        and short.snapshot_date == whole.snapshot_date
        and short.play_count > 0
        and short.play_count == whole.play_count
    )


def _ingest_blocked(*, user: User) -> str:
    """Why "Ingest now" cannot help right now ("" when it can): the button is disabled with this."""
    credential = account_selectors.get_credential(user=user)
    if credential is None or credential.reconnect_needed:
        return "Spotify is not connected (or its access was revoked): sign in with Spotify on the dashboard."
    if active_ingest(user=user) is not None:
        return "Your listening is being read from Spotify now: reload this page in a minute."
    return ""


@login_required
@require_POST
def ingest(request: HttpRequest) -> HttpResponse:
    time_range = request.POST.get("range")
    time_range = time_range if time_range in TimeRange.values else TimeRange.SHORT
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
    played = [entry["id"] for entry in snapshot.played_artists[:TOP_ARTISTS_SHOWN]]
    catalog = selectors.catalog_artists(artist_ids=[*(entry["id"] for entry in snapshot.top_artists), *played])
    return {
        "artists": _top_artists(snapshot, catalog=catalog),
        "genres": _genres(snapshot, catalog=catalog),
        "moods": _bars(list(snapshot.mood_distribution.items())),
        "decades": _bars(sorted(snapshot.decade_distribution.items())),
        "heat": _heat(snapshot.weekday_hours),
        **_trend(user=user, time_range=snapshot.time_range),
    }


def _top_artists(snapshot: ListeningSnapshot, *, catalog: dict[str, CatalogArtist]) -> dict[str, Any]:
    """The range's most played artists, counted over every recorded play in the window (not
    only Spotify's top artists), drawn by plays with Spotify's rank beside where Spotify lists
    them. With no plays at all, Spotify's ranking as a plain list: a rank is no quantity."""
    entries = snapshot.top_artists
    played = artists_by_plays(played=snapshot.played_artists, ranked=entries)
    shown = played[:TOP_ARTISTS_SHOWN] or entries[:TOP_ARTISTS_SHOWN]
    most = max((e.get("plays", 0) for e in shown), default=0) or 1
    rows = [
        {
            "name": catalog[e["id"]].name if e["id"] in catalog else "Unknown artist",
            "rank": e.get("rank"),
            "plays": e.get("plays", 0),
            "width": round(e.get("plays", 0) / most * 100, 1),
        }
        for e in shown
    ]
    played_ids = {e["id"] for e in played}
    unplayed = sum(1 for e in entries if e.get("id") not in played_ids)
    return {"rows": rows, "by_plays": bool(played), "total": len(entries), "unplayed": unplayed,
            "artists_played": len(played)}  # fmt: skip


def _genres(snapshot: ListeningSnapshot, *, catalog: dict[str, CatalogArtist]) -> dict[str, Any]:
    """The GENRES_SHOWN largest genres as bars, the rest summed as one sentence (many small genres
    together would outweigh every bar), and how many top artists Spotify gave no genre."""
    items = list(snapshot.genre_distribution.items())
    rest = items[GENRES_SHOWN:]
    artists = [entry["id"] for entry in snapshot.top_artists]
    return {
        "bars": _bars(items[:GENRES_SHOWN]),
        "other_count": len(rest),
        "other_share": sum(share for _, share in rest),
        "artists": len(artists),
        # An artist missing from the catalog has no genre we know of either.
        "without_genre": sum(1 for a in artists if not (a in catalog and catalog[a].has_genres)),
    }


def _bars(items: list[tuple[str, float]]) -> list[dict[str, Any]]:
    """Label, share and bar width (relative to the largest share shown)."""
    most = max((share for _, share in items), default=0) or 1
    return [{"label": label, "share": share, "width": round(share / most * 100, 1)} for label, share in items]


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
    dates = [day.snapshot_date for day in days]
    charts = [
        {
            "key": key,
            "title": title,
            "scale": scale,
            "chart": line_chart(
                [getattr(day, figure) for day in days], days=dates, width=TREND_WIDTH, height=TREND_HEIGHT
            ),
        }
        for key, figure, title, scale in TREND_MEASURES
    ]
    return {
        "mood_days": _mood_days(days),
        "trend": {
            "days": days,
            "first": dates[0] if dates else None,
            "last": dates[-1] if dates else None,
            "charts": charts,
        },
    }
