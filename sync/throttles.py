"""How often a listener may ask for an import (THROTTLE_RATES "imports"): "Sync now", its API
and the retries of either count together. One import at a time is the database's rule
(sync.services.triggers); this caps how many follow each other."""

from __future__ import annotations

from core.throttles import ListenerThrottle


class ImportThrottle(ListenerThrottle):
    scope = "imports"
    asked = ("asked for an import", "asked for {count} imports")
