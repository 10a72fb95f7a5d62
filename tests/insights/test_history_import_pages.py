"""Uploading the privacy export from the history page and the API, and following its import.
Owner, stranger, anonymous."""

from __future__ import annotations

import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from core.runs import RunStatus
from insights.models import HistoryImport
from insights.services.history_import import run_history_import
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.insights.export_factory import AUDIO, extended_row, write_zip

pytestmark = pytest.mark.django_db

API = "/api/history/imports/"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path) -> pathlib.Path:
    settings.HISTORY_IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def owner(queue):
    return SpotifyCredentialFactory(spotify_user_id="listener").user


@pytest.fixture
def export(tmp_path) -> SimpleUploadedFile:
    path = write_zip(tmp_path / "my_spotify_data.zip", {AUDIO: [
        extended_row(ts="2021-03-04T18:00:00Z"), extended_row(ts="2021-03-04T18:10:00Z", ms_played=9_000),
    ]})
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/zip")


def _api(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def test_the_owner_uploads_an_export_through_the_api_and_follows_its_import(owner, export):
    response = _api(owner).post(API, {"file": export}, format="multipart")

    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["original_name"], body["checked"], body["percent"]) == (
        "queued", "my_spotify_data.zip", False, 0
    )
    run_history_import(import_id=body["id"])
    detail = _api(owner).get(f"{API}{body['id']}").json()
    assert (detail["status"], detail["plays_added"], detail["skips"], detail["percent"]) == (
        "succeeded", 2, 1, 100
    )
    assert (detail["checked"], detail["total_rows"]) == (True, 2)
    assert [row["id"] for row in _api(owner).get(API).json()] == [body["id"]]


def test_the_api_refuses_a_file_that_is_not_an_export_with_a_message_on_the_field(owner):
    junk = SimpleUploadedFile("my_spotify_data.zip", b"not a zip at all")

    response = _api(owner).post(API, {"file": junk}, format="multipart")

    assert response.status_code == 400
    assert "neither a zip nor a JSON file" in response.json()["file"][0]
    assert not HistoryImport.objects.exists()


def test_the_api_answers_409_while_another_import_is_under_way(owner, export, tmp_path):
    assert _api(owner).post(API, {"file": export}, format="multipart").status_code == 202
    export.seek(0)

    response = _api(owner).post(API, {"file": export}, format="multipart")

    assert response.status_code == 409 and "under way" in response.json()["detail"]


def test_a_stranger_gets_404_for_another_listeners_import_and_anonymous_401(owner, export):
    run_id = _api(owner).post(API, {"file": export}, format="multipart").json()["id"]
    stranger = UserFactory()

    assert _api(stranger).get(f"{API}{run_id}").status_code == 404
    assert _api(stranger).get(API).json() == []
    assert _api().get(f"{API}{run_id}").status_code == 401
    assert _api().post(API, {}, format="multipart").status_code == 401


def test_the_history_page_uploads_an_export_and_shows_its_progress_card(client, owner, export):
    client.force_login(owner)

    response = client.post("/history/import", {"file": export}, follow=True)

    html = response.content.decode()
    run = HistoryImport.objects.get(user=owner)
    assert run.status == RunStatus.QUEUED
    assert "Your export is being imported" in html
    assert f'data-import-url="/api/history/imports/{run.pk}"' in html and 'data-status="queued"' in html
    assert "Checking the whole file before anything is stored" in html


def test_the_history_page_says_why_a_file_was_refused(client, owner):
    client.force_login(owner)
    junk = SimpleUploadedFile("notes.txt", b"hello")

    html = client.post("/history/import", {"file": junk}, follow=True).content.decode()

    assert "neither a zip nor a JSON file" in html and not HistoryImport.objects.exists()


def test_a_stranger_sees_no_import_card_of_another_listener(client, owner, export):
    _api(owner).post(API, {"file": export}, format="multipart")
    client.force_login(UserFactory())

    html = client.get("/history/").content.decode()

    assert "data-import-url" not in html and "my_spotify_data.zip" not in html


def test_anonymous_uploads_are_sent_to_sign_in(client, export):
    response = client.post("/history/import", {"file": export})

    assert response.status_code == 302 and "next=/history/import" in response["Location"]
    assert not HistoryImport.objects.exists()
