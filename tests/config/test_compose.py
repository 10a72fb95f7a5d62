"""docker-compose.yml: gunicorn is reachable through the proxy only, and every password comes from
the environment. Checked on the file's structure (Docker may not run here); where a compose
command is installed, `compose config` must accept the file too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["migrate", "web", "qcluster", "qcluster-bulk"]


def test_only_the_proxy_is_published_on_the_host():
    published = {name for name, service in SERVICES.items() if service.get("ports")}

    assert published == {"proxy"}
    assert "ports" not in SERVICES["web"]
    assert [str(port) for port in SERVICES["web"]["expose"]] == ["8000"]  # the compose network only


def test_the_proxy_sends_everything_to_gunicorn_and_sets_the_forwarded_headers_itself():
    proxy = SERVICES["proxy"]
    mounted = {volume.split(":")[1]: volume.split(":")[0] for volume in proxy["volumes"]}
    caddyfile = (ROOT / mounted["/etc/caddy/Caddyfile"]).read_text()

    assert proxy["image"].startswith("caddy:")
    assert "${SITE_ADDRESS:?" in proxy["environment"]["SITE_ADDRESS"]
    assert "reverse_proxy web:8000" in caddyfile
    # With trusted_proxies Caddy would pass on a caller's own X-Forwarded-* headers.
    assert "trusted_proxies" not in caddyfile.replace("no trusted_proxies", "")


def test_only_the_web_service_trusts_the_forwarded_headers():
    trusting = {
        name for name, service in SERVICES.items()
        if str((service.get("environment") or {}).get("TRUST_PROXY_HEADERS", "")).lower() == "true"
    }  # fmt: skip

    assert trusting == {"web"}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_app_service_reaches_postgres_and_redis_with_passwords_from_the_environment(name):
    environment = SERVICES[name]["environment"]

    assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://:${REDIS_PASSWORD:?")
    assert "linernotes:linernotes@" not in environment["DATABASE_URL"]
    assert SERVICES[name]["env_file"] == ".env"


def test_redis_requires_the_password_and_postgres_takes_its_own_from_the_environment():
    redis = SERVICES["redis"]
    command = " ".join(redis["command"])

    assert "requirepass" in command and "$$REDIS_PASSWORD" in command
    assert "${REDIS_PASSWORD:?" in redis["environment"]["REDIS_PASSWORD"]
    assert "ports" not in redis
    assert "${POSTGRES_PASSWORD:?" in SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"]


def test_the_image_leaves_secrets_and_local_files_out():
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert {".env", ".venv", "var", ".git"} <= set(ignored)


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.mark.skipif(_compose_command() is None, reason="no docker compose (or docker-compose) installed")
def test_compose_accepts_the_file_and_refuses_to_start_without_the_passwords(tmp_path):
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / "deploy").mkdir()
    shutil.copy(ROOT / "deploy" / "Caddyfile", tmp_path / "deploy" / "Caddyfile")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    command = [*_compose_command(), "config", "-q"]

    (tmp_path / ".env").write_text("SECRET_KEY=x\n")
    missing = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    (tmp_path / ".env").write_text(
        "SECRET_KEY=x\nPOSTGRES_PASSWORD=p0stgres\nREDIS_PASSWORD=r3dis\nSITE_ADDRESS=linernotes.example.org\n"
    )
    complete = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)

    assert missing.returncode != 0 and "PASSWORD" in missing.stdout + missing.stderr
    assert complete.returncode == 0, complete.stderr
