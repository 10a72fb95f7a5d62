"""The newcomer's path: `make demo` prints little besides its banner, Ctrl-C ends it cleanly (every
process gone, no "Error" from make), and `make superuser`, as the banner prints it, makes an
operator who can sign in to the admin. A real run of scripts/demo.sh through make, in a directory
of its own and on free ports; the local LLM is left out (it is tested on its own)."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.processes import PROJECT_DIR, free_port, wait_for_http

pytestmark = pytest.mark.skipif(
    not (PROJECT_DIR / ".venv" / "bin" / "python").exists(), reason="make's targets use .venv"
)


def _demo_env(demo_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "ENV_FILE"))}
    ports = {name: str(free_port()) for name in ("WEB_PORT", "SANDBOX_PORT", "LOCAL_LLM_PORT", "LLM_SANDBOX_PORT")}
    return {**env, **ports, "DEMO_DIR": str(demo_dir), "DEMO_LOCAL_LLM": "0"}


def _wait_for_banner(process: subprocess.Popen, *, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if "Ctrl-C stops them all" in line:
            return lines
    raise AssertionError("the demo printed no banner:\n" + "\n".join(lines))


def _left_behind(demo_dir: Path) -> list[str]:
    """Every process still carrying this demo's DEMO_DIR, wherever it is (the clusters run in
    sessions of their own, so the demo's process group alone would miss their workers)."""
    marker = f"DEMO_DIR={demo_dir}".encode()
    left = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker in (proc / "environ").read_bytes().split(b"\0"):
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                left.append(f"{proc.name} {command}")
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return left


def test_the_demo_starts_quietly_stops_cleanly_on_ctrl_c_and_make_superuser_works(tmp_path):
    env = _demo_env(tmp_path / "demo")
    demo = subprocess.Popen(
        ["make", "-s", "demo", f"DEMO_DIR={tmp_path / 'demo'}"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
        # ...and Ctrl-C heard as in a terminal, even when this suite runs as a background job: such
        # a job starts with SIGINT ignored, and a shell cannot trap a signal ignored on entry.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        before_banner = _wait_for_banner(demo, timeout=180)
        web = f"http://127.0.0.1:{env['WEB_PORT']}"
        wait_for_http(f"{web}/health", timeout=60)
        # Quiet: the generated-secrets note, one line for the database, then the banner.
        start = next(i for i, line in enumerate(before_banner) if "Linernotes is running" in line)
        chatter = [line for line in before_banner[:start] if line.strip()]
        assert len(chatter) <= 2, chatter
        assert "make superuser" in "\n".join(before_banner)
    finally:
        # Ctrl-C: the terminal sends SIGINT to the whole foreground process group.
        os.killpg(demo.pid, signal.SIGINT)
        try:
            rest, _ = demo.communicate(timeout=60)
        except subprocess.TimeoutExpired as slow:
            # Say what still held the demo's output open, then clear it away for the next tests.
            held = _left_behind(tmp_path / "demo")
            os.killpg(demo.pid, signal.SIGKILL)
            for line in held:
                with contextlib.suppress(ValueError, ProcessLookupError):
                    os.kill(int(line.split()[0]), signal.SIGKILL)
            raise AssertionError(
                "the demo did not stop within 60 s of Ctrl-C; still running:\n" + "\n".join(held)
                + f"\noutput so far:\n{slow.output or ''}"
            ) from None

    assert demo.returncode in (0, -signal.SIGINT), rest  # make dies of the signal, or exits 0
    assert "Error" not in rest and "Interrupt" not in rest and "Stopped." in rest
    deadline = time.monotonic() + 10  # the demo has exited: what it stopped is at most reaping
    while _left_behind(tmp_path / "demo") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _left_behind(tmp_path / "demo"), "demo processes outlived Ctrl-C:\n" + "\n".join(_left_behind(tmp_path / "demo"))

    made = subprocess.run(
        ["make", "-s", "superuser", f"DEMO_DIR={tmp_path / 'demo'}", "SUPERUSER_ARGS=--noinput"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120,
        env={**env, "DJANGO_SUPERUSER_USERNAME": "operator", "DJANGO_SUPERUSER_PASSWORD": "a-long-demo-password-7",
             "DJANGO_SUPERUSER_EMAIL": "operator@example.org"},
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    with sqlite3.connect(tmp_path / "demo" / "linernotes.sqlite3") as db:
        assert db.execute("SELECT is_superuser, is_staff FROM accounts_user WHERE username = 'operator'").fetchone() == (1, 1)


def test_make_superuser_before_the_demo_says_what_to_run_first(tmp_path):
    made = subprocess.run(
        ["make", "-s", "superuser", f"DEMO_DIR={tmp_path}"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60, env=_demo_env(tmp_path),
    )  # fmt: skip
    assert made.returncode != 0
    assert "Run `make demo` once first" in made.stderr
