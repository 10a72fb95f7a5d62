"""The address a request came from, for limits that count by address (the admin's failed logins).

REMOTE_ADDR is the peer that connected: behind a proxy, the proxy. With TRUST_PROXY_HEADERS the
web processes are reachable only through a proxy that sets X-Forwarded-For (compose's Caddy
replaces what the caller sent; a proxy that appends puts the address it saw last), so the last
entry is the caller. Without it the header is the caller's own words and is not read: a guesser
could otherwise give a new address with every attempt.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    if settings.TRUST_PROXY_HEADERS:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or ""
