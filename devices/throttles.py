"""How often a listener's devices may merge their library (THROTTLE_RATES "device_sync"): a sync
and a one-collection PUT do the same merge, so they share one count. Session pings and "what
changed" reads are not counted: clients are asked to make them every few minutes."""

from __future__ import annotations

from core.throttles import ListenerThrottle


class DeviceSyncThrottle(ListenerThrottle):
    scope = "device_sync"
    asked = ("synced your library from a device once", "synced your library from your devices {count} times")
