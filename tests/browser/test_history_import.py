"""Importing the privacy export from the history page in Chromium: the listener uploads the zip,
the card shows the import queued with its bar, and when the import ends (run here, as a worker
would) the polling card reloads the page with the plays in it. A refused file says why."""

from __future__ import annotations

import pathlib

import pytest
from django.test import Client

from core.runs import RunStatus
from insights.models import HistoryImport, Play
from insights.services.history_import import run_history_import
from tests.accounts.factories import SpotifyCredentialFactory
from tests.browser.support import Browser
from tests.insights.export_factory import ExportSpec, synthetic_tracks, write_extended_export

pytestmark = pytest.mark.django_db(transaction=True)

BADGE = '#history-import [data-role="badge"]'


@pytest.fixture
def on_history_page(browser: Browser, settings, tmp_path):
    settings.HISTORY_IMPORT_DIR = str(tmp_path / "imports")
    listener = SpotifyCredentialFactory(spotify_user_id="listener").user
    client = Client()
    client.force_login(listener)
    browser.open("/health")
    browser.driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
    browser.open("/history/")
    browser.wait_for_text("Import your whole history")
    return listener


def _upload(browser: Browser, path: pathlib.Path) -> None:
    browser.find("#history-import-file").send_keys(str(path))
    browser.click(browser.button("Upload and import"))


def test_a_listener_uploads_the_export_and_the_card_follows_the_import_to_its_end(
    browser, on_history_page, tmp_path
):
    spec = ExportSpec(rows=300, tracks=synthetic_tracks(count=40, seed=9), seed=9, rows_per_file=150)
    path = tmp_path / "my_spotify_data.zip"
    write_extended_export(spec, path)

    _upload(browser, path)
    browser.wait_for_text("Your export is being imported")
    assert browser.text(BADGE) == "Queued"
    assert "Checking the whole file before anything is stored" in browser.text("#history-import")
    browser.step("history, export uploaded")

    run = HistoryImport.objects.get(user=on_history_page)
    assert run_history_import(import_id=run.pk).status == RunStatus.SUCCEEDED
    browser.wait_for(lambda: browser.text(BADGE) == "Done", message="the card reloaded as done", timeout=20)
    added = Play.objects.filter(user=on_history_page).count()
    assert added > 250 and f"300 of 300 rows read: {added} plays added" in browser.text("#history-import")
    assert f"{added} plays recorded" in browser.text("#history-span")
    browser.step("history, export imported")


def test_a_file_that_is_not_an_export_is_refused_with_the_reason(browser, on_history_page, tmp_path):
    path = tmp_path / "notes.zip"
    path.write_bytes(b"not a zip")

    _upload(browser, path)

    browser.wait_for_text("neither a zip nor a JSON file")
    assert not HistoryImport.objects.exists()
    browser.step("history, file refused")
