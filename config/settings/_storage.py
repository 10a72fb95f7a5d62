"""Where state lives: the database, the cache and the task queue (Django-Q2's clusters)."""

from __future__ import annotations

from config.settings._environment import VAR_DIR, env

DATABASES = {"default": env.database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'linernotes.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the cluster read while one of them writes;
    # the timeout makes a writer wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

# Uploaded privacy exports waiting for their history import: outside the static and any media
# root (nothing serves this directory), deleted when the import ends.
HISTORY_IMPORT_DIR = env.optional_str("HISTORY_IMPORT_DIR", default=str(VAR_DIR / "history-imports"))

REDIS_URL = env.redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "linernotes",
            # 2: values are JSON since then; entries pickled by earlier versions are never read.
            "VERSION": 2,
            "OPTIONS": {
                # JSON, not django-redis's default pickle: unpickling a value planted in Redis
                # would run code in every process (core.cache_serializer).
                "SERIALIZER": "core.cache_serializer.StrictJSONSerializer",
                # A cache outage degrades to misses instead of failing requests.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "linernotes_cache",
            "KEY_PREFIX": "linernotes",
            # Django's default of 300 entries would cull most of a big base's artists
            # (one entry each) before the next route reads them.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }

# Django-Q2: the ORM broker by default, Redis when REDIS_URL is set. Two clusters, each its own
# `qcluster` process with its own workers and time limit (core.queues): *interactive* (imports,
# routes, metadata warm-up, device work), the default one, which a plain `manage.py qcluster`
# runs; and *bulk* (song analysis, written insights, listener rounds), started with
# `Q_CLUSTER_NAME=<name>-bulk manage.py qcluster`, so a big analysis backlog never waits before a
# listener's import. `timeout` must stay below `retry`, or a slow task would be handed to a
# second worker while the first still runs it.
Q_CLUSTER = {
    "name": "linernotes",
    "workers": env.integer("Q_WORKERS", default=2, minimum=1),
    "timeout": env.integer("Q_TIMEOUT", default=600, minimum=1),
    "retry": env.integer("Q_RETRY", default=720, minimum=2),
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 2000,
    "label": "Background tasks",
    "poll": 0.5,
}
# One process for both queues (a small host, or a deployment not yet starting the bulk cluster):
# bulk work then runs on the interactive cluster, without the separation, but nothing waits for
# a cluster that is not there.
Q_SINGLE_CLUSTER = env.boolean("Q_SINGLE_CLUSTER", default=False)
Q_BULK = {
    "workers": env.integer("Q_BULK_WORKERS", default=2, minimum=1),
    "timeout": env.integer("Q_BULK_TIMEOUT", default=900, minimum=1),
    "retry": env.integer("Q_BULK_RETRY", default=1020, minimum=2),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
for _prefix, _limits in (("Q", Q_CLUSTER), ("Q_BULK", Q_BULK)):
    if _limits["timeout"] >= _limits["retry"]:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{_prefix}_TIMEOUT must be lower than {_prefix}_RETRY.")


def alt_clusters(q_cluster: dict, bulk: dict) -> dict:
    """The bulk cluster, named after the site's cluster (Redis keys its queue by that name, so a
    test run's queues stay apart from a demo's sharing the server)."""
    return {f"{q_cluster['name']}-bulk": dict(bulk)}


Q_CLUSTER["ALT_CLUSTERS"] = alt_clusters(Q_CLUSTER, Q_BULK)
