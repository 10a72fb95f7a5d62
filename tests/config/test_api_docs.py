from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_the_openapi_schema_is_served_and_names_the_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Linernotes API"
    assert "/api/me/" in schema["paths"]


@pytest.mark.django_db
def test_the_api_docs_page_loads_its_assets_from_this_server_not_a_cdn(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
