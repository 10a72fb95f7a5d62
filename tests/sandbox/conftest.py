"""Small helpers for talking to the live sandbox as a signed-in user."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.fixtures.sandbox import SandboxServer


class Api:
    """A Web API client for one access token, with paths relative to /v1 or absolute URLs."""

    def __init__(self, *, api_url: str, token: str) -> None:
        self.api_url = api_url
        self.token = token

    def request(
        self, method: str, path: str, *, params: dict | None = None, json: Any = None
    ) -> requests.Response:
        url = path if path.startswith("http") else f"{self.api_url}{path}"
        headers = {"Authorization": f"Bearer {self.token}"}
        return requests.request(method, url, params=params, json=json, headers=headers, timeout=10)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.request("GET", path, params=params or None)


def playlists_of(sandbox: SandboxServer, user: str) -> dict[str, list[str]]:
    """Owned, followed and collaborative playlist ids of a user, from the control API."""
    return next(u for u in sandbox.control("GET", "users")["users"] if u["id"] == user)


@pytest.fixture
def demo(sandbox: SandboxServer) -> Api:
    return Api(api_url=sandbox.api_url, token=sandbox.issue_token(user="demo")["access_token"])


@pytest.fixture
def other(sandbox: SandboxServer) -> Api:
    return Api(api_url=sandbox.api_url, token=sandbox.issue_token(user="other")["access_token"])


@pytest.fixture
def extended(sandbox: SandboxServer) -> SandboxServer:
    sandbox.configure(mode="extended")
    return sandbox
