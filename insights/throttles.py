"""How often a listener may have their listening read, insights written and exports uploaded
(THROTTLE_RATES "ingest", "insights" and "history_uploads"). Asking for an insight and regenerating one share a count; a written
insight also waits INSIGHT_REGENERATE_COOLDOWN before it is written again
(insights.services.insight_writer), whatever is left of the count."""

from __future__ import annotations

from core.throttles import ListenerThrottle


class IngestThrottle(ListenerThrottle):
    scope = "ingest"
    asked = (
        "asked to read your listening from Spotify once",
        "asked to read your listening from Spotify {count} times",
    )


class HistoryUploadThrottle(ListenerThrottle):
    """Each upload of a privacy export is stored and read in full: a few a day is plenty for a
    listener (an interrupted import resumes by itself; the same export again adds nothing)."""

    scope = "history_uploads"
    asked = ("uploaded an export of your history", "uploaded {count} exports of your history")


class InsightThrottle(ListenerThrottle):
    scope = "insights"
    asked = ("asked for an insight to be written", "asked for {count} insights to be written")
