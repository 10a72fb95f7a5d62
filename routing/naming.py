"""A route run as the listener knows it: by when it was made ("the route of 6 Dec 2026, 06:37").
Its number is the database's, meaningless to them; staff pages and the admin keep it. Apart from
routing.display so the services' refusals, which pages show as they are, can name runs too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from routing.models import RouteRun


def run_name(run: RouteRun | None, *, kind: str = "") -> str:
    """ "the route of 6 Dec 2026, 06:37"; `kind` ("route", "restore") overrides the run's own."""
    if run is None:
        return f"an earlier {kind or 'run'}"
    made = timezone.localtime(run.created_at)
    return f"the {kind or run.get_kind_display().lower()} of {made.day} {made:%b %Y, %H:%M}"


def first_up(text: str) -> str:
    """The sentence's first letter up; not str.capitalize(), which would lower "Dec"."""
    return text[:1].upper() + text[1:]
