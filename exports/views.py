"""Pages of the exports: the page that lists them, and each export as a download (CSV or JSON).

The downloads are links the pages carry (the library, a playlist, the history, this page); a
visitor who is not signed in is sent to sign in, another listener's playlist is not found."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.throttles import Throttled
from exports import documents, selectors, streams
from exports.documents import Export
from exports.throttles import ExportThrottle


def downloads(view: Callable[..., Export]) -> Callable[..., HttpResponse]:
    """A download page: signed in, GET, a known format (else 400 with the reason), within the
    listener's export limit shared with the API (else 429 saying when), the export streamed."""

    @login_required
    @require_GET
    @wraps(view)
    def download(request: HttpRequest, file_format: str, **kwargs: Any) -> HttpResponse:
        if file_format not in documents.FORMATS:
            return _plain(HttpResponseBadRequest, documents.UNKNOWN_FORMAT.format(given=file_format))
        try:
            ExportThrottle.check(request)
        except Throttled as exc:
            refused = _plain(HttpResponse, str(exc), status=429)
            refused["Retry-After"] = str(exc.retry_after)
            return refused
        return streams.download(view(request, **kwargs), file_format=file_format)

    return download


def _plain(response: type[HttpResponse], text: str, **kwargs: Any) -> HttpResponse:
    return response(text, content_type="text/plain; charset=utf-8", **kwargs)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "exports/index.html", {"sizes": selectors.export_sizes(user=request.user)})


@downloads
def library(request: HttpRequest) -> Export:
    return documents.library_export(user=request.user)


@downloads
def playlist(request: HttpRequest, pk: int) -> Export:
    found = selectors.get_playlist(user=request.user, playlist_id=pk)
    if found is None:
        raise Http404("No such playlist.")
    return documents.playlist_export(playlist=found)


@downloads
def history(request: HttpRequest) -> Export:
    return documents.history_export(user=request.user)


@downloads
def analyses(request: HttpRequest) -> Export:
    return documents.analyses_export(user=request.user)
