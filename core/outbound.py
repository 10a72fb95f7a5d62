"""HTTP to hosts that someone configured (an LLM provider's base_url, LRCLIB): never to a private,
loopback, link-local or otherwise non-public address, unless the caller allows it: any such
address, or only listed host names and networks (PrivateHosts, from LLM_ALLOW_PRIVATE_HOSTS).

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
import re
import socket
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore2
import httpx2
from django.conf import settings

from core.json_input import JsonInputError, JsonLimits, JsonTooDeep, parse_json, size_in_words

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# Forms of IPv6 address that carry an IPv4 one in their last 32 bits and reach that IPv4 host:
# NAT64's well-known prefix (a translator forwards to it) and the deprecated IPv4-compatible form.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# NAT64 for a network's own use (RFC 8215): its translators may well lead into that network, and
# where the IPv4 address sits depends on a prefix length we cannot know, so it is refused whole.
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")
# Teredo tunnels through relays we cannot see; it is not globally reachable (IANA), so it is
# refused whatever client or server address it carries.
TEREDO = ipaddress.IPv6Network("2001::/32")


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


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that an IPv6 one reaches, for the forms that carry one: IPv4-mapped
    (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, :: and ::1 included), NAT64 (64:ff9b::a.b.c.d)
    and 6to4 (2002:aabb:ccdd::)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in IPV4_COMPATIBLE or address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not private (RFC 1918, ULA), loopback, link-local, site-local,
    shared (100.64/10), multicast, reserved or unspecified. An IPv6 address carrying an IPv4 one
    (see embedded_ipv4) is judged by that IPv4 address alone: a connection to it goes there.
    Local-use NAT64 and Teredo are never public."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in NAT64_LOCAL_USE or address in TEREDO:
            return False
        embedded = embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
    # Each flag on its own, not is_global alone: Python's tables of special ranges have changed
    # between patch releases, and an address any of them marks is not one to connect to.
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    ):
        return False
    return address.is_global


class PrivateHosts:
    """Which non-public targets may be reached: all of them, or those named here. A host name
    ("ollama") lets its own name through whatever it resolves to; a network ("10.0.0.0/8",
    "127.0.0.1") lets its addresses through whatever the name, and an IPv6 address carrying an
    IPv4 one (embedded_ipv4) counts as that IPv4 address there too. A name is trusted as far as
    whoever answers for it in DNS: list names only the deployment itself resolves (compose's)."""

    def __init__(self, *, everything: bool = False, entries: Iterable[str | IPNetwork] = ()) -> None:
        self.everything = everything
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            parsed = _entry(entry) if isinstance(entry, str) else entry
            if isinstance(parsed, str):
                names.add(parsed)
            else:
                networks.append(parsed)
        self.names = frozenset(names)
        self.networks = tuple(networks)

    @classmethod
    def of(cls, allow_private: AllowPrivate) -> PrivateHosts:
        """From a setting's value: True (every private target), False (none), or host names and
        networks (config.env.private_hosts checked them when the settings were read)."""
        if isinstance(allow_private, PrivateHosts):
            return allow_private
        if isinstance(allow_private, bool):
            return cls(everything=allow_private)
        entries = allow_private.split(",") if isinstance(allow_private, str) else allow_private
        return cls(entries=[entry for entry in entries if not isinstance(entry, str) or entry.strip()])

    def allows(self, *, host: str, address: IPAddress) -> bool:
        if self.everything or _host_name(host) in self.names:
            return True
        candidates = [address]
        if isinstance(address, ipaddress.IPv6Address) and (embedded := embedded_ipv4(address)):
            candidates.append(embedded)
        # `in` is False between an IPv4 address and an IPv6 network, so each meets its own kind.
        return any(candidate in network for candidate in candidates for network in self.networks)

    def __repr__(self) -> str:
        entries = sorted(self.names) + [str(network) for network in self.networks]
        return "PrivateHosts(everything)" if self.everything else f"PrivateHosts({', '.join(entries)})"


AllowPrivate = bool | str | Iterable[str | IPNetwork] | PrivateHosts


def _host_name(host: str) -> str:
    # DNS names are case-insensitive, and "ollama." is the same name as "ollama".
    return host.strip().lower().rstrip(".")


_HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")


def _entry(text: str) -> str | IPNetwork:
    """An allow-list entry: an IP network (an address is a network of one) or a host name.
    ValueError for anything else, a network with host bits set (10.0.0.1/8) included: read as a
    name, it would silently allow nothing."""
    text = text.strip()
    try:
        return ipaddress.ip_network(text.removeprefix("[").removesuffix("]"))
    except ValueError:
        name = _host_name(text)
        if not _HOST_NAME.fullmatch(name):
            raise ValueError(f"{text!r} is neither a host name nor an IP network") from None
        return name


def resolve(host: str, port: int, *, allow_private: AllowPrivate) -> list[str]:
    """The addresses to connect to for `host`: each public, or a private one `allow_private`
    lets through. HostRefused if any is not (a name with one refused address among public ones
    is refused: which one a connection would get is not ours to choose); OSError if it does not
    resolve."""
    allowed = PrivateHosts.of(allow_private)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if allowed.everything:
        return addresses
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # without an IPv6 scope id
        if not is_public(address) and not allowed.allows(host=host, address=address):
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
    limits = JsonLimits(max_depth=max_depth, max_bytes=settings.OUTBOUND_MAX_ANSWER_BYTES)
    try:
        return parse_json(text, limits=limits, what="The answer")
    except JsonTooDeep:
        raise AnswerRefused(f"The answer was nested more than {max_depth} levels deep.") from None
    except JsonInputError as exc:
        # `reason` is json's account of malformed text (a position in it): "not JSON" says enough.
        # Without one, the message is a limit and our figures.
        raise AnswerRefused(NOT_JSON if exc.reason else str(exc)) from None


class _CheckedBackend(httpcore2.SyncBackend):
    """Connects only to the checked addresses of a host, in the resolver's order."""

    def __init__(self, *, allow_private: AllowPrivate) -> None:
        self.allow_private = PrivateHosts.of(allow_private)

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

    def __init__(self, *, allow_private: AllowPrivate, max_answer_bytes: int) -> None:
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
    allow_private: AllowPrivate,
    timeout: httpx2.Timeout,
    follow_redirects: bool = False,
    max_answer_bytes: int | None = None,
    **options,
) -> httpx2.Client:
    """An httpx client whose every connection (redirects included) goes to public addresses, or
    to private ones `allow_private` lets through (True: any; False: none; or host names and
    networks, see PrivateHosts), and whose answers are read up to `max_answer_bytes` (by default
    OUTBOUND_MAX_ANSWER_BYTES). Close it (a `with` block) when done."""
    limit = max_answer_bytes or settings.OUTBOUND_MAX_ANSWER_BYTES
    return httpx2.Client(
        transport=CheckedTransport(allow_private=allow_private, max_answer_bytes=limit),
        timeout=timeout,
        follow_redirects=follow_redirects,
        trust_env=False,
        **options,
    )
