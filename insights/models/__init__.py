"""The insights app's models, by topic: play history, snapshots and insights."""

from insights.models.history import GapReason, HistoryGap, HistoryState, Play
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
    "ListeningSnapshot",
    "Play",
    "TimeRange",
]
