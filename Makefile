# Linernotes: `make demo` runs the whole product offline; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-future fuzz venv migrate sandbox lint clean local-llm

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## Start the sandbox, the web server and the cluster on SQLite; Ctrl-C stops all three.
demo: $(STAMP)
	PY=$(PY) bash scripts/demo.sh

## The whole suite (SQLite by default; DATABASE_URL / REDIS_URL switch to PostgreSQL / Redis).
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## The suite with every clock a year ahead (libfaketime), sandboxes and cluster included: it must
## not depend on today's date. Needs `faketime` (apt-get install faketime).
test-future: $(STAMP)
	@command -v faketime >/dev/null || { echo "test-future needs faketime: apt-get install faketime" >&2; exit 1; }
	faketime -f "+365d" $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

## The API fuzzed with schemathesis, as CI does (scripts/fuzz_api.py; FUZZ_ARGS="--max-time 600").
fuzz: $(STAMP)
	$(PY) scripts/fuzz_api.py $(FUZZ_ARGS)

sandbox: $(STAMP)
	$(PY) -m sandbox --port $${SANDBOX_PORT:-8001}

## The local LLM (llama-cpp-python + SmolLM2-135M) into the venv: a ~5 min build the first time.
local-llm: $(STAMP)
	PY=$(PY) bash scripts/local_llm.sh install

clean:
	rm -rf $(VENV) var/*.sqlite3* var/staticfiles
