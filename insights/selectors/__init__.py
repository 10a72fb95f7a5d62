"""Reads of insights data, by topic; personal data is always scoped to a user."""

from insights.selectors.analysis import (
    FLAGGED,
    PlaylistAnalysisSummary,
    SongPage,
    analyses_by_track,
    analysis_facts,
    get_song,
    playlist_summary,
    playlist_tracks_with_analyses,
)

__all__ = [
    "FLAGGED",
    "PlaylistAnalysisSummary",
    "SongPage",
    "analyses_by_track",
    "analysis_facts",
    "get_song",
    "playlist_summary",
    "playlist_tracks_with_analyses",
]
