"""deploy/nginx.conf and deploy/nginx-compose.conf, run by a real nginx in front of a tiny backend
that echoes the request headers it receives: what the app is told about the client (Host,
X-Forwarded-For/Proto, X-Real-IP), the WebSocket upgrade on /_stcore/stream, HTTP/2, the
HTTP→HTTPS redirect, and that /_stcore/metrics never reaches the app from outside."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.ops.helpers import DEPLOY, nginx_main_conf, self_signed_certificate, start_nginx

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx not installed (scripts/system-deps.sh)"),
    pytest.mark.xdist_group("nginx"),
]
CLIENT = "127.0.0.1"
SPOOFED = "6.6.6.6"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((CLIENT, 0))
        return s.getsockname()[1]


# --- the backend: records and echoes every request's headers ----------------------------------


class Seen(NamedTuple):
    port: int
    path: str
    headers: dict[str, str]


class EchoBackend:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.servers: list[ThreadingHTTPServer] = []

    def start(self) -> tuple[int, int]:
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as nginx's upstream keepalive expects

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen.append(Seen(self.server.server_address[1], self.path, headers))
                body = json.dumps(headers).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        for _ in range(2):
            server = ThreadingHTTPServer((CLIENT, 0), Handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)
        first, second = (s.server_address[1] for s in self.servers)
        return first, second

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


# --- nginx with a deploy file, made runnable by an unprivileged test ---------------------------


def nginx_version() -> tuple[int, ...]:
    out = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out)
    assert match, out
    return tuple(int(x) for x in match.groups())


def runnable_site(
    name: str, workdir: Path, https: int, http: int, upstreams: tuple[int, int]
) -> str:
    """The deploy file with loopback ports, a throw-away certificate and the test's upstreams.
    Nothing else changes — except `http2 on;` on an nginx older than 1.25.1 (Debian 12's 1.22),
    which is written as the listen parameter that nginx understands."""
    site = (DEPLOY / name).read_text(encoding="utf-8")
    cert, key = self_signed_certificate(workdir)
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("listen 80;", f"listen {CLIENT}:{http};")
    site = re.sub(r"listen 443 ssl( http2)?;", rf"listen {CLIENT}:{https} ssl\1;", site)
    if nginx_version() < (1, 25, 1) and "http2 on;" in site:
        site = site.replace("http2 on;", "").replace(" ssl;", " ssl http2;")
    upstream_lines = re.findall(r"server (\S+:\d+) max_fails", site)
    assert len(upstream_lines) == 2, upstream_lines
    for old, port in zip(upstream_lines, upstreams, strict=True):
        site = site.replace(f"server {old} ", f"server {CLIENT}:{port} ")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    return site


class Proxy(NamedTuple):
    https: int
    http: int
    backend: EchoBackend


@pytest.fixture(scope="module", params=["nginx.conf", "nginx-compose.conf"])
def running_proxy(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proxy]:
    """nginx with one deploy file, started once per file."""
    tmp_path = tmp_path_factory.mktemp("nginx")
    backend = EchoBackend()
    upstreams = backend.start()
    request.addfinalizer(backend.stop)  # after nginx has stopped
    https, http = free_port(), free_port()
    site = runnable_site(request.param, tmp_path, https, http, upstreams)
    main = nginx_main_conf(tmp_path, site)
    check = subprocess.run(
        [NGINX, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    process = start_nginx(main, https, NGINX)
    try:
        yield Proxy(https, http, backend)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def proxy(running_proxy: Proxy) -> Proxy:
    """The running nginx, with the backend's record of requests emptied."""
    running_proxy.backend.seen.clear()
    return running_proxy


def _tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate
    return context


def get(proxy: Proxy, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPSConnection(CLIENT, proxy.https, context=_tls(), timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def received(proxy: Proxy, path: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    """The headers the backend received for one request through nginx."""
    status, body = get(proxy, path, {"X-Forwarded-For": SPOOFED, **(headers or {})})
    assert status == 200, body
    return json.loads(body)


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/children?tab=1", "/_stcore/health", "/_stcore/host-config"]
)
def test_the_app_is_told_who_the_client_is(proxy, path):
    seen = received(proxy, path)
    assert seen["host"] == f"{CLIENT}:{proxy.https}"  # what the browser asked for, not "careledger"
    assert seen["x-forwarded-for"] == CLIENT  # nginx's own view; the client's claim is dropped
    assert seen["x-real-ip"] == CLIENT
    assert seen["x-forwarded-proto"] == "https"
    assert "upgrade" not in seen
    assert "connection" not in seen  # keep-alive to the replicas


def test_the_websocket_is_upgraded_with_the_same_client_headers(proxy):
    seen = received(
        proxy,
        "/_stcore/stream",
        {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    assert seen["upgrade"] == "websocket"
    assert seen["connection"].lower() == "upgrade"
    assert seen["sec-websocket-key"] == "dGhlIHNhbXBsZSBub25jZQ=="
    assert seen["host"] == f"{CLIENT}:{proxy.https}"
    assert (seen["x-forwarded-for"], seen["x-real-ip"]) == (CLIENT, CLIENT)
    assert seen["x-forwarded-proto"] == "https"


@pytest.mark.parametrize(
    "path",
    [
        "/_stcore/metrics",
        "/_stcore/metrics?format=json",
        "/_stcore/metrics/",
        "/_stcore/%6detrics",
        "//_stcore/metrics",
        "/_stcore/./metrics",
        "/x/../_stcore/metrics",
    ],
)
def test_metrics_are_refused_before_they_reach_the_app(proxy, path):
    status, _ = get(proxy, path)
    assert status == 404
    assert not [s for s in proxy.backend.seen if "metrics" in s.path.lower()]


def test_http2_is_offered(proxy):
    context = _tls()
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection((CLIENT, proxy.https), timeout=10) as raw,
        context.wrap_socket(raw) as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"


def test_plain_http_only_redirects(proxy):
    conn = http.client.HTTPConnection(CLIENT, proxy.http, timeout=10)
    try:
        conn.request("GET", "/children")
        response = conn.getresponse()
        assert response.status == 301
        assert response.getheader("Location") == f"https://{CLIENT}/children"
    finally:
        conn.close()
    assert not proxy.backend.seen


def test_each_browser_sticks_to_one_replica(proxy):
    """The route cookie set on the first answer brings the browser back to the same replica."""
    conn = http.client.HTTPSConnection(CLIENT, proxy.https, context=_tls(), timeout=10)
    try:
        conn.request("GET", "/")
        first = conn.getresponse()
        first.read()
        cookie = first.getheader("Set-Cookie", "")
        assert cookie.startswith("careledger_route=") and "Secure" in cookie
        route = cookie.split(";", 1)[0]
        for _ in range(5):
            conn.request("GET", "/", headers={"Cookie": route})
            conn.getresponse().read()
    finally:
        conn.close()
    assert len({s.port for s in proxy.backend.seen}) == 1
