"""Chart geometry for server-rendered inline SVG and CSS: no JavaScript, nothing from a CDN.

The functions are plain so the view can use them too; the tags hand them to templates
(`{% load charts %}`).
"""

from __future__ import annotations

from collections.abc import Sequence

from django import template

register = template.Library()


def line_points(values: Sequence[float | None], *, width: float, height: float, top: float = 1.0) -> str:
    """SVG polyline points ("x,y x,y") for values from 0 to `top`, spread across `width`
    with 0 at the bottom; a missing value leaves no point (the line joins its neighbours).
    A single value is drawn as a flat line across, so one snapshot still shows."""
    if not values:
        return ""
    if len(values) == 1:
        values = [values[0], values[0]]
    step = width / (len(values) - 1)
    points = []
    for index, value in enumerate(values):
        if value is None:
            continue
        share = min(max(value / top, 0.0), 1.0) if top else 0.0
        points.append(f"{index * step:.1f},{height - share * height:.1f}")
    return " ".join(points)


@register.simple_tag
def polyline(values: Sequence[float | None], width: float = 300, height: float = 80, top: float = 1.0) -> str:
    return line_points(values, width=width, height=height, top=top)


@register.filter
def percent(share: float | None) -> str:
    """0.4231 → "42%"; None → "—"."""
    if share is None:
        return "—"
    return f"{share * 100:.0f}%"


@register.filter
def heat(count: int, most: int) -> str:
    """The opacity of a heat-map cell: its count over the busiest cell's, two decimals."""
    if not most:
        return "0"
    return f"{count / most:.2f}"
