# Linernotes: `make demo` runs the whole product offline; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo superuser test test-future fuzz venv migrate sandbox lint clean local-llm

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## Start the sandboxes, the local LLM, the web server and the clusters on SQLite; Ctrl-C stops
## them all. DEMO_DIR (default var) holds its secrets, database and logs.
DEMO_DIR ?= var
# Through env, not a shell (no shell syntax on the line, not even a comment): make then waits for
# the demo to stop on Ctrl-C and reports no "Interrupt".
demo: $(STAMP)
	@env PY=$(PY) DEMO_DIR=$(DEMO_DIR) bash scripts/demo.sh

## An operator account for the demo's admin and staff pages (after `make demo` has run once):
## asks for a username and password. SUPERUSER_ARGS="--noinput" reads DJANGO_SUPERUSER_USERNAME,
## DJANGO_SUPERUSER_PASSWORD and DJANGO_SUPERUSER_EMAIL instead.
superuser: $(STAMP)
	@test -f $(DEMO_DIR)/demo.env || { echo "Run \`make demo\` once first: it makes $(DEMO_DIR)/demo.env and the database." >&2; exit 1; }
	@ENV_FILE=$(DEMO_DIR)/demo.env DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py migrate --noinput -v 0
	@ENV_FILE=$(DEMO_DIR)/demo.env DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py createsuperuser $(SUPERUSER_ARGS)

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
