"""Rate limiting, injected faults, counters, and the control API's refusals."""

from __future__ import annotations

import time

import pytest
import requests

from tests.fixtures.sandbox import SandboxControlError
from tests.sandbox.conftest import playlists_of


def test_the_rate_limit_answers_429_with_an_integer_retry_after(sandbox, demo):
    sandbox.configure(rate_limit={"budget": 3, "window_seconds": 30})

    statuses = [demo.get("/me").status_code for _ in range(4)]
    limited = demo.get("/me")

    assert statuses == [200, 200, 200, 429]
    assert limited.json() == {"error": {"status": 429, "message": "API rate limit exceeded"}}
    assert 1 <= int(limited.headers["Retry-After"]) <= 30


def test_the_window_rolls_so_requests_pass_again_after_retry_after(sandbox, demo):
    sandbox.configure(rate_limit={"budget": 2, "window_seconds": 1})
    demo.get("/me"), demo.get("/me")
    limited = demo.get("/me")

    time.sleep(int(limited.headers["Retry-After"]))

    assert limited.status_code == 429
    assert demo.get("/me").status_code == 200


def test_the_long_retry_after_knob_forces_the_header_value(sandbox, demo):
    sandbox.configure(rate_limit={"budget": 1}, retry_after_seconds=7200)
    demo.get("/me")

    limited = demo.get("/me")

    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7200"


def test_counters_count_requests_per_route_template_and_429s(sandbox, demo):
    playlist_id = playlists_of(sandbox, "demo")["owned_playlists"][0]
    sandbox.configure(rate_limit={"budget": 3})
    demo.get(f"/playlists/{playlist_id}/items"), demo.get(f"/playlists/{playlist_id}/items")
    demo.get("/me"), demo.get("/me")

    counters = sandbox.counters()

    assert counters["by_route"] == {"GET /v1/me": 2, "GET /v1/playlists/{playlist_id}/items": 2}
    assert (counters["total"], counters["status_429"]) == (4, 1)
    assert counters["by_client"] == {sandbox.client_id: 4}
    sandbox.control("DELETE", "counters")
    assert sandbox.counters()["total"] == 0


def test_a_status_fault_fails_the_next_matching_requests_then_stops(sandbox, demo):
    playlist_id = playlists_of(sandbox, "demo")["owned_playlists"][0]
    sandbox.fail_next(method="GET", path="/v1/playlists/*/items", status=503, count=2, retry_after=4)

    first, second = demo.get(f"/playlists/{playlist_id}/items"), demo.get(f"/playlists/{playlist_id}/items")
    untouched = demo.get("/me")
    third = demo.get(f"/playlists/{playlist_id}/items")

    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.headers["Retry-After"] == "4"
    assert first.json() == {"error": {"status": 503, "message": "Service Unavailable"}}
    assert untouched.status_code == 200


def test_a_status_fault_can_carry_its_own_body_and_hit_the_accounts_service(sandbox):
    sandbox.fail_next(method="POST", path="/api/token", status=500, body={"error": "server_error"})

    answer = requests.post(
        f"{sandbox.accounts_url}/api/token", data={"grant_type": "refresh_token"}, timeout=10
    )

    assert (answer.status_code, answer.json()) == (500, {"error": "server_error"})


def test_a_latency_fault_delays_the_response_but_lets_it_through(sandbox, demo):
    sandbox.fail_next(method="GET", path="/v1/me", kind="latency", latency_ms=400)

    started = time.monotonic()
    answer = demo.get("/me")
    slow = time.monotonic() - started
    started = time.monotonic()
    demo.get("/me")
    fast = time.monotonic() - started

    assert answer.status_code == 200
    assert slow >= 0.4 and fast < 0.3


def test_a_reset_fault_drops_the_connection_without_a_response(sandbox, demo):
    sandbox.fail_next(method="*", path="/v1/me", kind="reset")

    with pytest.raises(requests.ConnectionError):
        demo.get("/me")
    assert demo.get("/me").status_code == 200


def test_a_malformed_fault_answers_200_with_broken_json(sandbox, demo):
    sandbox.fail_next(method="GET", path="/v1/me/playlists", kind="malformed")

    answer = demo.get("/me/playlists")

    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        answer.json()


def test_faults_can_be_listed_and_cleared(sandbox, demo):
    sandbox.fail_next(method="GET", path="/v1/me", status=500, count=5)

    assert len(sandbox.control("GET", "faults")["faults"]) == 1
    sandbox.control("DELETE", "faults")
    assert demo.get("/me").status_code == 200


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "faults", {"method": "GET", "path": "/v1/me", "kind": "explode"}),
        ("POST", "faults", {"method": "GET", "path": "/v1/me", "kind": "status"}),
        ("POST", "faults", {"method": "GET", "path": "/v1/me", "status": 500, "colour": "red"}),
        ("PATCH", "config", {"mode": "turbo"}),
        ("PATCH", "config", {"warp_speed": True}),
        ("PATCH", "config", {"rate_limit": {"budget": 0}}),
        ("POST", "launch-missiles", {}),
        ("POST", "playlists/0000000000000000000000/mutate", {"op": "add"}),
    ],
)
def test_unknown_instructions_and_bad_fields_are_400_with_a_message(sandbox, method, path, body):
    with pytest.raises(SandboxControlError) as failure:
        sandbox.control(method, path, body)

    assert failure.value.status in {400, 404}
    assert failure.value.body["error"]


def test_a_bad_config_patch_changes_nothing(sandbox):
    with pytest.raises(SandboxControlError):
        sandbox.configure(mode="extended", token_lifetime=-5)

    assert sandbox.control("GET", "config")["mode"] == "development"


def test_reset_restores_the_start_up_config(sandbox):
    start_up = sandbox.control("GET", "config")
    sandbox.configure(
        mode="extended", auto_approve=True, rate_limit={"budget": 10}, retry_after_seconds=7200,
        quota={"after_requests": 3, "retry_after": 600}, artist_genres=False, allowlist=["demo"],
        refresh_token_lifetime_seconds=60, shapes={"playlist_rows": "mixed"},
    )  # fmt: skip
    assert sandbox.control("GET", "config") != start_up

    sandbox.reset()

    assert sandbox.control("GET", "config") == start_up
    assert {key: start_up[key] for key in ("mode", "auto_approve", "rate_limit", "quota", "artist_genres")} == {
        "mode": "development",
        "auto_approve": False,
        "rate_limit": {"budget": None, "window_seconds": 30},
        "quota": None,
        "artist_genres": True,
    }


def test_the_quota_refuses_every_app_request_after_its_budget_with_spotifys_body(sandbox):
    token = sandbox.issue_token(user="demo")["access_token"]
    other = sandbox.issue_token(user="other")["access_token"]
    sandbox.configure(quota={"after_requests": 2, "retry_after": 600})

    def get(bearer: str) -> requests.Response:
        return requests.get(f"{sandbox.api_url}/me", headers={"Authorization": f"Bearer {bearer}"}, timeout=10)

    assert [get(token).status_code, get(other).status_code] == [200, 200]
    refused = get(other)  # the budget is the app's, whoever asks

    assert refused.status_code == 429 and 598 <= int(refused.headers["Retry-After"]) <= 600
    assert refused.json() == {"error": {"status": 429, "message": "API rate limit exceeded", "reason": "QUOTA_EXCEEDED"}}
    assert get(token).status_code == 429
    with pytest.raises(SandboxControlError):
        sandbox.configure(quota={"retry_after": 5})  # after_requests is required
    sandbox.configure(quota=None)
    assert get(token).status_code == 200
    assert sandbox.violations() == []


def test_the_quota_period_ends_retry_after_seconds_after_the_first_refusal():
    from sandbox.traffic import QuotaMeter

    meter = QuotaMeter()
    waits = [meter.check(after_requests=1, retry_after=100, now=t) for t in (0.0, 1.0, 50.5, 100.9, 101.0, 102.0)]

    # One request passes; refused from t=1 for 100 s (Retry-After counting down); then a fresh budget.
    assert waits == [None, 100, 51, 1, None, 100]


def test_the_first_refusal_asks_for_exactly_retry_after_seconds_whatever_the_clock_reads():
    from sandbox.traffic import QuotaMeter

    # (t + n) - t is n + a hair for some t in floating point; Retry-After must still be n.
    for now in (0.0, 243907.95185929336, 19879.240560351398):  # the last two once gave 50,001
        assert QuotaMeter().check(after_requests=0, retry_after=50_000, now=now) == 50_000
