"""Domain errors that carry their HTTP answer, and the one place they become a response.

A service raises a DomainError subclass naming what went wrong in words a listener can read;
the class says the status (409 a conflict, 404 not yours or gone, 502 Spotify failed, ...). The
API answers through `exception_handler` (REST_FRAMEWORK["EXCEPTION_HANDLER"]) and the pages
through `page_status`, so a view never maps an exception itself and the API and the pages
refuse the same things with the same words and codes.

Bodies: `{"detail": message}`, or `{field: [message]}` when the error is about one request field
(set by the class, or by the view with `about(field)`), plus what `extra()` adds (e.g. the run
in the way, `active_event`). A refusal that knows when to come back (a 429: our throttles,
core.throttles, and cooldowns) sends Retry-After and names the wait in its sentence.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import Http404
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    """A refusal for people. Subclasses set `status`, and `field` when it is about one input."""

    status: int = 400
    field: str | None = None
    # Seconds the client should wait before asking again (sent as Retry-After), when known.
    retry_after: int | None = None

    def extra(self) -> dict[str, Any]:
        """Keys the answer carries besides the message."""
        return {}

    def body(self) -> dict[str, Any]:
        message = str(self)
        base: dict[str, Any] = {self.field: [message]} if self.field else {"detail": message}
        return {**base, **self.extra()}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: a DomainError answers with its own status and body; anything else
    is DRF's (validation errors, 401/403/404) or a 500."""
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return Response(exc.body(), status=exc.status, headers=headers)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, Throttled) and response is not None:
        # DRF's own throttle classes (ours raise core.throttles.Throttled, a DomainError): their
        # "Request was throttled. Expected available in 719 seconds." in the house's words.
        when = f"try again in {wait_in_words(exc.wait)}" if exc.wait is not None else "try again later"
        response.data = {"detail": f"Too many requests; {when}."}
    return response


def wait_in_words(seconds: float) -> str:
    """A wait for people, rounded up: '40 seconds', '12 minutes', '1 hour 5 minutes'."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return _count(seconds, "second")
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return _count(minutes, "minute")
    hours, minutes = divmod(minutes, 60)
    return _count(hours, "hour") + (f" {_count(minutes, 'minute')}" if minutes else "")


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


@contextmanager
def about(field: str) -> Iterator[None]:
    """Inside a view: a plain 400 refusal raised here is about request field `field`."""
    try:
        yield
    except DomainError as exc:
        if exc.status == 400 and exc.field is None:
            exc.field = field
        raise


def page_status(exc: DomainError) -> int:
    """The status a page answers a refusal with, as the API does; a 404 is Django's own page."""
    if exc.status == 404:
        raise Http404(str(exc))
    return exc.status
