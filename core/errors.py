"""Domain errors that carry their HTTP answer, and the one place they become a response.

A service raises a DomainError subclass naming what went wrong in words a listener can read;
the class says the status (409 a conflict, 404 not yours or gone, 502 Spotify failed, ...). The
API answers through `exception_handler` (REST_FRAMEWORK["EXCEPTION_HANDLER"]) and the pages
through `page_status`, so a view never maps an exception itself and the API and the pages
refuse the same things with the same words and codes.

Bodies: `{"detail": message}`, or `{field: [message]}` when the error is about one request field
(set by the class, or by the view with `about(field)`), plus what `extra()` adds (e.g. the run
in the way, `active_event`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import Http404
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
    return drf_exception_handler(exc, context)


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
