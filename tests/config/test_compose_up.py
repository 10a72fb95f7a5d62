"""`docker compose up` for real, where a Docker engine runs: the image builds, the stack comes up
healthy, and an operator signs in to the admin through the proxy (TLS from Caddy's own local
authority, SITE_ADDRESS=localhost). Without an engine the test says why it skipped."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import time

import pytest
import requests
import urllib3
import yaml
from cryptography.fernet import Fernet

from tests.config.test_compose import ROOT, _compose_command
from tests.support.processes import free_port


def _engine_refusal() -> str | None:
    """Why compose cannot run here, or None when it can."""
    command = _compose_command()
    if command is None:
        return "no docker compose (or docker-compose) installed"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30)
    if info.returncode != 0:
        said = next((line for line in info.stderr.splitlines() if line.strip()), "no answer")
        return f"no Docker engine answers (docker info: {said.strip()})"
    return None


REFUSAL = _engine_refusal()


@pytest.mark.skipif(REFUSAL is not None, reason=REFUSAL or "")
def test_the_stack_builds_comes_up_healthy_and_an_operator_signs_in(tmp_path):
    https_port = free_port()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for service in compose["services"].values():
        if service.get("build") == ".":
            service["build"] = str(ROOT)
    # A published port of our own (80/443 may be taken); no Ollama image to pull for this.
    compose["services"]["proxy"]["ports"] = [f"127.0.0.1:{https_port}:443"]
    compose["services"].pop("ollama", None)
    (tmp_path / "docker-compose.yml").write_text(yaml.safe_dump(compose))
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    password = "operator-" + secrets.token_hex(8)
    (tmp_path / ".env").write_text(
        f"SECRET_KEY={secrets.token_urlsafe(50)}\nFIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n"
        f"POSTGRES_PASSWORD={secrets.token_hex(16)}\nREDIS_PASSWORD={secrets.token_hex(16)}\n"
        f"SITE_ADDRESS=localhost\nALLOWED_HOSTS=localhost\nCSRF_TRUSTED_ORIGINS=https://localhost:{https_port}\n"
        f"SPOTIFY_CLIENT_ID=test\nSPOTIFY_CLIENT_SECRET=test\nSPOTIFY_REDIRECT_URI=https://localhost:{https_port}/accounts/spotify/login/callback/\n"
    )  # fmt: skip
    compose_cmd = [*_compose_command(), "-p", f"linernotes-test-{https_port}"]

    def run(*args: str, timeout: int = 900, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([*compose_cmd, *args], cwd=tmp_path, capture_output=True, text=True,
                              timeout=timeout, **kwargs)  # fmt: skip

    try:
        up = run("up", "-d", "--build", "--wait", "--wait-timeout", "300")
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        made = run("exec", "-T", "-e", "DJANGO_SUPERUSER_USERNAME=operator", "-e", f"DJANGO_SUPERUSER_PASSWORD={password}",
                   "-e", "DJANGO_SUPERUSER_EMAIL=operator@example.org", "web", "python", "manage.py",
                   "createsuperuser", "--noinput", timeout=120)  # fmt: skip
        assert made.returncode == 0, made.stderr

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # Caddy's local authority
        base = f"https://localhost:{https_port}"
        session = requests.Session()
        session.verify = False
        deadline = time.monotonic() + 120
        while True:
            try:
                health = session.get(f"{base}/health", timeout=5)
                if health.status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the proxy never answered /health"
            time.sleep(2)
        login = session.get(f"{base}/admin/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        signed_in = session.post(
            f"{base}/admin/login/?next=/admin/",
            data={"csrfmiddlewaretoken": token, "username": "operator", "password": password},
            headers={"Referer": f"{base}/admin/login/"}, timeout=10,
        )  # fmt: skip
        assert signed_in.status_code == 200 and "Site administration" in signed_in.text
    finally:
        run("down", "-v", "--remove-orphans", timeout=300)
