"""core.outbound: connections only to public addresses unless allowed, checked where the socket
opens (every resolved address, IPv4 and IPv6, each redirect hop), and answers read within limits
(size, no compression, JSON depth), with real servers on loopback."""

from __future__ import annotations

import gzip
import ipaddress

import httpx2
import pytest

from core import outbound
from core.outbound import AnswerRefused, HostRefused, PrivateHosts, is_public
from tests.support.stub_server import stub_server

TIMEOUT = httpx2.Timeout(5.0)


def _get(
    url: str,
    *,
    allow_private=False,
    follow_redirects: bool = False,
    max_answer_bytes: int | None = None,
) -> httpx2.Response:
    options = {"timeout": TIMEOUT, "follow_redirects": follow_redirects, "max_answer_bytes": max_answer_bytes}
    with outbound.client(allow_private=allow_private, **options) as client:
        return client.get(url)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.1",
        "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "fec0::1", "ff02::1", "2001:db8::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::", "2002:a00:1::", "64:ff9b::a00:1",
    ],
)  # fmt: skip
def test_private_loopback_link_local_and_reserved_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "151.101.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_globally_routable_addresses_are_public(address):
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("form", "address", "public"),
    [
        ("mapped", "::ffff:127.0.0.1", False),
        ("mapped", "::ffff:10.0.0.1", False),
        ("mapped", "::ffff:169.254.169.254", False),
        ("mapped", "::ffff:8.8.8.8", True),
        ("compatible", "::127.0.0.1", False),
        ("compatible", "::10.0.0.1", False),
        ("compatible", "::169.254.169.254", False),
        ("compatible", "::192.168.1.1", False),
        ("compatible", "::8.8.8.8", True),
        ("nat64", "64:ff9b::127.0.0.1", False),
        ("nat64", "64:ff9b::10.0.0.1", False),
        ("nat64", "64:ff9b::169.254.169.254", False),
        ("nat64", "64:ff9b::8.8.8.8", True),
        ("6to4", "2002:7f00:1::1", False),
        ("6to4", "2002:a00:1::1", False),
        ("6to4", "2002:a9fe:a9fe::1", False),
        ("6to4", "2002:c0a8:101::1", False),
        ("6to4", "2002:808:808::1", True),
    ],
)
def test_an_ipv6_address_carrying_an_ipv4_one_is_judged_by_that_ipv4_address(form, address, public):
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("address", ["64:ff9b:1::808:808", "64:ff9b:1::a00:1", "64:ff9b:1:ffff::1"])
def test_local_use_nat64_is_never_public_whatever_it_carries(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # server 65.54.227.120, client 192.0.2.45
        "2001:0:808:808:8000:f227:f7f7:f7f7",  # server and client 8.8.8.8
    ],
)
def test_teredo_is_never_public_whatever_it_carries(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("flag", "address"),
    [
        ("reserved", "240.0.0.1"),
        ("reserved", "::ffff:0:808:808"),  # IPv4-translated (SIIT), inside the reserved ::/8
        ("multicast", "239.1.1.1"),
        ("multicast", "ff0e::1"),  # global scope: Python calls it is_global
        ("unspecified", "0.0.0.0"),
        ("unspecified", "::"),
        ("site_local", "fec0::1"),
        ("site_local", "feff::1"),
    ],
)
def test_reserved_multicast_unspecified_and_site_local_addresses_are_not_public(flag, address):
    parsed = ipaddress.ip_address(address)
    assert getattr(parsed, f"is_{flag}")

    assert not is_public(parsed)


def test_a_loopback_server_is_refused_before_any_byte_is_sent_unless_allowed():
    with stub_server(body="{}") as server:
        with pytest.raises(HostRefused):
            _get(server.url)
        assert server.requests == []

        assert _get(server.url, allow_private=True).status_code == 200
        assert server.requests == ["GET /"]


def test_a_host_name_is_judged_by_the_addresses_it_resolves_to():
    with stub_server(body="{}") as server, pytest.raises(HostRefused) as refused:
        _get(f"http://localhost:{server.port}/")

    assert server.requests == []
    assert str(refused.value) == "localhost resolves to a private, loopback or link-local address"


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3:9/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://[::127.0.0.1]:9/",
        "http://[64:ff9b::7f00:1]:9/",
        "http://[64:ff9b:1::808:808]:9/",
        "http://[2002:7f00:1::1]:9/",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]:9/",
        "http://[fe80::1]:9/",
        "http://0.0.0.0:9/",
        "https://192.168.0.1/",
    ],
)
def test_private_addresses_are_refused_without_a_connection_attempt(url):
    with pytest.raises(HostRefused):
        _get(url)


def test_an_ipv6_loopback_server_is_refused_too():
    try:
        context = stub_server(body="{}", host="::1")
        server = context.__enter__()
    except OSError:
        pytest.skip("this machine has no IPv6 loopback (the literal [::1] is refused above all the same)")
    try:
        with pytest.raises(HostRefused):
            _get(server.url)
        assert server.requests == []
        assert _get(server.url, allow_private=True).status_code == 200
    finally:
        context.__exit__(None, None, None)


def test_each_redirect_hop_is_checked_as_it_connects(monkeypatch):
    # Two servers on loopback stand for a public host that redirects to an internal one: only
    # 127.0.0.1 counts as public here, so the policy is the one thing this test replaces.
    monkeypatch.setattr(outbound, "is_public", lambda address: str(address) == "127.0.0.1")
    with stub_server(host="127.0.0.2", body="internal") as internal:
        with stub_server(status=302, headers={"Location": f"{internal.url}/secret"}) as public:
            with pytest.raises(HostRefused):
                _get(f"{public.url}/start", follow_redirects=True)

            assert public.requests == ["GET /start"]
    assert internal.requests == []


def test_an_allow_list_lets_through_only_the_private_hosts_it_names():
    with stub_server(body="{}") as server:
        for allowed in (["10.0.0.0/8"], ["fd00::/8"], ["ollama"], "ollama,10.0.0.0/8"):
            with pytest.raises(HostRefused):
                _get(server.url, allow_private=allowed)
        assert server.requests == []

        for allowed in (["127.0.0.1"], ["127.0.0.0/8"], "ollama, 127.0.0.0/8", ("ollama", "127.0.0.1")):
            assert _get(server.url, allow_private=allowed).status_code == 200
        assert len(server.requests) == 4


def test_a_host_name_on_the_allow_list_lets_its_own_name_through_and_no_other():
    with stub_server(body="{}") as server:
        assert _get(f"http://LocalHost:{server.port}/", allow_private=["localhost."]).status_code == 200

        # The same address under another name (here, its literal) is not on the list.
        with pytest.raises(HostRefused):
            _get(server.url, allow_private=["localhost"])
    assert server.requests == ["GET /"]


def test_an_allow_list_checks_each_redirect_hop_too():
    with stub_server(host="127.0.0.2", body="internal") as internal:
        with stub_server(status=302, headers={"Location": f"{internal.url}/secret"}) as allowed:
            with pytest.raises(HostRefused):
                _get(f"{allowed.url}/start", allow_private=["127.0.0.1"], follow_redirects=True)

            assert allowed.requests == ["GET /start"]
    assert internal.requests == []


@pytest.mark.parametrize(
    ("allowed", "address", "verdict"),
    [
        (["10.0.0.0/8"], "10.1.2.3", True),
        (["10.0.0.0/8"], "::ffff:10.1.2.3", True),  # the IPv4 address it carries is listed
        (["10.0.0.0/8"], "64:ff9b::a01:203", True),
        (["10.0.0.0/8"], "11.0.0.1", False),
        (["10.0.0.0/8"], "fd00::1", False),
        (["fd00::/8"], "fd12::1", True),
        (["[::1]"], "::1", True),
        (["127.0.0.1"], "127.0.0.2", False),
        (["ollama"], "10.1.2.3", False),  # a name allows by name only
        (True, "169.254.169.254", True),
        (False, "10.1.2.3", False),
        ([], "10.1.2.3", False),
    ],
)
def test_a_network_on_the_allow_list_lets_its_addresses_through_under_any_name(allowed, address, verdict):
    assert PrivateHosts.of(allowed).allows(host="some-name", address=ipaddress.ip_address(address)) is verdict


def test_host_names_on_the_allow_list_match_whatever_their_case_or_final_dot():
    allowed = PrivateHosts.of("Ollama.,llm.internal")
    address = ipaddress.ip_address("10.1.2.3")

    assert allowed.allows(host="ollama", address=address)
    assert allowed.allows(host="LLM.internal.", address=address)
    assert not allowed.allows(host="ollama.evil.example", address=address)
    assert not allowed.allows(host="internal", address=address)


@pytest.mark.parametrize("entry", ["10.0.0.1/8", "10.0.0.0/33", "not a host", "http://ollama", "-ollama"])
def test_an_allow_list_entry_that_is_neither_a_name_nor_a_network_is_refused(entry):
    with pytest.raises(ValueError):
        PrivateHosts.of([entry])


def test_an_unknown_host_is_a_connect_error_not_a_refusal():
    with pytest.raises(httpx2.ConnectError):
        _get("http://no-such-host.invalid/")


def test_was_refused_finds_the_refusal_inside_an_sdks_wrapping():
    try:
        try:
            raise HostRefused("internal.example")
        except HostRefused as inner:
            raise RuntimeError("connection error") from inner
    except RuntimeError as outer:
        assert outbound.was_refused(outer)
    assert not outbound.was_refused(RuntimeError("other"))


LIMIT = 64 * 1024


@pytest.mark.parametrize("send_length", [True, False], ids=["declared", "unknown-length"])
def test_an_answer_longer_than_the_limit_is_refused_in_our_words(send_length):
    with (
        stub_server(body="x" * (4 * LIMIT), send_length=send_length) as server,
        pytest.raises(AnswerRefused) as refused,
    ):
        _get(server.url, allow_private=True, max_answer_bytes=LIMIT)

    assert str(refused.value) == "The answer was larger than 64 KB (65,536 bytes)."


@pytest.mark.parametrize("send_length", [True, False], ids=["declared", "unknown-length"])
def test_an_answer_of_exactly_the_limit_is_read_whole(send_length):
    with stub_server(body="x" * LIMIT, send_length=send_length) as server:
        response = _get(server.url, allow_private=True, max_answer_bytes=LIMIT)

    assert len(response.content) == LIMIT


def test_the_limit_defaults_to_the_setting(settings):
    settings.OUTBOUND_MAX_ANSWER_BYTES = LIMIT
    with stub_server(body="x" * (LIMIT + 1)) as server, pytest.raises(AnswerRefused):
        _get(server.url, allow_private=True)


def test_an_uncompressed_answer_is_asked_for_and_a_compressed_one_refused():
    # 64 KB of gzip that would inflate to 64 MB: the byte count of what was read means nothing
    # once a decoder multiplies it.
    bomb = gzip.compress(b"[" * (64 * 1024 * 1024))
    with (
        stub_server(body=bomb, headers={"Content-Encoding": "gzip"}) as server,
        pytest.raises(AnswerRefused) as refused,
    ):
        _get(server.url, allow_private=True)

    assert server.headers[0]["accept-encoding"] == "identity"
    assert str(refused.value) == "The answer was compressed, which we did not ask for."


def _json_of(body: str):
    with (
        stub_server(body=body) as server,
        outbound.client(allow_private=True, timeout=TIMEOUT) as client,
        client.stream("GET", server.url) as response,
    ):
        return outbound.read_json(response)


def test_read_json_reads_an_answer_within_the_limits():
    assert _json_of('{"models": [{"name": "llama3.1:8b"}]}') == {"models": [{"name": "llama3.1:8b"}]}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 10_000 + '"SECRET"' + "]" * 10_000, "The answer was nested more than 32 levels deep."),
        ('{"SECRET": ', "The answer was not JSON."),
        ("<html>SECRET</html>", "The answer was not JSON."),
        ('{"energy": NaN}', "The answer was not JSON."),
    ],
    ids=["nested", "truncated", "html", "nan"],
)
def test_read_json_refuses_an_answer_in_its_own_words_never_the_answers(body, reason, settings):
    settings.JSON_MAX_DEPTH = 32
    with pytest.raises(AnswerRefused) as refused:
        _json_of(body)

    assert str(refused.value) == reason


def test_refusal_finds_the_answer_refusal_inside_an_sdks_wrapping():
    try:
        try:
            raise AnswerRefused("The answer was not JSON.")
        except AnswerRefused as inner:
            raise RuntimeError("connection error") from inner
    except RuntimeError as outer:
        assert str(outbound.refusal(outer)) == "The answer was not JSON."
    assert outbound.refusal(RuntimeError("other")) is None
