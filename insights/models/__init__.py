"""The insights app's models, by topic: play history, asked-for ingests, snapshots and insights."""

from insights.models.history import GapReason, HistoryGap, HistoryState, Play
from insights.models.ingests import ListeningIngest
from insights.models.snapshots import (
    GeneratedInsight,
    InsightKind,
    InsightTone,
    ListeningSnapshot,
    TimeRange,
)

__all__ = [
    "GapReason",
    "GeneratedInsight",
    "HistoryGap",
    "HistoryState",
    "InsightKind",
    "InsightTone",
    "ListeningIngest",
    "ListeningSnapshot",
    "Play",
    "TimeRange",
]
