"""`python -m sandbox` and `manage.py sandbox`: parse options, build the catalog, serve on loopback."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from sandbox.app import SandboxApp
from sandbox.catalog import build_catalog, current_anchor
from sandbox.config import MODES, StartupOptions, parse_anchor
from sandbox.state import SandboxState
from sandbox.validation import ResponseValidator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = StartupOptions()
    parser.add_argument("--host", default=defaults.host, help="interface to bind (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=defaults.port, help="port; 0 picks a free one (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=defaults.seed, help="catalog seed (default: %(default)s)")
    parser.add_argument(
        "--scale", type=float, default=defaults.scale, help="catalog size factor (default: %(default)s)"
    )
    parser.add_argument(
        "--mode", choices=MODES, default=defaults.mode, help="app mode (default: %(default)s)"
    )
    parser.add_argument("--auto-approve", action="store_true", help="skip the consent page in /authorize")
    parser.add_argument(
        "--token-lifetime",
        type=int,
        default=defaults.token_lifetime,
        metavar="SECONDS",
        help="access token lifetime (default: %(default)s)",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        metavar="N",
        help="requests per rolling 30 s window per app (default: off)",
    )
    parser.add_argument(
        "--client-id", default=defaults.client_id, help="the one registered app (default: %(default)s)"
    )
    parser.add_argument(
        "--client-secret", default=defaults.client_secret, help="its secret (default: %(default)s)"
    )
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=None,
        dest="redirect_uris",
        metavar="URI",
        help="allowed redirect URI, repeatable (default: any http loopback URI)",
    )
    parser.add_argument(
        "--validate-responses",
        action="store_true",
        help="check every /v1 JSON response against the bundled OpenAPI spec",
    )
    parser.add_argument("--app-name", default=defaults.app_name, help="name on the consent page")
    parser.add_argument("--log-requests", action="store_true", help="log each request to stderr")
    parser.add_argument(
        "--live-listening",
        action="store_true",
        help="listeners go on listening while the sandbox runs: their plays reach its clock",
    )
    parser.add_argument(
        "--now",
        type=_anchor,
        default=os.environ.get("SANDBOX_NOW") or None,
        metavar="ISO-8601",
        help="the instant the listeners' added_at, plays and top items lead up to "
        "(default: $SANDBOX_NOW, else the start time)",
    )


def options_from(values: Mapping[str, Any]) -> StartupOptions:
    return StartupOptions(
        host=values["host"],
        port=values["port"],
        seed=values["seed"],
        scale=values["scale"],
        mode=values["mode"],
        auto_approve=values["auto_approve"],
        token_lifetime=values["token_lifetime"],
        rate_limit=values["rate_limit"],
        client_id=values["client_id"],
        client_secret=values["client_secret"],
        redirect_uris=tuple(values["redirect_uris"] or ()),
        validate_responses=values["validate_responses"],
        app_name=values["app_name"],
        log_requests=values["log_requests"],
        now=values["now"],
        live_listening=values["live_listening"],
    )


def build_app(options: StartupOptions) -> SandboxApp:
    # Resolved here, not in the options: two parses of the same command line stay equal.
    started = dt.datetime.now(dt.UTC)
    now = options.now or current_anchor()
    catalog = build_catalog(seed=options.seed, scale=options.scale, now=now)
    state = SandboxState(catalog=catalog, options=options, clock_offset=now - started)
    validator = ResponseValidator() if options.validate_responses else None
    return SandboxApp(state=state, validator=validator)


def run(options: StartupOptions) -> None:
    started = time.perf_counter()
    app = build_app(options)
    handler = WSGIRequestHandler if options.log_requests else _QuietHandler
    server = make_server(options.host, options.port, app, threaded=True, request_handler=handler)
    # SIGTERM (from the test fixture or a process manager) ends the loop like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    catalog = app.state.catalog
    print(
        f"catalog: seed {catalog.seed}, {len(catalog.tracks)} tracks, {len(catalog.artists)} artists, "
        f"now {catalog.now.isoformat()}, "
        f"generated in {catalog.generation_ms} ms; ready in {(time.perf_counter() - started) * 1000:.0f} ms",
        file=sys.stderr,
        flush=True,
    )
    print(f"Spotify sandbox listening on http://{options.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Spotify Web API + Accounts sandbox."
    )
    add_arguments(parser)
    run(options_from(vars(parser.parse_args(argv))))
    return 0


def _anchor(raw: str) -> dt.datetime:
    try:
        return parse_anchor(raw)
    except ValueError as error:
        # argparse shows an ArgumentTypeError's own message, naming the option.
        raise argparse.ArgumentTypeError(str(error)) from None


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass
