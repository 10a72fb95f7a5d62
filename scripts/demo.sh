#!/usr/bin/env bash
# The offline demo: the Spotify sandbox, the LLM sandbox, the local LLM (llama.cpp), the web
# server and a Django-Q2 cluster, all on SQLite, with secrets generated once into var/demo.env.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WEB_PORT=${WEB_PORT:-8000}
SANDBOX_PORT=${SANDBOX_PORT:-8001}
LOCAL_LLM_PORT=${LOCAL_LLM_PORT:-8002}
LLM_SANDBOX_PORT=${LLM_SANDBOX_PORT:-8003}
# Where the demo keeps its secrets, database and logs (the tests point it at a directory of
# their own); DEMO_LOCAL_LLM=0 leaves the local LLM out (the sandbox's provider answers alone).
DEMO_DIR=${DEMO_DIR:-var}
DEMO_LOCAL_LLM=${DEMO_LOCAL_LLM:-1}
ENV_FILE=$DEMO_DIR/demo.env
mkdir -p "$DEMO_DIR"

if [ ! -f "$ENV_FILE" ]; then
  "$PY" - "$ENV_FILE" <<'PYEOF'
import secrets, sys
from cryptography.fernet import Fernet
with open(sys.argv[1], "w") as f:
    f.write(f"SECRET_KEY={secrets.token_urlsafe(50)}\n")
    f.write(f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n")
PYEOF
  echo "Generated secrets into $ENV_FILE (keep it: it decrypts the stored tokens)."
fi
# The database goes in the env file too, so `make superuser` (ENV_FILE=$ENV_FILE) finds it.
grep -q '^DATABASE_URL=' "$ENV_FILE" || echo "DATABASE_URL=sqlite:///$(cd "$DEMO_DIR" && pwd)/linernotes.sqlite3" >> "$ENV_FILE"

export ENV_FILE DJANGO_SETTINGS_MODULE=config.settings.dev
export SPOTIFY_CLIENT_ID=linernotes-sandbox SPOTIFY_CLIENT_SECRET=sandbox-secret
export SPOTIFY_API_URL="http://127.0.0.1:${SANDBOX_PORT}/v1"
export SPOTIFY_ACCOUNTS_URL="http://127.0.0.1:${SANDBOX_PORT}"
export SPOTIFY_REDIRECT_URI="http://127.0.0.1:${WEB_PORT}/accounts/spotify/login/callback/"
# Two LLM providers, written to the database by sync_llm_providers below: the LLM sandbox's
# RunPod route standing in for a RunPod serverless Llama 3.1 70B (preferred), and the real
# SmolLM2-135M on the CPU behind llama.cpp's server (json_object_schema: its structured-output
# form), which answers when the first is down or forced off.
export LLM_PROVIDERS='[
  {"name": "runpod-llama-70b", "kind": "runpod", "priority": 10,
   "base_url": "http://127.0.0.1:'"${LLM_SANDBOX_PORT}"'/primary/v2/demo-endpoint",
   "model": "llama-3.1-70b-instruct"},
  {"name": "local-smollm2", "kind": "openai", "priority": 20, "json_mode": "json_object_schema",
   "base_url": "http://127.0.0.1:'"${LOCAL_LLM_PORT}"'/v1",
   "model": "smollm2-135m-instruct", "read_timeout": 60, "max_tokens": 512}
]'
# Lyrics for the song analyses: the LLM sandbox's LRCLIB stand-in.
export LYRICS_API_URL="http://127.0.0.1:${LLM_SANDBOX_PORT}/lrclib"
# Both providers and LRCLIB's stand-in listen on loopback, which a deployment refuses.
export LLM_ALLOW_PRIVATE_HOSTS=true

echo "Preparing the database (migrations, schedules, LLM providers)…"
# Quiet unless something fails: the output is kept and shown then.
prepare_log="$DEMO_DIR/prepare.log"
if ! { "$PY" manage.py migrate --noinput -v 0 && "$PY" manage.py createcachetable -v 0 \
      && "$PY" manage.py ensure_schedules && "$PY" manage.py sync_llm_providers; } > "$prepare_log" 2>&1; then
  cat "$prepare_log" >&2
  echo "Preparing the database failed (above; also in $prepare_log)." >&2
  exit 1
fi

# pids: the processes the demo cannot do without (any one exiting ends it); others: the local
# LLM, whose first start builds llama.cpp and may fail without ending the demo.
pids=()
others=()
groups=()  # the clusters, each in a process group of its own (setsid): see stop_all
stop_all() {
  trap - INT TERM EXIT
  echo; echo "Stopping the demo…"
  local all=("${pids[@]}" "${others[@]}")
  # SIGTERM: background jobs of a non-interactive shell ignore SIGINT (they would wait out
  # the timeout below); the sandboxes, runserver, qcluster and the local LLM (its server, or
  # its install with the compilers) all stop cleanly on SIGTERM.
  for pid in "${all[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    alive=0
    for pid in "${all[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && { kill_groups; return 0; }
    sleep 0.2
  done
  # Still there after 20 s: KILL it with its children. A cluster's parent waits for its sentinel,
  # which waits for busy workers (up to the task timeout): KILL each cluster's whole group, since
  # its workers are grandchildren that `pkill -P` would miss and leave orphaned.
  kill_groups
  for pid in "${all[@]}"; do
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  done
}
kill_groups() {  # a cluster's parent has gone (or is being killed): nothing of its group may stay
  for group in "${groups[@]}"; do kill -KILL -- "-$group" 2>/dev/null || true; done
}
# On Ctrl-C or TERM, stop and exit at once (not on to "A demo process exited" below), with
# success: stopping is what was asked, and make would otherwise report "Error 130".
trap 'stop_all; echo "Stopped."; exit 0' INT TERM
trap stop_all EXIT

wait_for() {  # URL: up to 20 s for it to answer, then carry on (its log will say why)
  for _ in $(seq 1 100); do
    if "$PY" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  echo "No answer from $1 after 20 s." >&2
}

# --live-listening: the demo listener goes on listening while the demo runs, so the history
# (and every range of the Insights page) reaches the present, however long it has been running.
"$PY" -m sandbox --port "$SANDBOX_PORT" --client-id "$SPOTIFY_CLIENT_ID" \
  --client-secret "$SPOTIFY_CLIENT_SECRET" --live-listening > "$DEMO_DIR/sandbox.log" 2>&1 &
pids+=($!)
"$PY" -m sandbox.llm --port "$LLM_SANDBOX_PORT" > "$DEMO_DIR/llm-sandbox.log" 2>&1 &
pids+=($!)
# The local LLM serves once installed (the first run builds llama.cpp, ~5 min; its progress
# is in var/local-llm.log). Until it answers, the router treats it as down: a request that
# reaches it fails over, and the health checks re-admit it once it is up.
if [ "$DEMO_LOCAL_LLM" != 0 ]; then
  PY="$PY" LOCAL_LLM_PORT="$LOCAL_LLM_PORT" bash scripts/local_llm.sh serve > "$DEMO_DIR/local-llm.log" 2>&1 &
  others+=($!)
fi
wait_for "http://127.0.0.1:${SANDBOX_PORT}/_sandbox/health"
wait_for "http://127.0.0.1:${LLM_SANDBOX_PORT}/_llm/health"

# Two clusters (core.queues): interactive (imports, routes) and bulk (analysis, insights, rounds).
# Each in a session of its own (setsid execs in place here: a background job of a shell without
# job control is no group leader), so its pid names its group and stop_all can reap the workers.
setsid "$PY" manage.py qcluster > "$DEMO_DIR/qcluster.log" 2>&1 &
pids+=($!); groups+=($!)
Q_CLUSTER_NAME=linernotes-bulk setsid "$PY" manage.py qcluster > "$DEMO_DIR/qcluster-bulk.log" 2>&1 &
pids+=($!); groups+=($!)
"$PY" manage.py runserver "127.0.0.1:${WEB_PORT}" --noreload > "$DEMO_DIR/web.log" 2>&1 &
pids+=($!)

cat <<TXT

  Linernotes is running (offline demo, SQLite, Spotify and LLM sandboxes, local LLM).

    Open          http://127.0.0.1:${WEB_PORT}/
    Sign in       "Sign in with Spotify", then pick "Demo Listener" and Agree
    API docs      http://127.0.0.1:${WEB_PORT}/api/docs/
    Staff         make superuser   (then sign in at http://127.0.0.1:${WEB_PORT}/admin/)
    LLM status    http://127.0.0.1:${WEB_PORT}/staff/llm/  (staff only)
    Sandbox       http://127.0.0.1:${SANDBOX_PORT}/_sandbox/stats
    LLM sandbox   http://127.0.0.1:${LLM_SANDBOX_PORT}/_llm/counters  ("RunPod Llama 3.1 70B", preferred)
    Local LLM     http://127.0.0.1:${LOCAL_LLM_PORT}/v1/models  (SmolLM2-135M; first run builds ~5 min)
    Logs          in $DEMO_DIR/: web.log qcluster.log qcluster-bulk.log sandbox.log llm-sandbox.log local-llm.log

  Ctrl-C stops them all.
TXT

# Stop everything as soon as the web server, the cluster or a sandbox exits (not the local LLM:
# without it, requests go to the sandbox's provider).
wait -n "${pids[@]}"
echo "A demo process exited; see the logs in $DEMO_DIR/."
