"""A year in music: the recap page of one year of the listener's stored history, drawn like the
Insights page (inline SVG and CSS, a table behind every chart), and its address without a year,
which opens the latest year with plays.

A year without plays of theirs is a page that says so (with the years that have some); a year
no play can be in (before Spotify, after this one) is no page at all (404)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from analysis.vocabulary import MOODS
from insights.selectors.recap import FIRST_YEAR, Breakdown, Favourite, YearRecap, year_recap, years_with_plays
from library.models import Artist, Track

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@login_required
@require_GET
def recap_latest(request: HttpRequest) -> HttpResponse:
    years = years_with_plays(user=request.user)
    return redirect("insights:recap", year=years[0] if years else timezone.localdate().year)


@login_required
@require_GET
def recap(request: HttpRequest, year: int) -> HttpResponse:
    years = years_with_plays(user=request.user)
    if year not in years and not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404("No such year.")
    found = year_recap(user=request.user, year=year) if year in years else None
    context: dict[str, Any] = {"year": year, "years": years, "recap": found}
    if found is not None:
        context.update(_charts(found))
    return render(request, "insights/recap.html", context)


def _charts(recap: YearRecap) -> dict[str, Any]:
    return {
        "minute_columns": _columns(recap),
        "month_names": MONTHS,
        "top_tracks": _bars(recap.top_tracks, measure="listens"),
        "top_tracks_by_minutes": _bars(recap.top_tracks_by_minutes, measure="minutes"),
        "top_artists": _bars(recap.top_artists, measure="listens"),
        "top_artists_by_minutes": _bars(recap.top_artists_by_minutes, measure="minutes"),
        "genre_heat": _heat(recap.genres) if recap.genres and recap.genres.rows else None,
        "mood_months": _mood_months(recap.moods) if recap.moods and recap.moods.rows else None,
    }


def _columns(recap: YearRecap) -> list[dict[str, Any]]:
    """Minutes per month as upright CSS bars, the busiest month full height (HTML text under
    each, so the labels stay readable on a phone, where a scaled SVG's would shrink)."""
    most = max((month.minutes for month in recap.months), default=0) or 1
    return [
        {"month": month, "name": MONTHS[index], "height": round(month.minutes / most * 100, 1)}
        for index, month in enumerate(recap.months)
    ]


def _bars(favourites: list[Favourite], *, measure: str) -> list[dict[str, Any]]:
    """Bars relative to the first (the largest); a track's artists under its name (prefetched)."""
    most = max((getattr(f, measure) for f in favourites), default=0) or 1
    return [
        {
            "f": f,
            "byline": _byline(f.item),
            "value": getattr(f, measure),
            "width": round(getattr(f, measure) / most * 100, 1),
        }
        for f in favourites
    ]


def _byline(item: Track | Artist) -> str:
    """A track's credited artists (prefetched), for under its name; nothing for an artist."""
    return ", ".join(credit.artist.name for credit in item.credits.all()) if isinstance(item, Track) else ""


def _heat(genres: Breakdown) -> dict[str, Any]:
    """Genres (rows) by month (columns): a cell's shade is its listens over the fullest cell's."""
    rows = [*genres.rows, *([genres.other] if genres.other else [])]
    return {"rows": [(row, list(zip(MONTHS, row.counts))) for row in rows], "most": genres.most}


def _mood_months(moods: Breakdown) -> dict[str, Any]:
    """Per month, its mood shares as one stacked bar; each mood keeps the Insights page's hue."""
    hue = {mood: index * 360 // len(MOODS) for index, mood in enumerate(MOODS)}
    months = []
    for index, name in enumerate(MONTHS):
        total = sum(row.counts[index] for row in moods.rows)
        months.append(
            {
                "name": name,
                "total": total,
                "segments": [
                    {"mood": row.label, "share": row.counts[index] / total, "hue": hue.get(row.label, 0),
                     "width": round(row.counts[index] / total * 100, 2), "listens": row.counts[index]}
                    for row in moods.rows
                    if total and row.counts[index]
                ],  # fmt: skip
            }
        )
    keys = [{"mood": row.label, "hue": hue.get(row.label, 0)} for row in moods.rows]
    return {"months": months, "keys": keys}
