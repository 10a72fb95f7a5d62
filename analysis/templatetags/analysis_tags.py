"""Analysis badges and summaries for pages other apps render (the playlist page).

A template tag, so `library` keeps importing nothing of `analysis` (the arrow is
analysis → library): the playlist template loads this library instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from analysis import selectors
from analysis.models import SongAnalysis
from analysis.vocabulary import FLAG_LABELS
from library.models import Playlist, PlaylistItem

register = template.Library()


@register.simple_tag
def playlist_analysis(playlist: Playlist) -> selectors.PlaylistAnalysisSummary:
    """`{% playlist_analysis playlist as summary %}`: analysed, flagged and the mood mix."""
    return selectors.playlist_summary(playlist=playlist)


@register.simple_tag
def item_analyses(items: Iterable[PlaylistItem]) -> dict[str, SongAnalysis]:
    """`{% item_analyses page.object_list as analyses %}`: one query for a page of items."""
    return selectors.analyses_by_track(track_ids=(item.track_id for item in items))


@register.filter
def analysis_for(analyses: dict[str, SongAnalysis], track_id: str | None) -> SongAnalysis | None:
    return analyses.get(track_id) if track_id else None


@register.filter
def flag_labels(analysis: SongAnalysis | None) -> str:
    """ "Profanity, Violence" for the flags an analysis raised; empty when none."""
    if analysis is None:
        return ""
    return ", ".join(FLAG_LABELS[name] for name, raised in analysis.flags.items() if raised)
