"""Conditional GETs for the read API: an ETag on every JSON answer, 304 with no body when the
caller already has it, and answers that are costly to build kept in the cache, rendered.

The ETag is a hash of the caller's user id and the answer's bytes, so it is exact (a 304 is
never wrong) and another user's ETag never matches: a stranger cannot get a 304 for someone
else's data. A cached answer is keyed by the user, the request (path, query string, media type)
and a *version*: values read cheaply from the database that change whenever the answer would
(how many playlists the listener has and when one was last written, say). What no version can see
(a shared catalog row another listener's import refreshed, a sentence that depends on the clock)
shows up once the cached answer expires, after at most CACHE_SECONDS.

Only the JSON renderer is cached; the browsable API (text/html) is rendered as usual.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

__all__ = ["CACHE_SECONDS", "cached_json", "cached_page", "conditional_json"]

CACHE_SECONDS = 300
# Part of every cache key: change it when what an answer says changes shape without its version
# changing (a field added to a serializer), so no cached answer of the old shape is served.
RENDERING = "2"


def conditional_json(request: Request, data: Any) -> HttpResponse | Response:
    """`data` rendered, with its ETag; 304 when the caller sent that ETag. Saves the transfer and
    the caller's parsing, not our work: for answers that are cheap to build."""
    if not _cacheable(request):
        return Response(data)
    body = _render(request, data)
    return _answer(request, _etag(request, body), body)


def cached_json(
    request: Request, *, version: Hashable, build: Callable[[], Any], timeout: int = CACHE_SECONDS
) -> HttpResponse | Response:
    """The answer `build()` makes, taken from the cache while `version` (and the request) is the
    same; 304 when the caller sent its ETag. Read `version` before anything `build` reads: an
    answer newer than its version is harmless (that version never comes back), an older one
    would be served until it expires."""
    if not _cacheable(request):
        return Response(build())
    key = "api-answer:" + hashlib.sha256(
        repr((RENDERING, request.user.pk, request.get_full_path(), request.accepted_media_type, version)).encode()
    ).hexdigest()
    entry = cache.get(key)
    if isinstance(entry, dict) and isinstance(entry.get("etag"), str) and isinstance(entry.get("body"), str):
        etag, body = entry["etag"], entry["body"].encode()
    else:
        body = _render(request, build())
        etag = _etag(request, body)
        # Text, not bytes: the cache stores JSON (core.cache_serializer). The renderer's output is
        # UTF-8, so it decodes and encodes back to the same bytes, and so the same ETag.
        cache.set(key, {"etag": etag, "body": body.decode()}, timeout)
    return _answer(request, etag, body)


def cached_page(
    view: GenericAPIView, request: Request, *, also: Callable[[list[dict]], Hashable] = lambda rows: ()
) -> HttpResponse | Response:
    """A list view's page, its version being the page's rows themselves (every column, read with
    values(): cheap to read, dear to serialize) and the count: for rows that change in ways no
    timestamp records (a run's status and progress are written with update() from many places).
    `also(rows)` adds what else the answer depends on, such as the clock. The serializer then
    works on instances made from those same rows: no query more than the page's own two."""
    queryset = view.get_queryset()
    paged = view.paginate_queryset(queryset.values())
    rows = list(queryset.values()) if paged is None else paged
    count = view.paginator.page.paginator.count if paged is not None else len(rows)
    version = (count, [tuple(row.values()) for row in rows], also(rows))

    def build() -> Any:
        names = [field.attname for field in queryset.model._meta.concrete_fields]
        instances = [queryset.model.from_db(queryset.db, names, [row[name] for name in names]) for row in rows]
        data = view.get_serializer(instances, many=True).data
        return data if paged is None else view.get_paginated_response(data).data

    return cached_json(request, version=version, build=build)


def _cacheable(request: Request) -> bool:
    return isinstance(request.accepted_renderer, JSONRenderer) and request.user.is_authenticated


def _render(request: Request, data: Any) -> bytes:
    return request.accepted_renderer.render(data, request.accepted_media_type, {"request": request})


def _etag(request: Request, body: bytes) -> str:
    digest = hashlib.sha256(f"{request.user.pk}:{request.accepted_media_type}:".encode() + body)
    return f'"{digest.hexdigest()[:40]}"'


def _answer(request: Request, etag: str, body: bytes) -> HttpResponse:
    if _has(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=request.accepted_renderer.media_type)
    response["ETag"] = etag
    # Personal data: no shared cache keeps it, and a client asks again (with If-None-Match) each time.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
    return response


def _has(request: Request, etag: str) -> bool:
    sent = request.META.get("HTTP_IF_NONE_MATCH")
    if not sent:
        return False
    tags = parse_etags(sent)
    # Weak comparison (RFC 9110 13.1.2), as for any If-None-Match: a proxy may have weakened it.
    return "*" in tags or etag in {tag.removeprefix("W/") for tag in tags}
