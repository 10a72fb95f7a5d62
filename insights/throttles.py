"""How often a listener may have their listening read and insights written (THROTTLE_RATES
"ingest" and "insights"). Asking for an insight and regenerating one share a count; a written
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


class InsightThrottle(ListenerThrottle):
    scope = "insights"
    asked = ("asked for an insight to be written", "asked for {count} insights to be written")
