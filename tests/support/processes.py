"""Run the project's own processes (manage.py commands, the cluster, servers) and stop them.

The benchmarks (bench/) and scripts/fuzz_api.py start and stop their servers with these too, as
they start the sandboxes through tests/fixtures: one way to wait for a server and to end it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parents[2]


def current_database_url() -> str:
    """The URL of the database this test run uses (the test database, not the configured one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def project_env(**overrides: str | None) -> dict[str, str]:
    """The environment for a child process: this one's, the test database, then overrides.

    An override of None removes the variable, to test what a missing one does.
    """
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["DATABASE_URL"] = current_database_url()
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(code: str, *, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_manage(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_manage(*args: str, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def free_port() -> int:
    """A port free on the loopback now, for a server we are about to start on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, *, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Return once `url` answers 200: the server we started is up. RuntimeError when `timeout`
    seconds pass first, or at once when `process` (the server) has exited meanwhile; a `process`
    that never answered is stopped before, since nobody can use it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited ({process.returncode}) before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:  # not listening yet, or an error status while it loads (HTTPError is one)
            pass
        time.sleep(0.1)
    if process is not None:
        stop(process)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s")


def stop(process: subprocess.Popen, *, timeout: float = 20) -> None:
    """TERM a process we started, KILL it if it has not gone within `timeout` (see stop_all)."""
    stop_all([process], timeout=timeout)


def stop_all(processes: Iterable[subprocess.Popen], *, timeout: float = 20) -> None:
    """TERM every process first, so that they wind down together rather than one after another,
    then wait up to `timeout` for each. TERM goes to the process alone: a gunicorn master or a
    qcluster stops its own workers. One still there is KILLed, with its process group when it
    leads one (started with start_new_session), so no worker outlives it; a process in our own
    group is KILLed alone, never the group we run in."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.wait(timeout=5)


def _kill(process: subprocess.Popen) -> None:
    try:
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:  # gone between the wait and the kill
        pass


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped: a worker that is gone."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
