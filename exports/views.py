"""Pages of the exports: the page that lists them, and each export as a download (CSV or JSON).

The downloads are links the pages carry (the library, a playlist, the history, this page); a
visitor who is not signed in is sent to sign in, another listener's playlist is not found."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from exports import documents, selectors, streams


def _bad_format(file_format: str) -> HttpResponse:
    return HttpResponseBadRequest(
        documents.UNKNOWN_FORMAT.format(given=file_format), content_type="text/plain; charset=utf-8"
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "exports/index.html", {"sizes": selectors.export_sizes(user=request.user)})


@login_required
@require_GET
def library(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in documents.FORMATS:
        return _bad_format(file_format)
    return streams.download(documents.library_export(user=request.user), file_format=file_format)


@login_required
@require_GET
def playlist(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    if file_format not in documents.FORMATS:
        return _bad_format(file_format)
    found = selectors.get_playlist(user=request.user, playlist_id=pk)
    if found is None:
        raise Http404("No such playlist.")
    return streams.download(documents.playlist_export(playlist=found), file_format=file_format)


@login_required
@require_GET
def history(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in documents.FORMATS:
        return _bad_format(file_format)
    return streams.download(documents.history_export(user=request.user), file_format=file_format)


@login_required
@require_GET
def analyses(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in documents.FORMATS:
        return _bad_format(file_format)
    return streams.download(documents.analyses_export(user=request.user), file_format=file_format)
