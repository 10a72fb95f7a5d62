"""What the routing pages show, in words: filters, route runs, estimates, the overview; and the
reads behind them. Kept apart from the views so the views stay a few lines each and these
sentences can be tested on their own."""

from routing.display.filters import (
    artist_names,
    describe_artist_coverage,
    describe_filters,
    describe_genre_sources,
    describe_unroutable_items,
    filter_artist_ids,
)
from routing.display.overview import (
    NO_CHILDREN_TO_ROUTE,
    base_candidates,
    base_card,
    base_cards,
    editor_choices,
    why_not_routable,
)
from routing.display.runs import (
    counted,
    describe_estimate,
    describe_estimate_figures,
    describe_overtaken_action,
    describe_overtaken_busy,
    describe_route,
    describe_run,
    describe_trigger,
    run_history,
    run_name,
)

__all__ = [
    "NO_CHILDREN_TO_ROUTE",
    "artist_names",
    "base_candidates",
    "base_card",
    "base_cards",
    "counted",
    "describe_artist_coverage",
    "describe_estimate",
    "describe_estimate_figures",
    "describe_overtaken_action",
    "describe_overtaken_busy",
    "describe_filters",
    "describe_genre_sources",
    "describe_route",
    "describe_run",
    "describe_trigger",
    "describe_unroutable_items",
    "editor_choices",
    "filter_artist_ids",
    "run_history",
    "run_name",
    "why_not_routable",
]
