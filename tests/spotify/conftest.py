"""The Spotify client's tests share accounts' sandbox helpers: a credential holding real
sandbox tokens is an accounts row, whoever uses it."""

from tests.accounts.conftest import browser, demo_credential  # noqa: F401  (fixtures)
