"""Shared by the sync tests: an ear on import_completed, and an import sliced into turns (the fake
queue is tests/conftest.py's)."""

from __future__ import annotations

import pytest

from sync.signals import import_completed




@pytest.fixture
def heard():
    """What a listener of sync.signals.import_completed connected for the test hears."""
    calls: list[dict] = []

    def listener(sender, **kwargs) -> None:
        calls.append({"sender": sender, **kwargs})

    import_completed.connect(listener, dispatch_uid="test.heard")
    yield calls
    import_completed.disconnect(dispatch_uid="test.heard")


@pytest.fixture
def sliced(sandbox, settings):
    """Development mode, four read-ahead threads, and an import's turn over after every playlist
    while another listener waits (IMPORT_TURN_SECONDS=0)."""
    from tests.sync.import_support import set_mode

    set_mode(sandbox, settings, "development")
    settings.SPOTIFY_FETCH_CONCURRENCY = 4
    settings.IMPORT_TURN_SECONDS = 0
    return settings
