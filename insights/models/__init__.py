"""The insights app's models, by topic: play history, its imports from the privacy export, asked-for ingests, snapshots and insights."""

from insights.models.history import GapReason, HistoryGap, HistoryState, Play, PlaySource, UnmatchedPlay
from insights.models.history_imports import HistoryImport
from insights.models.ingests import ListeningIngest
from insights.models.track_lookups import TrackLookup
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
    "HistoryImport",
    "HistoryState",
    "InsightKind",
    "InsightTone",
    "ListeningIngest",
    "ListeningSnapshot",
    "Play",
    "PlaySource",
    "TimeRange",
    "TrackLookup",
    "UnmatchedPlay",
]
