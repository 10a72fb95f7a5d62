"""Chart geometry for server-rendered inline SVG and CSS: no JavaScript, nothing from a CDN.

The functions are plain so the view can use them too; the filters hand them to templates
(`{% load charts %}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django import template

register = template.Library()

# The plot area inside a line chart's viewBox: room on the left for the value labels and below
# for the first and last dates.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 36.0, 14.0, 10.0, 28.0
Y_TICKS = (0.0, 0.5, 1.0)  # shares of `top`


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    day: date
    value: float


@dataclass(frozen=True)
class Tick:
    at: float  # x for a date tick, y for a value tick
    label: str | date


@dataclass(frozen=True)
class LineChart:
    """One measure over days: a polyline with a dot per known value, value ticks on the left,
    the first and last day below. `drawable` is false with fewer than two known values: a
    line needs two points, so the page shows the one figure as a number instead."""

    width: float
    height: float
    points: str
    dots: list[Dot]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    left: float
    right: float
    bottom: float

    @property
    def drawable(self) -> bool:
        return len(self.dots) >= 2

    @property
    def label_x(self) -> float:
        """Where the value labels end, just left of the plot."""
        return self.left - 6

    @property
    def latest(self) -> Dot | None:
        return self.dots[-1] if self.dots else None


def line_chart(
    values: Sequence[float | None], *, days: Sequence[date], width: float, height: float, top: float = 1.0
) -> LineChart:
    """Geometry of `values` (0 to `top`, one per day, oldest first) across `width` × `height`,
    0 at the bottom. A missing value leaves no point: the line joins its neighbours."""
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top_y, bottom = MARGIN_TOP, height - MARGIN_BOTTOM
    step = (right - left) / (len(values) - 1) if len(values) > 1 else 0.0

    def y_of(value: float) -> float:
        share = min(max(value / top, 0.0), 1.0) if top else 0.0
        return round(bottom - share * (bottom - top_y), 1)

    dots = [
        Dot(x=round(left + index * step, 1), y=y_of(value), day=days[index], value=value)
        for index, value in enumerate(values)
        if value is not None
    ]
    x_ticks = [Tick(at=dots[0].x, label=dots[0].day), Tick(at=dots[-1].x, label=dots[-1].day)] if dots else []
    return LineChart(
        width=width,
        height=height,
        points=" ".join(f"{dot.x:.1f},{dot.y:.1f}" for dot in dots),
        dots=dots,
        y_ticks=[Tick(at=y_of(share * top), label=f"{share * top:g}") for share in Y_TICKS],
        x_ticks=x_ticks,
        left=left,
        right=right,
        bottom=bottom,
    )


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
