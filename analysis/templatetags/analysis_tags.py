"""Analysis badges and summaries for pages other apps render (the playlist page).

A template tag, so `library` keeps importing nothing of `analysis` (the arrow is
analysis → library): the playlist template loads this library instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.conf.locale import LANG_INFO

from analysis import selectors
from analysis.models import Guess, SongAnalysis
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


@register.filter
def guess_label(analysis: SongAnalysis | None) -> str:
    """Why the analysis is a guess ("Guessed from the genre (no lyrics found)"); empty when it
    read lyrics with confidence."""
    reason = analysis.guess if analysis is not None else ""
    return Guess(reason).label if reason else ""


@register.filter
def language_label(code: str | None) -> str:
    """An analysis' language code for a reader: "Spanish (es)"; "No words" for "zxx", "Unknown" for
    "und" (undetermined) or none, the code itself when Django does not name it."""
    if code == "zxx":
        return "No words"
    if not code or code == "und":
        return "Unknown"
    name = LANG_INFO.get(code, {}).get("name")
    return f"{name} ({code})" if name else code
