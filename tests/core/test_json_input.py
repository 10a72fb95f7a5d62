"""Reading JSON a client sends (core.json_input): the limits, the messages, and that every API
route refuses a deep or large body with a 400, never a 500. Each app's own tests check that a
refused body left its data as it was (devices, routing, sync, insights)."""

from __future__ import annotations

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from core import queues
from core.json_input import JsonInputError, JsonLimits, deeper_than, parse_json
from core.runs import RunStatus
from routing.models import RouteRun, RouteRunKind
from tests.accounts.factories import UserFactory
from tests.library.factories import PlaylistFactory
from tests.insights.factories import GeneratedInsightFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory, RouteRunFactory
from tests.support.queue import FakeQueue
from tests.sync.factories import SyncEventFactory

DEEP = 10_000
DEEP_ARRAYS = "[" * DEEP + "]" * DEEP
DEEP_OBJECTS = '{"a":' * DEEP + "1" + "}" * DEEP
LIMITS = JsonLimits(max_depth=32, max_bytes=1024 * 1024)


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


# --- parse_json ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [DEEP_ARRAYS, DEEP_OBJECTS, nested(33)], ids=["arrays", "objects", "33"])
def test_json_nested_past_the_depth_limit_is_refused_with_a_sentence_not_a_recursion_error(text):
    with pytest.raises(JsonInputError) as refused:
        parse_json(text, limits=LIMITS)

    assert str(refused.value) == (
        "This JSON is nested more than 32 levels deep (arrays and objects); the limit is 32."
    )


def test_json_exactly_at_the_depth_limit_is_read():
    assert parse_json(nested(32), limits=LIMITS) == json.loads(nested(32))


def test_brackets_inside_strings_do_not_count_escaped_quotes_included():
    text = json.dumps({"title": "[[[[ {{{{ \\\" [[[[" * 20, "items": [[["ok"]]]})

    assert not deeper_than(text, 4)
    assert parse_json(text, limits=JsonLimits(max_depth=4, max_bytes=10_000))["items"] == [[["ok"]]]


@pytest.mark.parametrize(
    ("text", "deeper"),
    [
        ('["[[[[[', False),  # a string never closed: its brackets are in it
        ('[[[[[["', True),  # five levels before the string starts
        ('["\\\\", [[[[[]]]]]]', True),  # an escaped backslash ends no string: the brackets count
        ('["\\"[[[[[[", 1]', False),  # an escaped quote ends no string: these brackets are in it
        ('[],' * 40 + '"' + '\\"' * 200, False),  # the reviewer's slow input: an unclosed string
    ],
    ids=["unclosed-string", "deep-then-string", "escaped-backslash", "escaped-quote", "many-escapes"],
)
def test_the_depth_scan_follows_strings_and_escapes(text, deeper):
    assert deeper_than(text, 4) is deeper


def test_a_document_over_the_size_limit_is_refused_with_its_size_and_the_limit():
    text = json.dumps(["x" * 600])

    with pytest.raises(JsonInputError) as refused:
        parse_json(text, limits=JsonLimits(max_depth=32, max_bytes=512), what="The filters")

    assert str(refused.value) == f"The filters is {len(text):,} bytes; the limit is 512 bytes (512 bytes)."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": ', "JSON parse error - Expecting value at line 1, column 7."),
        ('{"volume": NaN}', "JSON parse error - NaN is not a JSON value."),
        ("[Infinity]", "JSON parse error - Infinity is not a JSON value."),
        ("9" * 5000, "JSON parse error - Exceeds the limit (4300 digits)"),
    ],
    ids=["malformed", "nan", "infinity", "huge-integer"],
)
def test_what_is_not_json_is_refused_with_the_reason(text, message):
    with pytest.raises(JsonInputError) as refused:
        parse_json(text, limits=LIMITS)

    assert str(refused.value).startswith(message)


# --- the API's parser ---------------------------------------------------------------------------
class Echo(APIView):
    """Any view with the default parsers: answers what it read."""

    authentication_classes: list = []
    permission_classes: list = []

    def post(self, request):
        return Response({"read": request.data})


class BigEcho(Echo):
    json_max_bytes = 2 * 1024 * 1024
    json_too_large_hint = "Send less."


def post(view: type[APIView], body: str | bytes, **extra):
    request = APIRequestFactory().generic("POST", "/echo", body, content_type="application/json", **extra)
    response = view.as_view()(request)
    response.render()
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["arrays", "objects"])
def test_the_default_parser_answers_a_deep_body_400_with_a_detail(body):
    assert post(Echo, body) == (
        400,
        {"detail": "The request body is nested more than 32 levels deep (arrays and objects); the limit is 32."},
    )


def test_the_default_parser_refuses_a_body_over_one_megabyte_by_its_declared_length_unread():
    body = '{"a": []}'.ljust(1024 * 1024 + 1)

    assert post(Echo, body) == (
        400,
        {"detail": "Request body is 1,048,577 bytes; the limit is 1,048,576 bytes (1 MB)."},
    )


def test_a_body_its_charset_cannot_decode_is_a_400_whatever_the_codec_raises():
    # punycode raises a plain UnicodeError, not a UnicodeDecodeError.
    request = APIRequestFactory().generic("POST", "/echo", b"{}", content_type="application/json; charset=punycode")
    response = Echo.as_view()(request)
    response.render()

    assert response.status_code == 400
    assert json.loads(response.content)["detail"].startswith("JSON parse error - the body is not valid punycode")


def test_a_body_without_a_declared_length_is_read_only_to_the_limit():
    body = '{"a": []}'.ljust(1024 * 1024 + 10)
    request = APIRequestFactory().generic("POST", "/echo", body, content_type="application/json")
    # No CONTENT_LENGTH for the parser to check (DRF still streams the body, going by the header).
    request.META["HTTP_CONTENT_LENGTH"] = request.META.pop("CONTENT_LENGTH")

    response = Echo.as_view()(request)

    assert response.status_code == 400 and "the limit is 1,048,576 bytes" in response.data["detail"]


def test_a_view_may_raise_its_body_limit_and_add_a_hint():
    fits = '{"a": []}'.ljust(2 * 1024 * 1024)

    assert post(BigEcho, fits) == (200, {"read": {"a": []}})
    status, body = post(BigEcho, fits + " ")
    assert (status, body["detail"]) == (
        400, "Request body is 2,097,153 bytes; the limit is 2,097,152 bytes (2 MB). Send less.",
    )  # fmt: skip


def test_a_normal_body_is_read_as_before_and_malformed_json_keeps_drfs_prefix():
    assert post(Echo, json.dumps({"filters": {"match": "all", "conditions": []}})) == (
        200,
        {"read": {"filters": {"match": "all", "conditions": []}}},
    )
    status, body = post(Echo, '{"a": [')
    assert status == 400 and body["detail"].startswith("JSON parse error - Expecting value")


def test_a_body_that_is_not_utf8_is_a_parse_error():
    status, body = post(Echo, b'{"a": "\xff"}')

    assert status == 400 and body["detail"].startswith("JSON parse error - the body is not valid utf-8")


# --- every API route ----------------------------------------------------------------------------
def _api_routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), getattr(pattern.callback, "cls", None)

    for route, view in walk(get_resolver().url_patterns):
        if route.startswith("api/") and view is not None:
            for method in ("post", "put", "patch"):
                if hasattr(view, method):
                    yield pytest.param(method, route, id=f"{method} /{route}")


@pytest.fixture
def staff_with_one_of_everything(monkeypatch):
    """A staff user with every permission (staff routes read their body too) owning a base, a
    child, a route run, an import and an insight, so routes about one object reach their body
    rather than a 404. Whatever a route queues goes nowhere."""
    monkeypatch.setattr(queues, "async_task", FakeQueue())
    owner = UserFactory(is_staff=True, is_superuser=True)
    base = BasePlaylistFactory(user=owner)
    import_ = SyncEventFactory(user=owner)
    run = RouteRunFactory(base=base)  # one active run per base
    ids = {
        "base-playlists/<int:pk>": base.pk,
        "<int:run_id>": run.pk,
        "child-playlists/<int:pk>": ChildPlaylistFactory(base=base).pk,
        "insights/<int:pk>": GeneratedInsightFactory(user=owner).pk,
        "sync-events/<int:pk>/retry": import_.pk,
        "sync-events/<int:pk>/cancel": import_.pk,
        "sync-events/<int:pk>": run.pk,  # the deprecated paths of route runs
        "library/playlists/<int:pk>": PlaylistFactory(user=owner).pk,
        "duplicate-removals/<int:pk>": RouteRun.objects.create(
            kind=RouteRunKind.DEDUPE, user=owner, base_name="Mine", target_spotify_id="mine", status=RunStatus.SUCCEEDED
        ).pk,
    }
    return owner, ids


def _path(route: str, ids: dict[str, int]) -> str:
    route = route.replace("<id:", "<int:")  # the API's `<id:pk>` converter (core.api_input)
    for pattern, pk in ids.items():
        name = pattern.rsplit("/", 1)[-1] if pattern.startswith("<") else "<int:pk>"
        if pattern in route:
            route = route.replace(pattern, pattern.replace(name, str(pk)))
    return "/" + route


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "route"), list(_api_routes()))
@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["arrays", "objects"])
def test_no_api_route_answers_a_deep_body_with_a_server_error(method, route, body, staff_with_one_of_everything):
    owner, ids = staff_with_one_of_everything
    client = APIClient()
    client.force_authenticate(owner)

    response = getattr(client, method)(_path(route, ids), body, content_type="application/json")

    # Routes that read no body (route, cancel, ...) answer as they would without one.
    assert response.status_code < 500, response.content
    assert response.status_code != 404, "the route did not reach its body"
    if response.status_code == 400:
        assert "nested more than 32 levels deep" in response.json()["detail"]
