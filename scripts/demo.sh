#!/usr/bin/env bash
# The offline demo: the Spotify sandbox, the web server and a Django-Q2 cluster,
# all on SQLite, with secrets generated once into var/demo.env.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WEB_PORT=${WEB_PORT:-8000}
SANDBOX_PORT=${SANDBOX_PORT:-8001}
ENV_FILE=var/demo.env
mkdir -p var

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

export ENV_FILE DJANGO_SETTINGS_MODULE=config.settings.dev
export SPOTIFY_CLIENT_ID=linernotes-sandbox SPOTIFY_CLIENT_SECRET=sandbox-secret
export SPOTIFY_API_URL="http://127.0.0.1:${SANDBOX_PORT}/v1"
export SPOTIFY_ACCOUNTS_URL="http://127.0.0.1:${SANDBOX_PORT}"
export SPOTIFY_REDIRECT_URI="http://127.0.0.1:${WEB_PORT}/accounts/spotify/login/callback/"

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py createcachetable
# The recurring tasks: the cluster heartbeat (/health) and the stuck-import clean-up.
"$PY" manage.py ensure_schedules

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "Stopping the demo…"
  # SIGTERM: background jobs of a non-interactive shell ignore SIGINT (they would wait out
  # the timeout below); the sandbox, runserver and qcluster all stop cleanly on SIGTERM.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap stop_all INT TERM EXIT

"$PY" -m sandbox --port "$SANDBOX_PORT" --client-id "$SPOTIFY_CLIENT_ID" \
  --client-secret "$SPOTIFY_CLIENT_SECRET" > var/sandbox.log 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:${SANDBOX_PORT}/_sandbox/health', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done

"$PY" manage.py qcluster > var/qcluster.log 2>&1 &
pids+=($!)
"$PY" manage.py runserver "127.0.0.1:${WEB_PORT}" --noreload > var/web.log 2>&1 &
pids+=($!)

cat <<TXT

  Linernotes is running (offline demo, SQLite, Spotify sandbox).

    Open          http://127.0.0.1:${WEB_PORT}/
    Sign in       "Sign in with Spotify", then pick "Demo Listener" and Agree
    API docs      http://127.0.0.1:${WEB_PORT}/api/docs/
    Sandbox       http://127.0.0.1:${SANDBOX_PORT}/_sandbox/stats
    Logs          var/web.log  var/qcluster.log  var/sandbox.log

  Ctrl-C stops all three.
TXT

# Stop everything as soon as any one of the three exits.
wait -n "${pids[@]}"
echo "A demo process exited; see the logs in var/."
