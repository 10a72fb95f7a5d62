"""The insights app's models, by topic: song analyses, play history, snapshots and insights, job records."""

from insights.models.analysis import (
    ACTIVE_BATCH_STATUSES,
    AnalysisBatch,
    AnalysisBatchTrack,
    AnalysisClaim,
    BatchStatus,
    Lyrics,
    LyricsStatus,
    SongAnalysis,
)
from insights.models.history import GapReason, HistoryGap, HistoryState, Play
from insights.models.jobs import JobRecord, JobStatus
from insights.models.snapshots import (
    GeneratedInsight,
    InsightKind,
    InsightStatus,
    InsightTone,
    ListeningSnapshot,
    TimeRange,
)

__all__ = [
    "ACTIVE_BATCH_STATUSES",
    "AnalysisBatch",
    "AnalysisBatchTrack",
    "AnalysisClaim",
    "BatchStatus",
    "GapReason",
    "GeneratedInsight",
    "HistoryGap",
    "HistoryState",
    "InsightKind",
    "InsightStatus",
    "InsightTone",
    "JobRecord",
    "JobStatus",
    "ListeningSnapshot",
    "Lyrics",
    "LyricsStatus",
    "Play",
    "SongAnalysis",
    "TimeRange",
]
