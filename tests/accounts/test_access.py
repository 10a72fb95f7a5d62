"""Recognising Spotify's allowlist refusal among the 403s it sends."""

from __future__ import annotations

import pytest

from accounts.access import is_not_allowlisted

SAID = "User not registered in the Developer Dashboard"


@pytest.mark.parametrize(
    ("status", "body", "text", "expected"),
    [
        (403, None, SAID, True),  # as Spotify really sends it: plain text
        (403, None, SAID + ".\n", True),
        (403, {"error": {"status": 403, "message": SAID}}, "", True),  # should it ever send JSON
        (403, {"error": {"status": 403, "message": "Forbidden"}}, '{"error": ...}', False),  # not yours
        (403, {"error": {"status": 403, "message": "Insufficient client scope"}}, "", False),
        (403, None, "", False),
        (401, None, SAID, False),
    ],
)
def test_only_the_allowlist_refusal_is_recognised(status, body, text, expected):
    assert is_not_allowlisted(status=status, body=body, text=text) is expected
