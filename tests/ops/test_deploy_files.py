"""The deployment files say what docs/deploy.md promises (no Docker engine here to run them)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.ops.helpers import DEPLOY, nginx_config


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_runs_two_replicas_on_postgresql_behind_nginx():
    services = _compose()["services"]
    assert services["db"]["image"].startswith("postgres:15")
    replicas = [services["app1"], services["app2"]]
    for app in replicas:
        assert app["build"]["dockerfile"] == "deploy/Dockerfile"
        assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # The same database and the same secrets on both replicas.
    assert replicas[0]["environment"] == replicas[1]["environment"]
    env = replicas[0]["environment"]
    assert env["DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in env["DATABASE_URL"]
    assert "${CARELEDGER_COOKIE_KEY:?" in env["CARELEDGER_COOKIE_KEY"]
    assert "${STREAMLIT_COOKIE_SECRET:?" in env["STREAMLIT_SERVER_COOKIE_SECRET"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./nginx-compose.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert services["backup"]["command"][-1].count("services.ops.backup_cli backup") == 1


def test_no_secret_is_written_into_the_compose_file():
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    assert not re.search(r"(PASSWORD|KEY|SECRET):\s+[A-Za-z0-9_\-]{16,}\s*$", text, re.M)


def test_nginx_config_has_sticky_sessions_websockets_tls_and_health():
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert re.search(r"upstream careledger \{\s*hash \$careledger_route consistent;", conf)
    assert "server 127.0.0.1:8501" in conf and "server 127.0.0.1:8502" in conf
    stream = conf[conf.index("location /_stcore/stream") :]
    stream = stream[: stream.index("}")]
    assert re.search(r"proxy_set_header Upgrade\s+\$http_upgrade;", stream)
    assert re.search(r"proxy_set_header Connection\s+\$connection_upgrade;", stream)
    assert "proxy_read_timeout 86400s;" in stream
    assert "ssl_certificate " in conf and "return 301 https://" in conf
    assert "location = /_stcore/health" in conf


def test_compose_nginx_differs_only_in_upstreams_certificate_paths_and_http2():
    def body(name: str) -> list[str]:
        lines = (DEPLOY / name).read_text(encoding="utf-8").splitlines()
        return [
            line
            for line in lines
            if not line.strip().startswith("#") and "server 1" not in line
            if "server app" not in line and "ssl_certificate" not in line
            if "listen" not in line and "http2" not in line
        ]

    assert body("nginx.conf") == body("nginx-compose.conf")
    compose = (DEPLOY / "nginx-compose.conf").read_text(encoding="utf-8")
    assert "server app1:8501" in compose and "server app2:8501" in compose


def test_http2_is_switched_on_the_way_each_nginx_understands():
    """The compose file runs the nginx:1.26 image: `http2 on;` (the listen parameter is
    deprecated there). The host file is for Debian 12's nginx 1.22, which has no `http2`
    directive yet, so it keeps the listen parameter."""
    compose = (DEPLOY / "nginx-compose.conf").read_text(encoding="utf-8")
    assert "nginx:1.26" in (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s*http2 on;", compose, re.M)
    assert not re.search(r"^\s*listen[^;#]*http2", compose, re.M)
    host = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert re.search(r"^\s*listen 443 ssl http2;", host, re.M)


def _locations(conf: str) -> dict[str, str]:
    return dict(re.findall(r"\n\s*location ([^{]+?)\s*\{(.*?)\n\s*\}", conf, re.S))


@pytest.mark.parametrize("name", ["nginx.conf", "nginx-compose.conf"])
def test_every_proxied_location_tells_the_app_who_the_client_is(name):
    """A location with any proxy_set_header of its own inherits none from the server block."""
    conf = (DEPLOY / name).read_text(encoding="utf-8")
    server = conf[conf.index("listen 443") :]
    assert "proxy_set_header" not in server[: server.index("location")]  # nothing to inherit
    proxied = {where: block for where, block in _locations(conf).items() if "proxy_pass" in block}
    assert set(proxied) == {"/_stcore/stream", "= /_stcore/health", "/"}
    for where, block in proxied.items():
        for header, value in [
            ("Host", "$http_host"),
            ("X-Real-IP", "$remote_addr"),
            ("X-Forwarded-For", "$remote_addr"),
            ("X-Forwarded-Proto", "$scheme"),
        ]:
            assert re.search(rf"proxy_set_header {header}\s+{re.escape(value)};", block), where
    metrics = _locations(conf)["^~ /_stcore/metrics"]
    assert "return 404;" in metrics and "proxy_pass" not in metrics


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed")
def test_nginx_accepts_the_config(tmp_path: Path):
    main = nginx_config(tmp_path, 18443, 18080, (18501, 18502))
    result = subprocess.run(
        ["nginx", "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_systemd_units_share_one_environment_file():
    units = {p.name: p.read_text(encoding="utf-8") for p in DEPLOY.glob("careledger*.service")}
    assert set(units) == {
        "careledger@.service",
        "careledger-migrate.service",
        "careledger-backup.service",
    }
    for text in units.values():
        assert "EnvironmentFile=/etc/careledger/careledger.env" in text
    assert "--server.port %i" in units["careledger@.service"]
    assert "Requires=careledger-migrate.service" in units["careledger@.service"]
    assert "services.ops.backup_cli backup --verify" in units["careledger-backup.service"]
    timer = (DEPLOY / "careledger-backup.timer").read_text(encoding="utf-8")
    assert "OnCalendar=" in timer and "Persistent=true" in timer


def test_make_env_generates_distinct_strong_secrets():
    run = subprocess.run(
        ["bash", str(DEPLOY / "make-env.sh"), "systemd", "postgresql://u:p@h/db"],
        capture_output=True,
        text=True,
        check=True,
    )
    values = dict(line.split("=", 1) for line in run.stdout.splitlines() if line and line[0] != "#")
    assert values["DATABASE_URL"] == "postgresql://u:p@h/db"
    assert len(values["CARELEDGER_COOKIE_KEY"]) >= 48
    assert values["CARELEDGER_COOKIE_KEY"] != values["STREAMLIT_SERVER_COOKIE_SECRET"]


def test_image_copies_no_data_or_virtualenv():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    copies = [line for line in dockerfile.splitlines() if line.startswith("COPY")]
    assert copies and not any(re.search(r"COPY \. |data|\.venv", line) for line in copies)
    assert "postgresql-client-15" in dockerfile
    # The state folder and the backup volume: the app user's only.
    assert "install -d -m 700 -o careledger -g careledger /var/lib/careledger/backups" in dockerfile
    assert "chmod 700 /var/lib/careledger" in dockerfile


def _compose_command() -> list[str] | None:
    """`docker compose` (v2) when the plugin is there, else Debian's docker-compose (v1)."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


@pytest.mark.skipif(_compose_command() is None, reason="no docker compose client")
def test_compose_validates_and_requires_the_secrets(tmp_path: Path):
    command = _compose_command()
    assert command is not None
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    if command == ["docker-compose"]:  # v1 predates the top-level `name:`
        text = text.replace("name: careledger\n", "")
    compose = tmp_path / "deploy" / "docker-compose.yml"
    compose.parent.mkdir()
    compose.write_text(text, encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    secrets = {"POSTGRES_PASSWORD": "p" * 20, "CARELEDGER_COOKIE_KEY": "k" * 40}
    secrets["STREAMLIT_COOKIE_SECRET"] = "s" * 40
    ok = subprocess.run(
        [*command, "-f", str(compose), "config"], env={**env, **secrets}, capture_output=True
    )
    assert ok.returncode == 0, ok.stderr.decode()
    assert b"postgresql://careledger:pppp" in ok.stdout
    missing = subprocess.run([*command, "-f", str(compose), "config"], env=env, capture_output=True)
    assert missing.returncode != 0
    assert b"make-env.sh compose" in missing.stderr
