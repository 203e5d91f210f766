"""Run one page under AppTest as a given actor against the test database."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from components.context import ACTOR_KEY
from services.actor import Actor

ROOT = Path(__file__).resolve().parents[2]


def run_page(page: str, actor: Actor | None, timeout: float = 30, **state: object) -> AppTest:
    """AppTest of `pages/<page>` with the actor signed in (DATABASE_URL set by `app_env`)."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
    if actor is not None:
        at.session_state[ACTOR_KEY] = actor
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    """The page's metrics, value by label, once it has run without an exception."""
    assert not at.exception
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> str:
    """Everything visible as text (markdown, captions, titles, metrics...), for assertions."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "text",
    ):
        parts.extend(str(el.value) for el in getattr(at, kind))
    for metric in at.metric:
        parts.append(f"{metric.label} {metric.value}")
    return "\n".join(parts)
