"""How often a listener may start routes and ask for previews (THROTTLE_RATES "routes" and
"previews"), over all their bases. A route, its retry and a restore each write to Spotify, so
they share one count; the filter editor's live preview has its own."""

from __future__ import annotations

from core.throttles import ListenerThrottle


class RouteThrottle(ListenerThrottle):
    scope = "routes"
    asked = ("asked for a route or restore", "asked for {count} routes or restores")


class PreviewThrottle(ListenerThrottle):
    scope = "previews"
    asked = ("asked for a preview", "asked for {count} previews")
