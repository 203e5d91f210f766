"""ready_engine(): one migrated engine per DATABASE_URL, served without st.cache_resource's
per-call hashing after the first call (#15); another URL never gets the first one's engine."""

from __future__ import annotations

from sqlalchemy import inspect

from components import context


def test_one_engine_per_url_and_never_another_urls(monkeypatch, tmp_path):
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    monkeypatch.setenv("DATABASE_URL", first)
    a = context.ready_engine()
    assert context.ready_engine() is a
    assert "schools" in inspect(a).get_table_names()  # migrated on first use
    monkeypatch.setenv("DATABASE_URL", second)
    b = context.ready_engine()
    assert b is not a and str(b.url) == second
    monkeypatch.setenv("DATABASE_URL", first)
    assert context.ready_engine() is a


def test_later_calls_do_not_go_through_the_resource_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    context.ready_engine()
    calls = []
    monkeypatch.setattr(context, "_migrated_engine", lambda url: calls.append(url))
    context.ready_engine()
    assert calls == []
