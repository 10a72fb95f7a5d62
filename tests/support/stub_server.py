"""A real HTTP server on a loopback address, in a thread, answering every request with one fixed
answer: what an internal service (a database's HTTP port, a metadata endpoint) would say to a
provider URL pointed at it. It keeps the requests it got, and their headers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubServer:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self._server.server_address[1]


@contextmanager
def stub_server(
    *,
    status: int = 200,
    body: str | bytes = "",
    headers: dict[str, str] | None = None,
    host: str = "127.0.0.1",
    send_length: bool = True,
) -> Iterator[StubServer]:
    """Serve `status`, `body` (as JSON's content type) and `headers` to every request on `host`.
    Without `send_length`, the body's end is the connection's (HTTP/1.0): its size is not known
    before it is read."""
    stub: StubServer

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            stub.requests.append(f"{self.command} {self.path}")
            stub.headers.append({name.lower(): value for name, value in self.headers.items()})
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            payload = body if isinstance(body, bytes) else body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if send_length:
                self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: what a limit on its side does

        do_GET = do_POST = _answer

        def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
            pass

    server_class = ThreadingHTTPServer
    if ":" in host:
        server_class = type("Server6", (ThreadingHTTPServer,), {"address_family": socket.AF_INET6})
    server = server_class((host, 0), Handler)
    stub = StubServer(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
