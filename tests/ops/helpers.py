"""Builders for the operations tests: a small school, and a background writer."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.engine import write_session
from db.enums import LeftBehindType, Role
from db.models import Child, School
from services.actor import Actor, load_actor
from tests.factories import make_child, make_classroom, make_school, make_user


def small_school(engine: Engine, children: int = 20) -> dict[str, Actor]:
    """One school with an admin, a principal, a teacher (head of the one class) and `children`
    children; returns their actors by username."""
    with Session(engine) as session:
        school = make_school(session)
        users = {
            "admin": make_user(session, school, Role.ADMIN, username="admin"),
            "principal": make_user(session, school, Role.PRINCIPAL, username="principal"),
            "teacher": make_user(session, school, Role.TEACHER, username="teacher"),
        }
        room = make_classroom(session, school, head=users["teacher"])
        for i in range(children):
            make_child(session, school, room, LeftBehindType.BOTH if i % 2 else LeftBehindType.NONE)
        session.commit()
        return {name: load_actor(session, user.id) for name, user in users.items()}


def count_children(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Child)) or 0


class ChildWriter(threading.Thread):
    """Adds one child per transaction until stopped, like a teacher typing in the grid."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.engine = engine
        self.stop = threading.Event()
        self.written = 0
        self.errors: list[BaseException] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with write_session(self.engine) as session:
                    school = session.scalars(select(School).limit(1)).one()
                    make_child(session, school, name=f"并发儿童{self.written}")
                self.written += 1
            except BaseException as exc:  # the test reports every failure
                self.errors.append(exc)
                return

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=30)


# --- nginx in front of test replicas -------------------------------------------------------------

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
OPENSSL_SELF_SIGNED = (
    *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes"),
    *("-days", "1", "-subj", "/CN=localhost"),
)


def self_signed_certificate(workdir: Path) -> tuple[Path, Path]:
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        [*OPENSSL_SELF_SIGNED, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_config(
    workdir: Path, https_port: int, http_port: int, upstream_ports: tuple[int, int]
) -> Path:
    """deploy/nginx.conf made runnable by an unprivileged test: loopback ports, a throw-away
    certificate, and an access log of which replica served which browser (route cookie)."""
    cert, key = self_signed_certificate(workdir)
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    replacements = {
        "    listen [::]:80;\n": "",
        "    listen [::]:443 ssl http2;\n": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "server 127.0.0.1:8501 ": f"server 127.0.0.1:{upstream_ports[0]} ",
        "server 127.0.0.1:8502 ": f"server 127.0.0.1:{upstream_ports[1]} ",
        "/etc/ssl/careledger/fullchain.pem": str(cert),
        "/etc/ssl/careledger/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx.conf no longer contains {old!r}"
        site = site.replace(old, new)
    return nginx_main_conf(workdir, site, "$careledger_route $upstream_addr $request_uri")


def nginx_main_conf(workdir: Path, site: str, log_format: str | None = None) -> Path:
    """The main configuration of an unprivileged nginx serving `site`: its pid, logs and temporary
    files in `workdir`; the access log (access.log) in `log_format` when one is given."""
    (workdir / "site.conf").write_text(site, encoding="utf-8")
    (workdir / "tmp").mkdir(exist_ok=True)
    log = f"{workdir}/access.log"
    access_log = f"access_log {log};"
    if log_format is not None:
        access_log = f"log_format custom '{log_format}';\n    access_log {log} custom;"
    main = workdir / "main.conf"
    main.write_text(
        f"""
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{}}
http {{
    {access_log}
    client_body_temp_path {workdir}/tmp/body;
    proxy_temp_path {workdir}/tmp/proxy;
    fastcgi_temp_path {workdir}/tmp/fastcgi;
    uwsgi_temp_path {workdir}/tmp/uwsgi;
    scgi_temp_path {workdir}/tmp/scgi;
    include {workdir}/site.conf;
}}
""",
        encoding="utf-8",
    )
    return main


def start_nginx(main: Path, https_port: int, nginx: str = "nginx") -> subprocess.Popen:
    """nginx in the foreground with `main` (prefix: its folder), once it listens on https_port."""
    process = subprocess.Popen(
        [nginx, "-c", str(main), "-p", str(main.parent), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(https_port, process)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "exited")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("nginx did not start")
