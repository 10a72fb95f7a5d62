"""Devices in Chromium: the listener makes an API token for a phone on the dashboard, the phone
(plain HTTP with that token) checks in and syncs its library, the Devices page shows what it sent;
revoking the token on the dashboard shuts the phone out."""

from __future__ import annotations

import requests

from tests.browser.flows import sign_in_through_consent_page

PHONE = "Phone"
AT = "2025-03-01T12:00:00Z"  # device timestamps are the device's: any fixed moment will do


def _phone_library() -> dict:
    song = {"track": "4uLU6hMCjMI75M1A2tKUQC", "title": "Night Drive", "artist": "The Winter Light"}
    return {
        "favorites": [{**song, "added_at": AT}],
        "history": [{**song, "played_at": AT, "completion": 0.8, "source": "album"}],
        "playlists": [
            {"id": None, "local_id": "phone-road", "name": "Road mix", "description": "For the car",
             "is_public": False, "items": [{**song, "added_at": AT}], "created_at": AT, "updated_at": AT}
        ],
    }  # fmt: skip


def test_a_phone_with_its_own_token_syncs_and_the_devices_page_shows_it_until_the_token_is_revoked(
    browser, sandbox, transactional_db
):
    sign_in_through_consent_page(browser, steps=False)

    browser.fill("#new-api-token input[name=name]", PHONE)
    browser.click(browser.button("Create token", within="#new-api-token"))
    browser.wait_for_text("Your new API token", css="h1")
    secret = browser.text("code.token")
    assert len(secret) > 20
    browser.step("a new API token, shown once")
    browser.click(browser.link("Back to the dashboard"))
    browser.wait_for_text(PHONE, css="#api-token-list")
    assert secret not in browser.text("body")  # only its first characters from now on
    browser.step("dashboard with a token")

    phone = requests.Session()
    phone.headers["Authorization"] = f"Token {secret}"
    api = f"{browser.base_url}/api/me"
    pinged = phone.post(f"{api}/session/ping", json={"session_id": "phone-1", "device": PHONE}, timeout=10)
    assert pinged.status_code == 200, pinged.text
    synced = phone.post(f"{api}/library/sync", json=_phone_library(), timeout=10)
    assert synced.status_code == 200, synced.text

    browser.click(browser.link("Devices", within=".site-header"))
    browser.wait_for_text("Devices & library", css="h1")
    main = browser.text("main")
    assert PHONE in browser.text("section[aria-labelledby=sessions-title]")
    assert "Road mix" in main and "For the car" in main
    assert "Night Drive" in browser.text("section[aria-labelledby=favorites-title]")
    assert "Night Drive" in browser.text("section[aria-labelledby=history-title]")
    browser.step("devices")

    browser.click(browser.link("Dashboard", within=".site-header"))
    browser.click(browser.button("Revoke", within="#api-token-list"))
    browser.wait_for(lambda: not browser.find_all("#api-token-list"), message="no token left")
    browser.step("dashboard, the token revoked")
    assert phone.post(f"{api}/library/sync", json=_phone_library(), timeout=10).status_code == 401
