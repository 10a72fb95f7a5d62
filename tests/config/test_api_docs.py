from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory
from tests.support.processes import project_env, run_python


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


# --- who may read them: signed-in callers in production, anyone in the demo --------------------------
SCHEMA = "/api/schema/"
PAGES = ["/api/docs/", "/api/redoc/"]


@pytest.mark.django_db
def test_in_production_an_anonymous_caller_gets_401_for_the_schema_and_is_sent_to_sign_in_by_the_pages(
    client, settings
):
    settings.API_DOCS_PUBLIC = False

    schema = client.get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert schema.status_code == 401 and "paths" not in schema.content.decode()
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == f"/?next={page}"


@pytest.mark.django_db
def test_in_production_a_signed_in_listener_reads_the_schema_and_the_pages(client, settings):
    settings.API_DOCS_PUBLIC = False
    client.force_login(UserFactory())

    schema = client.get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert schema.status_code == 200 and "/api/me/" in schema.json()["paths"]
    assert all(client.get(page).status_code == 200 for page in PAGES)


@pytest.mark.django_db
def test_in_production_a_script_with_credentials_reads_the_schema(settings):
    settings.API_DOCS_PUBLIC = False
    api = APIClient()
    api.force_authenticate(UserFactory())

    assert api.get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 200


@pytest.mark.django_db
def test_in_the_demo_anyone_reads_the_schema_and_the_pages(client, settings):
    settings.API_DOCS_PUBLIC = True

    assert client.get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 200
    assert all(client.get(page).status_code == 200 for page in PAGES)


@pytest.mark.parametrize(("module", "public"), [("config.settings.production", "False"), ("config.settings.dev", "True")])
def test_the_docs_are_private_by_default_in_production_and_public_in_the_demo(module, public):
    environment = project_env(
        DJANGO_SETTINGS_MODULE=module,
        ENV_FILE="/nonexistent",
        DEBUG=None,
        API_DOCS_PUBLIC=None,
        SECRET_KEY="x7#kq-production-like-secret-key-with-enough-entropy-9f2c1d8e7b6a5",
        FIELD_ENCRYPTION_KEYS="dGVzdC1rZXktb25lLTAwMDAwMDAwMDAwMDAwMDAwMDA=",
    )
    completed = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.API_DOCS_PUBLIC)",
        env=environment,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == public
