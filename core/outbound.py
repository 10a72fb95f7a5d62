"""HTTP to hosts that someone configured (an LLM provider's base_url, LRCLIB): never to a private,
loopback, link-local or otherwise non-public address, unless the caller allows it.

Whoever may edit a provider chooses where the server sends requests; without this, the admin
would be a way to reach the database, the cache, the cloud's metadata service or anything else
on the server's network. The check is made where the socket is opened (an httpcore network
backend): the host is resolved once, every address it resolves to is checked (IPv4 and IPv6, an
IPv4 address inside an IPv6 one too), and the connection goes to those checked addresses only,
so a DNS answer that changes between a check and the connect (rebinding) cannot slip past, and
neither can a redirect (each new connection is checked the same way; LLM calls do not follow
redirects at all). Proxies from the environment are not used: the guard could not see past them.

What such a host answers is bounded the same way, at the transport, so the OpenAI SDK's reads
are bounded too: at most OUTBOUND_MAX_ANSWER_BYTES are read (an answer declared larger is refused
unread), and it must come uncompressed (we ask for that): a compressed answer is refused, since a
few kilobytes of gzip can inflate to gigabytes after any byte count. `read_json` then parses an
answer within JSON_MAX_DEPTH (core.json_input): json recurses once per level of nesting, so an
answer of 10,000 "[" would otherwise end in a RecursionError wherever it is read. Refusals say
what was wrong in our words (a limit, "not JSON"), never what the host sent.

One HTTP stack (httpx, which the OpenAI SDK uses too) so there is one guard.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore2
import httpx2
from django.conf import settings

from core.json_input import JsonInputError, JsonLimits, deeper_than, parse_json, size_in_words

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# NAT64's well-known prefix carries an IPv4 address in its last 32 bits.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class HostRefused(httpx2.ConnectError):
    """The host resolves to an address that is not public; nothing was sent.

    An httpx ConnectError (not httpcore's, which httpx would rename): httpx passes it on as it
    is, and a client of httpx (the OpenAI SDK) treats it as the connection error it is."""

    def __init__(self, host: str) -> None:
        # The host, never the addresses: which internal address a name has is not for the page.
        super().__init__(f"{host} resolves to a private, loopback or link-local address")
        self.host = host


class AnswerRefused(httpx2.RequestError):
    """An answer we will not read or use: larger than the client's limit, compressed, not JSON, or
    nested too deep. The message is ours and names no part of the answer.

    An httpx RequestError, raised while the body is read: httpx closes the connection, and the
    OpenAI SDK wraps it in its APIConnectionError (find it with `refusal`)."""


NOT_JSON = "The answer was not JSON."
# What the transport lets through: no encoding, or one that is no encoding at all.
_UNENCODED = frozenset({"", "identity"})


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not private (RFC 1918, ULA), loopback, link-local, shared
    (100.64/10), multicast, reserved or unspecified; an IPv4 address embedded in an IPv6 one
    (mapped, 6to4, Teredo, NAT64) is judged as itself."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
        if address.is_site_local:
            return False
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses to connect to for `host`, all of them public unless `allow_private`.
    HostRefused if any is not (a name with one private address among public ones is refused:
    which one a connection would get is not ours to choose); OSError if it does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private and not all(is_public(ipaddress.ip_address(a.split("%", 1)[0])) for a in addresses):
        raise HostRefused(host)
    return addresses


def was_refused(exc: BaseException | None) -> bool:
    """Whether `exc`, or an exception it was raised from (the OpenAI SDK wraps httpx's), is a
    HostRefused."""
    return _in_chain(exc, HostRefused) is not None


def refusal(exc: BaseException | None) -> AnswerRefused | None:
    """The AnswerRefused that `exc` is or was raised from, if any."""
    return _in_chain(exc, AnswerRefused)


def _in_chain(exc: BaseException | None, kind: type[BaseException]) -> Any:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def read_json(response: httpx2.Response) -> Any:
    """The JSON value of an answer from a client of this module (so read within its byte limit),
    parsed within JSON_MAX_DEPTH; AnswerRefused when it is not JSON or nested deeper."""
    response.read()  # a no-op unless the answer was opened as a stream
    text = response.text
    max_depth = settings.JSON_MAX_DEPTH
    if deeper_than(text, max_depth):  # checked here too, for a sentence of our own
        raise AnswerRefused(f"The answer was nested more than {max_depth} levels deep.")
    limits = JsonLimits(max_depth=max_depth, max_bytes=settings.OUTBOUND_MAX_ANSWER_BYTES)
    try:
        return parse_json(text, limits=limits, what="The answer")
    except JsonInputError as exc:
        # `reason` is json's account of malformed text (a position in it): "not JSON" says enough.
        # Without one, the message is a limit and our figures.
        raise AnswerRefused(NOT_JSON if exc.reason else str(exc)) from None


class _CheckedBackend(httpcore2.SyncBackend):
    """Connects only to the checked addresses of a host, in the resolver's order."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore2.NetworkStream:
        try:
            addresses = resolve(host, port, allow_private=self.allow_private)
        except OSError as exc:  # no such host: httpx reports it as a connect error
            raise httpcore2.ConnectError(f"{host} does not resolve") from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # getaddrinfo answers at least one address or raises
        raise failure


class _CappedStream(httpx2.SyncByteStream):
    """An answer's bytes, stopped with AnswerRefused past `limit`: the rest is never read."""

    def __init__(self, stream: httpx2.SyncByteStream, *, limit: int) -> None:
        self._stream = stream
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        read = 0
        for chunk in self._stream:
            read += len(chunk)
            if read > self._limit:
                raise AnswerRefused(_too_large(self._limit))
            yield chunk

    def close(self) -> None:
        self._stream.close()


def _too_large(limit: int) -> str:
    return f"The answer was larger than {size_in_words(limit)} ({limit:,} bytes)."


class CheckedTransport(httpx2.HTTPTransport):
    """httpx's transport, connecting through _CheckedBackend and reading at most
    `max_answer_bytes` of an uncompressed answer."""

    def __init__(self, *, allow_private: bool, max_answer_bytes: int) -> None:
        super().__init__()
        # httpx takes no network backend of its own; its pool does, and reads it per connection.
        self._pool._network_backend = _CheckedBackend(allow_private=allow_private)
        self.max_answer_bytes = max_answer_bytes

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        # Here rather than in the client's headers: the OpenAI SDK sends headers of its own.
        request.headers["Accept-Encoding"] = "identity"
        response = super().handle_request(request)
        declared = response.headers.get("Content-Length", "")
        refused = ""
        if response.headers.get("Content-Encoding", "").strip().lower() not in _UNENCODED:
            refused = "The answer was compressed, which we did not ask for."
        elif declared.isdigit() and int(declared) > self.max_answer_bytes:
            refused = _too_large(self.max_answer_bytes)
        if refused:
            response.close()
            raise AnswerRefused(refused, request=request)
        response.stream = _CappedStream(response.stream, limit=self.max_answer_bytes)
        return response


def client(
    *,
    allow_private: bool,
    timeout: httpx2.Timeout,
    follow_redirects: bool = False,
    max_answer_bytes: int | None = None,
    **options,
) -> httpx2.Client:
    """An httpx client whose every connection (redirects included) goes to public addresses only,
    unless `allow_private`, and whose answers are read up to `max_answer_bytes` (by default
    OUTBOUND_MAX_ANSWER_BYTES). Close it (a `with` block) when done."""
    limit = max_answer_bytes or settings.OUTBOUND_MAX_ANSWER_BYTES
    return httpx2.Client(
        transport=CheckedTransport(allow_private=allow_private, max_answer_bytes=limit),
        timeout=timeout,
        follow_redirects=follow_redirects,
        trust_env=False,
        **options,
    )
