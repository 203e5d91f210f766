"""The deploy files switch on what sign-in needs behind nginx (#13 items 5 and 7): the Secure
cookie, and nginx as the trusted proxy whose X-Forwarded-For names the client."""

from __future__ import annotations

import subprocess

import yaml

from components.auth import cookie_secure
from services.accounts.client import TRUSTED_PROXIES_ENV, client_address, trusted_proxies
from tests.ops.helpers import DEPLOY


def _systemd_settings() -> dict[str, str]:
    run = subprocess.run(
        ["bash", str(DEPLOY / "make-env.sh"), "systemd", "postgresql://u:p@h/db"],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(line.split("=", 1) for line in run.stdout.splitlines() if line and line[0] != "#")


def test_the_systemd_settings_make_the_cookie_secure_and_trust_nginx_on_this_host():
    settings = _systemd_settings()
    assert cookie_secure(settings, "http://127.0.0.1:8501/") is True
    proxies = trusted_proxies(settings)
    assert client_address("127.0.0.1", "203.0.113.5", proxies) == "203.0.113.5"
    assert client_address("198.51.100.7", "203.0.113.5", proxies) == "198.51.100.7"


def test_the_compose_replicas_make_the_cookie_secure_and_trust_the_nginx_container():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    for name in ("app1", "app2"):
        env = {k: str(v) for k, v in compose["services"][name]["environment"].items()}
        assert cookie_secure(env, None) is True, name
        proxies = trusted_proxies(env)
        assert proxies, f"{name}: {TRUSTED_PROXIES_ENV} unset"
        # Docker gives a compose network a private range; the app's port is not published.
        assert all(net.is_private for net in proxies), name
        nginx = "172.18.0.5"
        assert client_address(nginx, "203.0.113.5", proxies) == "203.0.113.5"
