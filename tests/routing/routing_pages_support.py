"""Shared by the smart-playlist page tests: a listener's base with two children, the pages'
actions as a table (every URL, method and a valid body), and a snapshot of the set-up to
prove a refused request changed nothing."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from library.models import Playlist
from routing.models import BasePlaylist, ChildPlaylist, RouteRun

from core.runs import RunStatus
from tests.accounts.factories import SpotifyCredentialFactory
from tests.library.factories import PlaylistFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.routing.factories import RouteRunFactory

LISTENER = "listener-on-spotify"
GENRES = {"match": "all", "conditions": [{"field": "genre", "op": "any_of", "value": ["rock", "indie"]}]}
NOT_EXPLICIT_JSON = '{"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": false}]}'


@dataclass
class Setup:
    listener: User
    base: BasePlaylist
    chill: ChildPlaylist
    loud: ChildPlaylist
    owned: Playlist  # a playlist the listener owns, free to become a child
    candidate: Playlist  # a readable playlist of the listener, free to become a base
    failed: RouteRun  # a failed route of the base, retryable

    def ids(self) -> dict[str, int]:
        return {
            "base": self.base.pk,
            "child": self.chill.pk,
            "run": self.failed.pk,
            "owned": self.owned.pk,
            "candidate": self.candidate.pk,
        }


def route_event(base: BasePlaylist, status: str = RunStatus.QUEUED, **fields: Any) -> RouteRun:
    return RouteRunFactory(base=base, status=status, **fields)


def make_setup() -> Setup:
    """Each page test module wraps this in its `setup` fixture."""
    listener = SpotifyCredentialFactory(spotify_user_id=LISTENER).user
    base = BasePlaylistFactory(
        user=listener,
        playlist__name="Everything",
        playlist__owner_spotify_id=LISTENER,
        playlist__track_count=120,
    )
    return Setup(
        listener=listener,
        base=base,
        chill=ChildPlaylistFactory(base=base, name="Chill", filters=GENRES),
        loud=ChildPlaylistFactory(base=base, name="Loud"),
        owned=PlaylistFactory(user=listener, name="Clean cuts", owner_spotify_id=LISTENER),
        candidate=PlaylistFactory(user=listener, name="Road trip", owner_spotify_id=LISTENER),
        failed=route_event(
            base, RunStatus.FAILED, error="Could not write to “Loud”: Spotify answered HTTP 502."
        ),
    )


# Every page and action: (method, URL, body); {base}, {child}, … are Setup.ids().
ACTIONS: dict[str, tuple[str, str, dict[str, str] | None]] = {
    "overview": ("get", "/routing/", None),
    "make base": ("post", "/routing/bases/new/", {"playlist": "{candidate}", "first_match_only": "on"}),
    "base page": ("get", "/routing/{base}/", None),
    "options": ("post", "/routing/{base}/options/", {"first_match_only": "on"}),
    "sync": ("post", "/routing/{base}/route/", {}),
    "delete confirmation": ("get", "/routing/{base}/delete/", None),
    "delete base": ("post", "/routing/{base}/delete/", {}),
    "add child": ("post", "/routing/{base}/children/new/", {"playlist": "{owned}", "mode": "rebuild"}),
    "new child": (
        "post",
        "/routing/{base}/children/new/",
        {"playlist": "", "new_name": "Fresh", "mode": "rebuild"},
    ),
    "editor": ("get", "/routing/children/{child}/", None),
    "why a track": ("get", "/routing/{base}/why/", None),
    "save child": (
        "post",
        "/routing/children/{child}/",
        {"name": "Chill out", "mode": "add_only", "filters": NOT_EXPLICIT_JSON},
    ),
    "move": ("post", "/routing/children/{child}/move/", {"direction": "down"}),
    "detach": ("post", "/routing/children/{child}/delete/", {}),
    "retry": ("post", "/routing/runs/{run}/retry/", {}),
}
# What changes a base's set-up: refused with 409 while a route of the base is queued or running.
PROTECTED = ["options", "delete base", "add child", "new child", "save child", "move", "detach"]


def fill(text: str, ids: dict[str, int]) -> str:
    for name, value in ids.items():  # not str.format: bodies hold JSON braces
        text = text.replace(f"{{{name}}}", str(value))
    return text


def perform(client, action: str, ids: dict[str, int], **options: Any):
    method, url, body = ACTIONS[action]
    filled = {key: fill(value, ids) for key, value in (body or {}).items()}
    return getattr(client, method)(fill(url, ids), filled, **options)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def snapshot(base: BasePlaylist) -> tuple:
    """Everything a set-up POST could change, to compare before and after."""
    return (
        list(BasePlaylist.objects.filter(user=base.user).order_by("pk").values()),
        list(ChildPlaylist.objects.filter(base__user=base.user).order_by("pk").values()),
        RouteRun.objects.filter(user=base.user).count(),
    )
