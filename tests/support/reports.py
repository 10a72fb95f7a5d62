"""What the test report hook (tests/conftest.py) leaves on each test item for fixtures to read."""

from __future__ import annotations

import pytest

# Whether the test's body failed: a fixture's teardown adds what only it knows (a cluster's log).
CALL_FAILED = pytest.StashKey[bool]()
