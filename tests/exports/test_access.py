"""Who gets which export, from the pages and from the API: the owner their file, a stranger no one
else's playlist (404), a visitor who is not signed in the sign-in page (pages) or a 401 (API), and
a format other than csv or json a 400 that says which are."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory, api_token_secret
from tests.exports.support import csv_rows, json_rows
from tests.library.factories import PlaylistFactory, PlaylistItemFactory

pytestmark = pytest.mark.django_db

EVERYONES = ["library", "history", "song-analyses"]


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def playlist(owner):
    found = PlaylistFactory(user=owner, name="Mine")
    PlaylistItemFactory(playlist=found)
    return found


def paths(prefix: str, playlist) -> list[str]:
    return [f"{prefix}/{name}" for name in EVERYONES] + [f"{prefix}/playlists/{playlist.pk}"]


# --- pages --------------------------------------------------------------------------------------
@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_the_owner_downloads_every_export_from_the_pages(client, owner, playlist, file_format):
    client.force_login(owner)
    for path in paths("/exports", playlist):
        response = client.get(f"{path}.{file_format}")
        assert response.status_code == 200, path
        assert response["Content-Disposition"].startswith('attachment; filename="linernotes-'), path
        (csv_rows if file_format == "csv" else json_rows)(response)


def test_a_stranger_gets_no_one_elses_playlist_and_only_their_own_library(client, playlist):
    client.force_login(UserFactory())

    assert client.get(f"/exports/playlists/{playlist.pk}.csv").status_code == 404
    assert client.get(f"/exports/playlists/{playlist.pk}.json").status_code == 404
    assert json_rows(client.get("/exports/library.json")) == []


def test_a_visitor_not_signed_in_is_sent_to_sign_in(client, playlist):
    for path in [*paths("/exports", playlist), "/exports"]:
        url = f"{path}.csv" if path != "/exports" else "/exports/"
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/?next={url}", url  # the landing page's sign-in, then back


def test_a_format_other_than_csv_or_json_is_refused_with_the_formats_named(client, owner, playlist):
    client.force_login(owner)
    for path in paths("/exports", playlist):
        response = client.get(f"{path}.xlsx")
        assert response.status_code == 400, path
        assert response.content.decode() == "No export as “xlsx”: choose csv or json."


def test_a_download_is_read_only(client, owner, playlist):
    client.force_login(owner)
    assert client.post("/exports/library.csv").status_code == 405


def test_the_exports_page_says_how_much_each_export_holds_and_links_them(client, owner, playlist):
    client.force_login(owner)

    html = client.get("/exports/").content.decode()

    assert "Every item of your 1 playlist, Liked Songs included, one row each (1 in all)" in html
    for name in EVERYONES:
        assert (
            f'href="/exports/{name}.csv" download' in html and f'href="/exports/{name}.json" download' in html
        )


def test_the_library_playlist_and_history_pages_link_their_exports(client, owner, playlist):
    from tests.insights.factories import PlayFactory

    PlayFactory(user=owner)
    client.force_login(owner)

    assert 'href="/exports/library.csv"' in client.get("/library/").content.decode()
    assert 'href="/exports/"' in client.get("/library/").content.decode()
    page = client.get(f"/library/playlists/{playlist.pk}/").content.decode()
    assert f'href="/exports/playlists/{playlist.pk}.csv"' in page
    assert f'href="/exports/playlists/{playlist.pk}.json"' in page
    assert 'href="/exports/history.json"' in client.get("/history/").content.decode()


# --- API ----------------------------------------------------------------------------------------
@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_the_owner_downloads_every_export_from_the_api_with_a_token(api, owner, playlist, file_format):
    secret = api_token_secret(owner)
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    for path in paths("/api/exports", playlist):
        response = api.get(f"{path}.{file_format}", HTTP_ACCEPT="text/csv")  # no 406 for any Accept
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/csv" if file_format == "csv" else "application/json")
        rows = (csv_rows if file_format == "csv" else json_rows)(response)
        assert len(rows) == (0 if "history" in path or "analyses" in path else 1), path


def test_the_api_gives_a_stranger_a_404_and_a_visitor_a_401_in_json(api, playlist):
    for path in paths("/api/exports", playlist):
        response = api.get(f"{path}.csv")
        assert response.status_code == 401, path
        assert response["Content-Type"] == "application/json" and "detail" in response.json()

    api.force_authenticate(UserFactory())
    response = api.get(f"/api/exports/playlists/{playlist.pk}.csv")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such playlist of yours."}


def test_the_api_refuses_another_format_at_its_name(api, owner, playlist):
    api.force_authenticate(owner)
    for path in paths("/api/exports", playlist):
        response = api.get(f"{path}.xml")
        assert response.status_code == 400, path
        assert response.json() == {"file_format": ["No export as “xml”: choose csv or json."]}
