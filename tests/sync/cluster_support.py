"""Shared by the tests that run a real `qcluster`: a signed-in listener, and waiting for an event."""

from __future__ import annotations

import time
from collections.abc import Callable

from accounts.credentials import store_spotify_grant
from accounts.models import User
from sync.models import SyncEvent
from tests.accounts.factories import UserFactory
from tests.fixtures.cluster import Cluster


def signed_in(sandbox, spotify_user: str) -> User:
    """A listener whose stored tokens are real sandbox tokens, as after a sign-in."""
    user = UserFactory(username=f"{spotify_user}_listener")
    reconnect(sandbox, user, spotify_user)
    return user


def reconnect(sandbox, user: User, spotify_user: str = "demo") -> None:
    """A (new) sign-in: a fresh sandbox grant stored for `user`, as the allauth adapter does."""
    grant = sandbox.issue_token(user=spotify_user)
    store_spotify_grant(user=user, grant=grant, spotify_user_id=spotify_user)


def wait_for(
    event_id: int,
    done: Callable[[SyncEvent], bool],
    *,
    clusters: list[Cluster],
    timeout: float = 120,
    model: type = SyncEvent,
) -> SyncEvent:
    """Wait until the run `event_id` (an import; `model=RouteRun` for a route run) is `done`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = model.objects.get(pk=event_id)
        if done(event):
            return event
        time.sleep(0.1)
    logs = "\n".join(cluster.log()[-4000:] for cluster in clusters)
    raise AssertionError(f"event #{event_id} never got there; it is {event.status} {event.error!r}\n{logs}")
