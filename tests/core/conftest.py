"""A listener and the API as that listener, shared by the core API tests."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory


@pytest.fixture
def listener():
    return UserFactory()


@pytest.fixture
def api(listener) -> APIClient:
    client = APIClient()
    client.force_authenticate(listener)
    return client
