"""Per-run context for pages: the database engine and the signed-in actor."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from db.engine import database_url, get_engine
from db.migrate import upgrade
from locales import DEFAULT_LANGUAGE, set_language
from services.actor import Actor

ACTOR_KEY = "careledger_actor"


@st.cache_resource(show_spinner=False)
def _migrated_engine(url: str) -> Engine:
    engine = get_engine(url)
    upgrade(engine)
    return engine


def ready_engine() -> Engine:
    """The process-wide engine for DATABASE_URL, with the schema upgraded once per process."""
    return _migrated_engine(database_url())


def current_actor() -> Actor:
    """The signed-in actor; app.py guarantees one exists before any page runs.

    Also applies the session's language, so a page run on its own (AppTest) matches the app.
    """
    set_language(st.session_state.get("language", DEFAULT_LANGUAGE))
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:
        st.stop()
    return actor


def set_actor(actor: Actor | None) -> None:
    if actor is None:
        st.session_state.pop(ACTOR_KEY, None)
    else:
        st.session_state[ACTOR_KEY] = actor
