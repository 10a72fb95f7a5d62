"""Every API endpoint refuses anonymous callers; the schema and docs are the only exceptions, and
only where API_DOCS_PUBLIC (the demo and the suite; tests/config/test_api_docs.py checks production)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"api/schema/", "api/docs/", "api/redoc/"}


def _api_routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/") and route not in PUBLIC:
            yield route


def _concrete(route: str) -> str:
    # Fill path converters with a value that matches their type; the object need not exist.
    path = re.sub(r"<(?:int|id):\w+>", "1", route)
    path = re.sub(r"<(?:str|slug|uuid|path):\w+>|<\w+>", "00000000-0000-0000-0000-000000000000", path)
    return "/" + path.lstrip("^").rstrip("$")


API_ROUTES = sorted(set(_api_routes()))


def test_the_api_has_endpoints_to_check():
    assert API_ROUTES, "no API routes found: the access test would check nothing"


@pytest.mark.django_db
@pytest.mark.parametrize("route", API_ROUTES)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_anonymous_callers_are_refused_with_401_by_every_api_endpoint(client, route, method):
    response = getattr(client, method)(_concrete(route), content_type="application/json")

    # 405 means the method does not exist there; anything else must be a refusal.
    assert response.status_code in {401, 405}, (route, method, response.status_code)
    if response.status_code == 401:
        assert "WWW-Authenticate" in response.headers
