"""Per-run context for pages: the database engine and the signed-in actor."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st
from sqlalchemy import Engine
from streamlit.errors import StreamlitAPIException

from db.engine import database_url, get_engine
from db.enums import Role
from db.migrate import upgrade
from locales import DEFAULT_LANGUAGE, set_language
from services.actor import Actor

ACTOR_KEY = "careledger_actor"
DEMO_MODE_KEY = "demo_mode"  # plain session state: survives page switches
DEMO_SWITCH_KEY = "demo_mode_switch"  # the sidebar widget that sets it
DEMO_MODE_ROLES = frozenset({Role.PRINCIPAL, Role.ADMIN})


@st.cache_resource(show_spinner=False)
def _migrated_engine(url: str) -> Engine:
    engine = get_engine(url)
    upgrade(engine)
    return engine


_READY: dict[str, Engine] = {}


def ready_engine() -> Engine:
    """The process-wide engine for DATABASE_URL, with the schema upgraded once per process.

    Pages ask for it several times a run; after the first answer a plain dictionary serves it
    (st.cache_resource hashes its argument on every call, ≈ 1 ms)."""
    url = database_url()
    engine = _READY.get(url)
    if engine is None:
        engine = _READY[url] = _migrated_engine(url)
    return engine


def current_actor() -> Actor:
    """The signed-in actor; app.py guarantees one exists before any page runs.

    Also applies the session's language, so a page run on its own (AppTest) matches the app.
    """
    set_language(st.session_state.get("language", DEFAULT_LANGUAGE))
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:
        _through_the_login_gate()
    if demo_mode_on(actor):
        return replace(actor, demo_mode=True)
    return actor


def demo_mode_switch(label: str, help_text: str) -> None:
    """The sidebar's 演示模式 toggle. Its value is copied into a plain session-state key, since
    a widget's own state can be dropped when the user switches pages."""

    def copy_switch() -> None:
        st.session_state[DEMO_MODE_KEY] = st.session_state[DEMO_SWITCH_KEY]

    st.sidebar.toggle(
        label,
        value=bool(st.session_state.get(DEMO_MODE_KEY)),
        key=DEMO_SWITCH_KEY,
        help=help_text,
        on_change=copy_switch,
    )


def demo_mode_on(actor: Actor) -> bool:
    """The sidebar's 演示模式 switch is on (only principal and admin have it)."""
    return actor.role in DEMO_MODE_ROLES and bool(st.session_state.get(DEMO_MODE_KEY))


def set_actor(actor: Actor | None) -> None:
    if actor is None:
        st.session_state.pop(ACTOR_KEY, None)
    else:
        st.session_state[ACTOR_KEY] = actor


def _through_the_login_gate() -> None:
    """A page ran without app.py: only in a fresh process, before any run has called
    st.navigation, does Streamlit run a pages/ file on its own (the URL named it). Start again
    at app.py, whose login gate takes over (#13 item 4); elsewhere, stop."""
    try:
        st.switch_page("app.py")
    except StreamlitAPIException:
        st.stop()
