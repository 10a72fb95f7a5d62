"""Shared by bench/scale_out.py and bench/fairness.py: many sandbox listeners, real cluster
processes (interactive and bulk, as separate OS processes sharing only PostgreSQL and Redis),
and waiting for their runs to end.

Both benchmarks need PostgreSQL and Redis (the ORM broker is for one host): DATABASE_URL and
REDIS_URL, defaulting to the local servers; each uses a database of its own, created and
dropped here, and a Redis database of its own (never the test suite's 0).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_library import CLIENT_ID, CLIENT_SECRET, Sandbox, prepare_database, start_sandbox  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/postgres"
TERMINAL = ("succeeded", "failed", "cancelled")


@dataclass
class Stack:
    """The servers a benchmark runs against, and the environment its cluster processes get."""

    sandbox: Sandbox
    llm_url: str
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: list[pathlib.Path] = field(default_factory=list)


def setup(
    *, database: str, redis_db: int, settings_module: str = "config.settings.test"
) -> tuple[str, Callable[[], None], str]:
    """A throwaway PostgreSQL database and Django set up on it; (database url, drop, redis url)."""
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    if not base.startswith("postgres"):
        raise SystemExit("This benchmark needs PostgreSQL (DATABASE_URL=postgres://…): clusters on separate hosts share it.")
    database_url, drop = prepare_database(base, name=database)
    redis_base = (os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    redis_url = f"{redis_base}/{redis_db}"
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE=settings_module,
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.core.cache import cache
    from django_q.brokers import get_broker

    # The bench's own Redis database: an earlier run's throttle counts (user ids start again at 1
    # in the new database) and cached answers must not carry over.
    cache.clear()

    from core.queues import QUEUES, cluster_name

    for queue in QUEUES:
        get_broker(cluster_name(queue)).purge_queue()
    return database_url, drop, redis_url


def start_servers(log, *, sandbox_args: tuple[str, ...] = ()) -> tuple[list[subprocess.Popen], Sandbox, str]:
    """The Spotify sandbox (no validation: it would dominate the figures) and the LLM sandbox."""
    from tests.fixtures.llm_sandbox import start_llm_sandbox

    spotify_process, url = start_sandbox(log, *sandbox_args)
    llm_process, llm = start_llm_sandbox(log)
    return [spotify_process, llm_process], Sandbox(url), llm.url


def cluster_env(*, sandbox: Sandbox, llm_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SPOTIFY_API_URL=f"{sandbox.url}/v1",
        SPOTIFY_ACCOUNTS_URL=sandbox.url,
        SPOTIFY_CLIENT_ID=CLIENT_ID,
        SPOTIFY_CLIENT_SECRET=CLIENT_SECRET,
        LYRICS_API_URL=f"{llm_url}/lrclib",
        **extra,
    )
    return env


def start_clusters(env: dict[str, str], *, interactive: int, bulk: int, folder: pathlib.Path) -> list[subprocess.Popen]:
    """`interactive` + `bulk` qcluster processes, each its own OS process (as on separate hosts)."""
    from core.queues import BULK, INTERACTIVE, cluster_name

    processes = []
    for queue, count in ((INTERACTIVE, interactive), (BULK, bulk)):
        for number in range(count):
            log = open(folder / f"qcluster-{queue}-{number}.log", "w")  # noqa: SIM115 - lives with the process
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "qcluster"],
                    cwd=ROOT,
                    env={**env, "Q_CLUSTER_NAME": cluster_name(queue)},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    time.sleep(3)  # the sentinels spawn their workers; not counted
    return processes


def create_listeners(sandbox: Sandbox, sizes: list[list[int]], *, prefix: str) -> list[dict]:
    """Sandbox listeners owning playlists of `sizes` (one list per listener)."""
    return [
        sandbox.control("POST", "users", {"id": f"{prefix}_{n:02d}", "playlists": playlists})
        for n, playlists in enumerate(sizes)
    ]


def connect(sandbox: Sandbox, spotify_id: str):
    """Our user for a sandbox listener, with real sandbox tokens, as after a sign-in."""
    from accounts.credentials import store_spotify_grant
    from accounts.models import User

    grant = sandbox.control("POST", "tokens", {"user": spotify_id, "client_id": CLIENT_ID})
    user, _ = User.objects.get_or_create(username=spotify_id, defaults={"display_name": spotify_id})
    store_spotify_grant(user=user, grant=grant, spotify_user_id=spotify_id)
    return user


def add_llm_provider(llm_url: str) -> None:
    from llm.models import Provider, ProviderKind
    from tests.fixtures.llm_sandbox import PRIMARY_MODEL

    Provider.objects.update_or_create(
        name="primary",
        defaults={
            "kind": ProviderKind.OPENAI,
            "base_url": f"{llm_url}/primary/v1",
            "model": PRIMARY_MODEL,
            "priority": 10,
            "read_timeout": 30.0,
            "enabled": True,
        },
    )


def wait_until(done: Callable[[], bool], *, timeout: float, what: str, poll: float = 0.2) -> float:
    """Seconds until `done()`; SystemExit naming `what` after `timeout`."""
    start = time.monotonic()
    while not done():
        if time.monotonic() - start > timeout:
            raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)
    return time.monotonic() - start


def scratch_folder() -> pathlib.Path:
    return pathlib.Path(tempfile.mkdtemp(prefix="linernotes-bench-"))
