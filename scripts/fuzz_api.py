"""Fuzz the API: schemathesis against /api/schema/, as a listener and as staff, on a real server.

    .venv/bin/python scripts/fuzz_api.py                       # CI's run (.ci/run): bounded, both identities
    .venv/bin/python scripts/fuzz_api.py --max-time 900        # longer, seconds per identity
    .venv/bin/python scripts/fuzz_api.py --as listener --keep  # then leave the server up to poke at

Set-up: a throwaway SQLite database and the Spotify and LLM sandboxes on free ports, the demo's
settings (config.settings.dev) with DEBUG off and the default throttles and cooldowns, a listener
signed in to the sandbox and imported, with three routed bases, insights and analyses, and a
staff member (scripts/fuzz_seed.py), then gunicorn on a free port. No cluster runs: what the fuzzer
queues stays queued, so it costs no LLM call and no Spotify write; requests that call Spotify
from the web process (creating a child, the preview's "read the children") reach the sandbox.

Then schemathesis (scripts/fuzz_api.toml: its checks, phases and the reasons for every setting)
once per identity with that identity's API token (handed over in the environment, never on a
command line or in the output; --keep writes them to a file only the user may read), every
phase, every check, each run bounded by --max-time; about half the valid values of a parameter
named like a seeded object's (id, run_id, spotify_id, task_id, snapshot, playlist) are real ones.
Exit status 0 only when neither run found a failure: no 5xx, no answer or body the schema does
not describe, no valid request refused, no invalid one accepted. The figures (operations, cases,
failures) are printed; the logs and reports are kept, in the printed folder, when something failed.

Left out or relaxed, and why (fuzz_api.toml holds the settings, the README says the same):
- /api/me/tokens/ and /api/me/tokens/{id}: a listener may revoke any of their tokens, the one
  the fuzzer signs in with included, and every later request would be a 401. tests/accounts
  cover them.
- `positive_data_acceptance` also accepts a 400 where a rule is one JSON Schema cannot state (the
  description says it): the device library (a time more than 5 minutes ahead of the server's clock,
  a playlist without id or local_id, a merge past a limit), snapshots (date_from after date_to),
  history (a cursor not from a link), making a base (a playlist whose tracks Spotify does not let
  the app read), a base's children, their order and the preview (what is stored, and a filter
  document's content), forcing an LLM provider (a configured name).
- The limits guarding Spotify and the LLM stay as deployed: the fuzzer meets their documented 429s
  and does not wait out Retry-After. The device merges get device_sync=100000/hour.
- /api/schema/, /api/docs/, /api/redoc/ serve the schema (SERVE_INCLUDE_SCHEMA off): not in it.
- gunicorn's request-line limit: by default gunicorn answers a request line over 4,094 bytes
  with its own HTML 414 before the API sees it (as a proxy would with its own limit); the
  fuzzed server takes any length (--limit-request-line 0), so the fuzzer's long query strings
  reach the API and get its answers.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.processes import free_port, stop_all, wait_for_http  # noqa: E402

CONFIG = ROOT / "scripts" / "fuzz_api.toml"
CLIENT_ID, CLIENT_SECRET = "linernotes-fuzz", "fuzz-secret"
IDENTITIES = ("listener", "staff")
# schemathesis reads the token from here (the config's `headers`): a command line is visible to
# every user of the machine, and the environment only to this one.
TOKEN_VARIABLE = "LINERNOTES_FUZZ_TOKEN"


def start(command: list[str], *, env: dict[str, str], log: pathlib.Path) -> subprocess.Popen:
    out = open(log, "w")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def server_environment(*, folder: pathlib.Path, spotify: str, llm: str) -> dict[str, str]:
    """The demo's settings, DEBUG off (what a deployment answers), on a database of its own."""
    from cryptography.fernet import Fernet

    providers = [
        {
            "name": "runpod-llama-70b",
            "kind": "runpod",
            "priority": 10,
            "base_url": f"{llm}/primary/v2/fuzz-endpoint",
            "model": "llama-3.1-70b-instruct",
        }
    ]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "ENV_FILE": "/nonexistent",  # never a developer's .env
        "DEBUG": "false",
        "SECRET_KEY": "fuzz-" + "x" * 50,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{folder}/fuzz.sqlite3",
        "REDIS_URL": "",  # the database cache and ORM broker: nothing shared with other runs
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SPOTIFY_CLIENT_ID": CLIENT_ID,
        "SPOTIFY_CLIENT_SECRET": CLIENT_SECRET,
        "SPOTIFY_API_URL": f"{spotify}/v1",
        "SPOTIFY_ACCOUNTS_URL": spotify,
        "LLM_PROVIDERS": json.dumps(providers),
        "LLM_ALLOW_PRIVATE_HOSTS": "true",  # the sandboxes are on the loopback
        "LYRICS_API_URL": f"{llm}/lrclib",
        "LOG_LEVEL": "WARNING",
        # The limits that guard Spotify and the LLM stay as deployed (imports, routes, previews,
        # ingest, insights: the fuzzer meets their 429s); the device merges and the exports' downloads,
        # which cost neither, get room enough for their logic to be fuzzed rather than throttled.
        "THROTTLE_RATES": "device_sync=100000/hour,exports=100000/hour",
    }


def prepare(environment: dict[str, str], *, spotify: str):
    """Migrate, providers, the seeded listener and staff member (scripts/fuzz_seed.py)."""
    os.environ.update(environment)
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("sync_llm_providers", verbosity=0)
    from scripts.fuzz_seed import seed

    request = urllib.request.Request(
        f"{spotify}/_sandbox/tokens",
        data=json.dumps({"user": "demo", "client_id": CLIENT_ID}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        grant = json.load(answer)
    seeded = seed(grant=grant)
    connections.close_all()
    return seeded


def write_config(folder: pathlib.Path, known: dict[str, list]) -> pathlib.Path:
    """fuzz_api.toml, plus the seeded objects' real values as schemathesis dictionaries: about
    half the valid cases of a parameter of that name use one of them."""
    lines = [
        "# Added by scripts/fuzz_api.py: the identity's token, from the environment (top-level key).",
        f'headers = {{ Authorization = "Token ${{{TOKEN_VARIABLE}}}" }}',
        CONFIG.read_text(),
        "",
        "# --- Added by scripts/fuzz_api.py: the seeded objects' values",
    ]
    for name, values in known.items():
        if values:
            lines.append(f"[dictionaries.{name.replace('_', '-')}]")
            lines.append(f"values = {json.dumps(values)}")
    lines.append("[parameters]")
    for name, values in known.items():
        if values:
            lines.append(f'"{name}" = {{ dictionary = "{name.replace("_", "-")}", probability = 0.5 }}')
    for name in ("snapshot", "playlist"):
        if known.get(name):
            lines.append(f'"body.{name}" = {{ dictionary = "{name}", probability = 0.5 }}')
    config = folder / "schemathesis.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


def run_schemathesis(*, url: str, token: str, name: str, args, folder: pathlib.Path, config: pathlib.Path) -> dict:
    """One schemathesis run; its figures from the JSON report."""
    report = folder / f"{name}.json"
    command = [
        str(pathlib.Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(config),
        "--no-color",
        "run", f"{url}/api/schema/",
        "--max-time", str(args.max_time),
        "--seed", str(args.seed),
        "--report", "json,junit",
        "--report-dir", str(folder),
        "--report-json-path", str(report),
        "--report-junit-path", str(folder / f"{name}.junit.xml"),
    ]  # fmt: skip
    print(f"--- schemathesis as the {name} (at most {args.max_time} s)", flush=True)
    started = time.monotonic()
    finished = subprocess.run(command, cwd=ROOT, env={**os.environ, TOKEN_VARIABLE: token}, check=False)
    figures = summarise(report)
    figures.update(name=name, exit=finished.returncode, seconds=round(time.monotonic() - started))
    return figures


def llm_requests(llm: str) -> int | str:
    """Requests the LLM sandbox served (none is expected: no cluster writes what is queued)."""
    try:
        with urllib.request.urlopen(f"{llm}/_llm/counters", timeout=5) as answer:
            return json.load(answer)["total"]
    except (OSError, ValueError, KeyError):
        return "unknown"


def summarise(report: pathlib.Path) -> dict:
    """Operations tested (of those in the schema), cases generated, distinct failures, by kind."""
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return {"operations": None, "cases": None, "failures": None, "kinds": {}}
    operations, cases = data["operations"], data["test_cases"]
    return {
        "operations": f"{operations['tested']}/{operations['total']}",
        "cases": cases["generated"],
        "failures": cases["unique_failures"] + len(data["errors"]),
        "kinds": {f"{f['code']} {f['title']}": f["count"] for f in data["failures"]},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-time", type=int, default=150, help="seconds per identity (default %(default)s)")
    parser.add_argument("--as", dest="identities", choices=[*IDENTITIES, "both"], default="both")
    parser.add_argument("--seed", type=int, default=16, help="schemathesis's random seed (reproducible runs)")
    parser.add_argument("--keep", action="store_true", help="leave the server and sandboxes up afterwards")
    args = parser.parse_args()

    folder = pathlib.Path(tempfile.mkdtemp(prefix="linernotes-fuzz-"))
    print(f"=== fuzzing the API; logs and reports in {folder}", flush=True)
    spotify_port, llm_port, web_port = free_port(), free_port(), free_port()
    spotify, llm, url = (f"http://127.0.0.1:{port}" for port in (spotify_port, llm_port, web_port))
    base_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    processes = [
        start(
            [sys.executable, "-m", "sandbox", "--port", str(spotify_port), "--client-id", CLIENT_ID,
             "--client-secret", CLIENT_SECRET],
            env=base_env, log=folder / "spotify-sandbox.log",
        ),
        start([sys.executable, "-m", "sandbox.llm", "--port", str(llm_port)], env=base_env, log=folder / "llm-sandbox.log"),
    ]  # fmt: skip
    results = []
    llm_calls: int | str = "unknown"
    try:
        wait_for_http(f"{spotify}/_sandbox/health", timeout=60, process=processes[0])
        wait_for_http(f"{llm}/_llm/health", timeout=60, process=processes[1])
        environment = server_environment(folder=folder, spotify=spotify, llm=llm)
        seeded = prepare(environment, spotify=spotify)
        identities = seeded.identities
        config = write_config(folder, seeded.known)
        web = start(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{web_port}",
             "--workers", "2", "--timeout", "60", "--limit-request-line", "0"],
            env=environment, log=folder / "web.log",
        )  # fmt: skip
        processes.append(web)
        wait_for_http(f"{url}/api/schema/", timeout=60, process=web)
        for identity in identities:
            if args.identities in ("both", identity.name):
                results.append(
                    run_schemathesis(
                        url=url, token=identity.token, name=identity.name, args=args, folder=folder, config=config
                    )
                )
        llm_calls = llm_requests(llm)
        if args.keep:
            tokens = keep_tokens(folder, identities)
            shown = ", ".join(f"{i.name} {masked(i.token)}" for i in identities)
            print(f"Server at {url}; tokens ({shown}) in {tokens}")
            input("Enter stops it all. ")
    finally:
        stop_all(reversed(processes))
    print(f"LLM sandbox requests while fuzzing: {llm_calls} (no cluster writes what the fuzzer queues)")
    outcome = report(results, folder, removed=not args.keep)
    if outcome == 0 and not args.keep:
        shutil.rmtree(folder, ignore_errors=True)  # the figures are printed; a failure keeps its reports
    return outcome


def masked(token: str) -> str:
    """What may be printed of a token: its prefix, as the dashboard and the admin show it."""
    from accounts.models import ApiToken

    return f"{ApiToken.prefix_of(token)}…"


def keep_tokens(folder: pathlib.Path, identities) -> pathlib.Path:
    """The tokens, for poking at a kept server, in a file only this user may read."""
    path = folder / "tokens.json"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump({identity.name: identity.token for identity in identities}, out)
    return path


def report(results: list[dict], folder: pathlib.Path, *, removed: bool) -> int:
    print("\n=== API fuzzing: figures")
    failed = False
    for r in results:
        print(
            f"  {r['name']:9} operations {r['operations']}, cases {r['cases']}, failures {r['failures']}, "
            f"{r['seconds']} s, schemathesis exit {r['exit']}"
        )
        for kind, count in r["kinds"].items():
            print(f"    {kind}: {count}")
        failed = failed or r["exit"] != 0 or r["failures"] != 0
    print(f"  logs and reports: {folder}" + (" (removed: nothing failed)" if removed and not failed and results else ""))
    print("API fuzzing: " + ("FAILED" if failed else "passed"))
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
