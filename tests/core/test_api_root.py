"""GET /api/: directions instead of a 404 (the dashboard links it): the docs, the schema and the
main collections, in JSON for scripts and as DRF's browsable page for a browser. Unknown paths under
/api/ stay JSON 404s; anonymous callers get the API's 401."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.accounts.factories import api_token_secret

pytestmark = pytest.mark.django_db


def test_the_root_links_the_docs_the_schema_and_collections_that_answer(api):
    response = api.get("/api/")

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["docs"] == "http://testserver/api/docs/"
    assert body["redoc"] == "http://testserver/api/redoc/"
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["endpoints"]["playlists"] == "http://testserver/api/library/playlists/"
    for name, url in body["endpoints"].items():
        assert api.get(url).status_code == 200, name
    assert api.get(body["docs"]).status_code == 200


def test_a_script_with_an_api_token_reads_the_root(listener):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_secret(listener)}")

    assert client.get("/api/").json()["docs"].endswith("/api/docs/")


def test_a_browser_gets_the_browsable_root_with_its_links(client, listener):
    client.force_login(listener)

    response = client.get("/api/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "http://testserver/api/docs/" in response.content.decode()


def test_anonymous_callers_get_the_apis_json_401():
    response = APIClient().get("/api/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json" and "detail" in response.json()


@pytest.mark.parametrize("path", ["/api/nope", "/api/nope/", "/api//", "/api/docs/nope"])
def test_unknown_paths_under_the_api_stay_json_404s(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found: no such address in this API."}


def test_the_schema_documents_the_root():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    operation = schema["paths"]["/api/"]["get"]
    assert operation["operationId"] == "api_root"
    assert {"200", "401"} <= set(operation["responses"])
