"""How many exports a listener may download: each streams their whole library, history or set of
analyses from the database, so a loop asking for them would take the database from everyone."""

from __future__ import annotations

from core.throttles import ListenerThrottle


class ExportThrottle(ListenerThrottle):
    scope = "exports"
    asked = ("downloaded an export", "downloaded {count} exports")
    counts_reads = True
