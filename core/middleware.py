"""Errors under /api/ are JSON, whoever answers them.

DRF answers its views' errors in JSON (core.errors). Django answers the rest with HTML pages: a
URL no view matches (/api/base-playlists/abc/, an id longer than core.api_input allows), and a
500 once Django has logged it and told the test client. This middleware gives those the API's
error body, {"detail": ...}, with the same status and the headers that matter (Allow,
Retry-After), in DEBUG too (the demo runs with it). Pages outside /api/ keep Django's pages.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")
MESSAGES = {
    404: "Not found: no such address in this API.",
    500: "The server failed; the error is logged. Try again later.",
}


class ApiJsonErrors:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _as_json(response)
        return response


def _as_json(response: HttpResponse) -> JsonResponse:
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    answer = JsonResponse({"detail": MESSAGES.get(status, f"{phrase}.")}, status=status)
    for header in KEPT_HEADERS:
        if header in response:
            answer[header] = response[header]
    return answer
