"""bench/load.py drives a real server over Streamlit's WebSocket protocol (a smoke run)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load import rss_mb, run_load
from db.engine import make_engine
from seed.generator import SeedConfig, seed_database
from tests.e2e.conftest import start_streamlit, stop_process

pytestmark = pytest.mark.xdist_group("load")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    folder = tmp_path_factory.mktemp("load")
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    seed_database(engine, SeedConfig(children=60))
    engine.dispose()
    proc, base_url = start_streamlit(url, folder / "server.log")
    try:
        yield base_url, proc.pid
    finally:
        stop_process(proc)


def test_sessions_sign_in_and_are_served_pages(server: tuple[str, int]):
    base_url, pid = server
    result = run_load(base_url, sessions=2, seconds=3, server_pid=pid, users=("admin",))
    assert result.errors == []
    assert len(result.sign_in_times) == 2
    assert result.pages_served >= 2
    assert result.rss_peak_mb >= result.rss_start_mb > 50


def test_a_wrong_password_is_reported_as_an_error(server: tuple[str, int]):
    base_url, _ = server
    result = run_load(base_url, 1, 1, users=("nobody",))
    assert result.pages_served == 0
    assert len(result.errors) == 1 and "sign-in" in result.errors[0]


def test_only_loopback_is_allowed():
    with pytest.raises(ValueError, match="loopback"):
        run_load("http://example.org:8501", 1, 1)


def test_memory_of_this_process_is_read_from_proc():
    assert Path("/proc/self/status").exists()
    assert rss_mb(os.getpid()) > 10
    assert rss_mb(2**22 + 12345) == 0  # no such process
