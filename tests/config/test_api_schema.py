"""The OpenAPI schema says what the server does: every path parameter is in its path, every
status an operation can answer is listed with a JSON body, and the rules the server applies to
input are in the request schemas. scripts/fuzz_api.py checks the running server against it."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def component(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_every_path_parameter_is_in_its_path_and_every_placeholder_is_declared(schema):
    for path, method, operation in operations(schema):
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), (method, path, declared)


def test_every_operation_lists_401_and_every_error_answer_has_the_json_error_body(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert "401" in responses, (method, path)
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                assert "application/json" in response["content"], (method, path, code)


def test_ids_in_paths_are_bounded_integers(schema):
    item = schema["paths"]["/api/insights/{id}"]["get"]
    (parameter,) = item["parameters"]
    assert parameter["schema"] == {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        ("/api/library/import/", "post", {"400", "415", "429"}),  # a body, the imports limit
        ("/api/insights/{id}/regenerate", "post", {"404", "429"}),  # the cooldown and the limit
        ("/api/insights/", "get", {"400", "404"}),  # filters; a page past the last
        ("/api/base-playlists/", "get", {"400", "404"}),  # page numbers
        ("/api/llm/force-provider", "post", {"403"}),  # staff only
        ("/api/me/tokens/", "post", {"400"}),
    ],
)
def test_shared_answers_are_listed_where_the_server_can_give_them(schema, path, method, codes):
    assert codes <= set(schema["paths"][path][method]["responses"])


def test_a_list_without_pages_or_filters_lists_no_400(schema):
    assert "400" not in schema["paths"]["/api/filter-fields/"]["get"]["responses"]


def test_page_numbers_start_at_1(schema):
    parameters = schema["paths"]["/api/sync-events/"]["get"]["parameters"]
    page = next(p for p in parameters if p["name"] == "page")
    assert page["schema"]["minimum"] == 1


def test_images_are_nullable_uris(schema):
    for name in ("Playlist", "AlbumRef"):
        image = schema["components"]["schemas"][name]["properties"]["image_url"]
        assert (image["format"], image["nullable"]) == ("uri", True), name


def test_request_schemas_refuse_blank_strings_where_the_server_does(schema):
    ping = schema["components"]["schemas"]["SessionPingRequest"]["properties"]
    child = schema["components"]["schemas"]["ChildCreateRequest"]["properties"]
    assert ping["session_id"]["minLength"] == 1 and ping["device"]["minLength"] == 1
    assert child["name"]["minLength"] == 1 and child["spotify_id"]["pattern"] == "^[A-Za-z0-9]{1,64}$"
    # DRF strips spaces before its blank check, and refuses NUL in any string.
    not_blank = re.compile(ping["device"]["pattern"])
    assert not not_blank.search("   ") and not not_blank.search("a\x00") and not_blank.search(" Kitchen ")
    assert child["name"]["pattern"] == ping["device"]["pattern"]


def test_device_requests_refuse_unknown_keys_and_say_the_future_limit(schema):
    favorite = schema["components"]["schemas"]["DeviceFavoriteRequest"]
    assert favorite["additionalProperties"] is False
    assert "5 minutes ahead" in favorite["properties"]["added_at"]["description"]


# A file is uploaded as multipart; every other body is JSON.
UPLOADS = {("post", "/api/history/imports/")}


def test_the_api_reads_json_bodies_only(schema):
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            expected = {"multipart/form-data"} if (method, path) in UPLOADS else {"application/json"}
            assert set(operation["requestBody"]["content"]) == expected, (method, path)


def test_every_write_lists_the_403_a_session_request_without_its_csrf_token_gets(schema):
    for path, method, operation in operations(schema):
        if method != "get":
            assert "403" in operation["responses"], (method, path)
    assert "CSRF" in schema["paths"]["/api/library/import/"]["post"]["responses"]["403"]["description"]
    assert "staff" in schema["paths"]["/api/llm/force-provider"]["post"]["responses"]["403"]["description"]
