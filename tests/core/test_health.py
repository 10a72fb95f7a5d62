from __future__ import annotations

import json

import pytest

from tests.support.processes import project_env, run_python

# Runs /health inside a fresh process, so a broken DATABASE_URL or REDIS_URL is
# really unreachable there instead of being simulated in this one.
HEALTH_IN_CHILD = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/health", HTTP_HOST="localhost")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def _health_in_child(**env_overrides: str) -> dict:
    completed = run_python(HEALTH_IN_CHILD, env=project_env(**env_overrides))
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_health_answers_200_when_database_cache_and_broker_are_reachable(client):
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
    assert body["failed"] == []


@pytest.mark.django_db
def test_health_says_when_each_cluster_last_ran_its_heartbeat(client):
    from django.core.cache import cache

    from core.queues import BULK, INTERACTIVE
    from core.tasks import heartbeat_key

    cache.set(heartbeat_key(INTERACTIVE), "2026-01-02T03:04:05+00:00")
    cache.delete(heartbeat_key(BULK))

    clusters = client.get("/health").json()["clusters"]

    # Informational: a web process answers 200 while a cluster is down.
    assert clusters == {"interactive": {"last_seen": "2026-01-02T03:04:05+00:00"}, "bulk": {"last_seen": None}}
    cache.delete(heartbeat_key(INTERACTIVE))


@pytest.mark.django_db
def test_health_warns_when_one_cluster_runs_and_the_other_does_not(client):
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from core.queues import BULK, INTERACTIVE
    from core.tasks import heartbeat_key

    now = timezone.now()
    cache.set(heartbeat_key(INTERACTIVE), (now - timedelta(seconds=40)).isoformat())
    cache.set(heartbeat_key(BULK), (now - timedelta(minutes=9)).isoformat())

    body = client.get("/health").json()

    assert body["status"] == "ok"
    assert body["warnings"] == [
        "The bulk cluster has not run for over 5 minutes "
        "(start `Q_CLUSTER_NAME=linernotes-test-bulk manage.py qcluster`): its work waits."
    ]
    cache.set(heartbeat_key(BULK), now.isoformat())
    assert client.get("/health").json()["warnings"] == []
    cache.delete_many([heartbeat_key(INTERACTIVE), heartbeat_key(BULK)])


@pytest.mark.django_db
def test_health_needs_no_sign_in_and_is_never_cached(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_health_answers_503_naming_the_database_when_it_is_unreachable():
    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    result = _health_in_child(DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing", REDIS_URL="")

    assert result["status"] == 503
    assert "database" in result["body"]["failed"]
    assert result["body"]["status"] == "error"


@pytest.mark.django_db(transaction=True)
def test_health_answers_503_naming_the_broker_when_redis_is_unreachable():
    result = _health_in_child(REDIS_URL="redis://127.0.0.1:1/0")

    assert result["status"] == 503
    assert "broker" in result["body"]["failed"]
    assert "cache" in result["body"]["failed"]
    assert result["body"]["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_a_spotify_pause_is_a_warning_not_a_failure(client):
    from datetime import timedelta

    from django.utils import timezone

    from tests.accounts.factories import SpotifyPauseFactory

    assert client.get("/health").json()["warnings"] == []
    SpotifyPauseFactory(until=timezone.now() + timedelta(hours=14))

    response = client.get("/health")

    assert response.status_code == 200 and response.json()["status"] == "ok"
    (warning,) = response.json()["warnings"]
    assert warning.startswith("Spotify paused this deployment until") and "quota exceeded" in warning
