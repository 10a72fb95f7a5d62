"""What the routing pages show, in words: filters, route runs, estimates, the overview; and the
reads behind them. Kept apart from the views so the views stay a few lines each and these
sentences can be tested on their own."""

from routing.display.filters import (
    artist_names,
    describe_artist_coverage,
    describe_filters,
    describe_genre_sources,
    filter_artist_ids,
)
from routing.display.overview import base_candidates, base_card, base_cards, editor_choices
from routing.display.runs import describe_estimate, describe_route, describe_run, run_history

__all__ = [
    "artist_names",
    "base_candidates",
    "base_card",
    "base_cards",
    "describe_artist_coverage",
    "describe_estimate",
    "describe_filters",
    "describe_genre_sources",
    "describe_route",
    "describe_run",
    "editor_choices",
    "filter_artist_ids",
    "run_history",
]
