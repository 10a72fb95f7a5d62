"""The test suite: real databases and brokers from the environment, fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-000000000000000000")
# Two fixed keys so tests can exercise rotation; never used outside tests.
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS",
    "dGVzdC1rZXktb25lLTAwMDAwMDAwMDAwMDAwMDAwMDA=,dGVzdC1rZXktdHdvLTAwMDAwMDAwMDAwMDAwMDAwMDA=",
)
os.environ.setdefault("ENV_FILE", "/nonexistent")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/test.sqlite3")
# The suite reads the schema as the demo serves it, to anyone; tests/config/test_api_docs.py
# checks that production's default asks for sign-in.
os.environ.setdefault("API_DOCS_PUBLIC", "true")

from config.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# The cluster process started by tests must open the same database file as the
# test run, so SQLite's test database lives on disk rather than in memory.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test run, so two runs on one machine never share (and corrupt) it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-run-{os.getpid()}.sqlite3")}  # noqa: F405
# Keep test queues apart from a demo cluster that may share the Redis server.
Q_CLUSTER["name"] = "linernotes-test"  # noqa: F405
Q_CLUSTER["ALT_CLUSTERS"] = alt_clusters(Q_CLUSTER, Q_BULK)  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns about a missing root
# The suite asks for imports, routes and insights far more often than a listener may: every scope
# gets a limit no test reaches, and a regeneration needs no cooldown. The throttle tests set low
# rates and a cooldown of their own (the `throttle_rates` fixture, `settings`), so the throttles
# still run, counting, on every request the other tests make.
THROTTLE_RATES = {scope: "100000/hour" for scope in THROTTLE_RATES}  # noqa: F405
INSIGHT_REGENERATE_COOLDOWN = 0
# Without REDIS_URL the suite runs on the database cache; it stores only what the Redis cache's
# JSON serializer can (tests.support.json_cache), so a value it could not hold fails here too.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":  # noqa: F405
    CACHES["default"]["BACKEND"] = "tests.support.json_cache.JSONDatabaseCache"  # noqa: F405
# The LLM and lyrics sandboxes listen on loopback; the guard's own tests turn this off.
LLM_ALLOW_PRIVATE_HOSTS = True
