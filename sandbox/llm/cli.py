"""`python -m sandbox.llm`: parse options, build the lyrics index from the catalog, serve on loopback."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence

from werkzeug.serving import WSGIRequestHandler, make_server

from sandbox.catalog import build_catalog
from sandbox.llm.app import LlmSandboxApp
from sandbox.llm.lyrics import LyricsBook
from sandbox.llm.state import DEFAULT_PROVIDERS, LlmState, Provider, parse_provider

DEFAULT_PORT = 8766


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.llm",
        description="LLM (OpenAI-compatible, RunPod, Ollama) and LRCLIB lyrics sandbox.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port; 0 picks a free one (default: %(default)s)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=1,
        help="answer seed, and the catalog seed for lyrics (default: %(default)s)",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="catalog size factor, as the Spotify sandbox's (default: 1.0)",
    )
    parser.add_argument(
        "--provider",
        action="append",
        dest="providers",
        metavar="NAME:MODEL[,MODEL...]",
        help=f"a provider and its model ids, repeatable (default: {' and '.join(DEFAULT_PROVIDERS)})",
    )
    parser.add_argument("--log-requests", action="store_true", help="log each request to stderr")
    return parser


def parse_providers(parser: argparse.ArgumentParser, specs: Sequence[str] | None) -> list[Provider]:
    providers = []
    for spec in specs or DEFAULT_PROVIDERS:
        try:
            providers.append(parse_provider(spec))
        except ValueError as error:
            parser.error(str(error))
    names = [p.name for p in providers]
    if len(set(names)) != len(names):
        parser.error("Provider names must be unique.")
    return providers


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    providers = parse_providers(parser, options.providers)
    started = time.perf_counter()
    catalog = build_catalog(seed=options.seed, scale=options.scale)
    state = LlmState(seed=options.seed, providers=providers, lyrics=LyricsBook(catalog))
    handler = WSGIRequestHandler if options.log_requests else _QuietHandler
    server = make_server(
        options.host, options.port, LlmSandboxApp(state=state), threaded=True, request_handler=handler
    )
    # SIGTERM (from the test fixture or a process manager) ends the loop like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    listing = ", ".join(f"{p.name} ({', '.join(p.models)})" for p in providers)
    print(
        f"providers: {listing}; lyrics for {len(catalog.tracks)} tracks (seed {options.seed}); "
        f"ready in {(time.perf_counter() - started) * 1000:.0f} ms",
        file=sys.stderr,
        flush=True,
    )
    print(f"LLM sandbox listening on http://{options.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass
