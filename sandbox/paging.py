"""Query parsing and Spotify paging objects with absolute `href`/`next`/`previous` URLs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from sandbox.errors import bad_request


def parse_limit(args: Mapping[str, str], *, default: int = 20, maximum: int = 50) -> int:
    raw = args.get("limit")
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request("Invalid limit") from None
    if not 1 <= value <= maximum:
        raise bad_request("Invalid limit")
    return value


def parse_offset(args: Mapping[str, str], *, maximum: int = 100_000) -> int:
    raw = args.get("offset")
    if raw is None or raw == "":
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise bad_request("Invalid offset") from None
    if not 0 <= value <= maximum:
        raise bad_request("Invalid offset")
    return value


def page_url(url: str, *, offset: int, limit: int, extra: Mapping[str, str] | None = None) -> str:
    query = {"offset": offset, "limit": limit, **(extra or {})}
    return f"{url}?{urlencode(query, safe=',')}"


def paging(
    *, url: str, items: list[Any], total: int, offset: int, limit: int, extra: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A PagingObject; `url` is the absolute endpoint URL without a query string."""
    next_url = (
        page_url(url, offset=offset + limit, limit=limit, extra=extra) if offset + limit < total else None
    )
    previous_url = (
        page_url(url, offset=max(0, offset - limit), limit=limit, extra=extra) if offset > 0 else None
    )
    return {
        "href": page_url(url, offset=offset, limit=limit, extra=extra),
        "items": items,
        "limit": limit,
        "next": next_url,
        "offset": offset,
        "previous": previous_url,
        "total": total,
    }


def parse_ids(args: Mapping[str, str], *, maximum: int) -> list[str]:
    raw = args.get("ids", "")
    ids = [part for part in raw.split(",") if part]
    if not ids:
        raise bad_request("invalid request: ids missing")
    if len(ids) > maximum:
        raise bad_request("Too many ids requested")
    return ids
