"""Reads of insights data, by topic; personal data is always scoped to a user."""

from insights.selectors.history import (
    HistoryDay,
    HistoryRow,
    PlaySpan,
    gaps_around,
    get_history_state,
    history_days,
    list_plays,
    play_counts,
    play_span,
)
from insights.selectors.history_imports import (
    get_history_import,
    latest_history_import,
    latest_track_lookup,
    list_history_imports,
)
from insights.selectors.insights import InsightCard, get_insight, insight_cards, list_insights, own_snapshot
from insights.selectors.snapshots import (
    CatalogArtist,
    catalog_artists,
    latest_snapshots,
    snapshot_trend,
    snapshots_of,
)

__all__ = [
    # history
    "HistoryDay",
    "HistoryRow",
    "gaps_around",
    "get_history_state",
    "history_days",
    "list_plays",
    "PlaySpan",
    "play_counts",
    "play_span",
    # history imports
    "get_history_import",
    "latest_history_import",
    "latest_track_lookup",
    "list_history_imports",
    # generated insights
    "InsightCard",
    "get_insight",
    "insight_cards",
    "list_insights",
    "own_snapshot",
    # snapshots
    "CatalogArtist",
    "catalog_artists",
    "latest_snapshots",
    "snapshot_trend",
    "snapshots_of",
]
