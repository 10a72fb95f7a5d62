"""How the sandbox starts: `python -m sandbox` without Django, `manage.py sandbox`, and the CLI options."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox import cli
from sandbox.config import StartupOptions
from sandbox.management.commands.sandbox import Command
from tests.fixtures.sandbox import PROJECT_ROOT
from tests.support.processes import free_port, stop


def test_the_sandbox_package_runs_without_importing_django():
    probe = "import sys, sandbox.cli, sandbox.app; print('django' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.strip() == "False", result.stderr


def test_the_management_command_takes_the_same_options_as_the_module():
    argv = [
        "--port",
        "9999",
        "--seed",
        "7",
        "--mode",
        "extended",
        "--auto-approve",
        "--redirect-uri",
        "http://a/cb",
        "--redirect-uri",
        "http://b/cb",
        "--rate-limit",
        "10",
        "--scale",
        "0.5",
        "--validate-responses",
    ]
    parser = Command().create_parser("manage.py", "sandbox")
    from_command = cli.options_from(vars(parser.parse_args(argv)))
    module_parser = argparse.ArgumentParser()
    cli.add_arguments(module_parser)

    assert from_command == cli.options_from(vars(module_parser.parse_args(argv)))
    assert from_command.redirect_uris == ("http://a/cb", "http://b/cb")
    assert (from_command.client_id, from_command.client_secret) == ("linernotes-sandbox", "sandbox-secret")
    assert StartupOptions().host == "127.0.0.1" and StartupOptions().token_lifetime == 3600


@pytest.fixture(scope="module")
def configured_process():
    """A second, small sandbox started with non-default CLI options."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sandbox",
                "--port",
                str(port),
                "--seed",
                "7",
                "--scale",
                "0.1",
                "--mode",
                "extended",
                "--auto-approve",
                "--token-lifetime",
                "120",
                "--rate-limit",
                "50",
                "--redirect-uri",
                "http://127.0.0.1:9/cb",
                "--client-id",
                "cli-client",
                "--client-secret",
                "cli-secret",
            ],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            ready = process.stdout.readline().strip()
            yield f"http://127.0.0.1:{port}", ready
        finally:
            stop(process, timeout=5)


def test_the_cli_prints_the_ready_line_and_applies_its_options(configured_process):
    url, ready_line = configured_process
    config = requests.get(f"{url}/_sandbox/config", timeout=10).json()
    stats = requests.get(f"{url}/_sandbox/stats", timeout=10).json()

    assert ready_line == f"Spotify sandbox listening on {url}"
    assert config["mode"] == "extended" and config["auto_approve"] is True
    assert config["token_lifetime"] == 120 and config["rate_limit"]["budget"] == 50
    assert stats["seed"] == 7 and stats["users"]["demo"]["items"] == round(11_629 * 0.1)
    assert stats["users"]["demo"]["playlists_owned"] == 70


def test_a_configured_redirect_uri_is_the_only_one_accepted(configured_process):
    url, _ = configured_process
    params = {"client_id": "cli-client", "response_type": "code", "state": "q"}

    listed = requests.get(
        f"{url}/authorize",
        params={**params, "redirect_uri": "http://127.0.0.1:9/cb"},
        allow_redirects=False,
        timeout=10,
    )
    other_loopback = requests.get(
        f"{url}/authorize",
        params={**params, "redirect_uri": "http://127.0.0.1:9/other"},
        allow_redirects=False,
        timeout=10,
    )
    code = parse_qs(urlsplit(listed.headers["Location"]).query)["code"][0]
    tokens = requests.post(
        f"{url}/api/token",
        auth=("cli-client", "cli-secret"),
        timeout=10,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/cb"},
    )

    assert listed.status_code == 302 and other_loopback.status_code == 400
    assert tokens.json()["expires_in"] == 120
