"""The login gate. The database (services.accounts.signin) decides everything: passwords, lockout
per account and client address, server-side sessions, idle timeout, disabled users.
streamlit-authenticator 0.4.2 is used only for its cookie component, to write and delete the
sign-in cookie in the browser; the cookie's value is ours (services.accounts.sessions: a JWT
with the username and the session key, HS256 only) and is read and checked here, so a forged,
malformed or `alg=none` cookie simply shows the login form.

The only module that imports streamlit_authenticator. Order of a run (app.py): `login_gate()`
before the role's `st.navigation`, and `st.rerun()` as soon as a sign-in succeeds, so nobody
signs in twice. Until then the app has only the login page (components.navigation).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import datetime
from typing import NoReturn

import streamlit as st
import streamlit_authenticator as stauth

from components import feedback, navigation
from components.context import ACTOR_KEY, ready_engine, set_actor
from components.form_errors import ONE_MESSAGE_PER_PROBLEM
from components.safe_text import md
from db.engine import read_session, write_session
from locales import t
from services.accounts import client, sessions, signin
from services.accounts.cookie_key import CookieKeyError, load_cookie_key
from services.actor import Actor

AUTHENTICATOR_KEY = "careledger_authenticator"
MUST_CHANGE_KEY = "careledger_must_change_password"
SESSION_ID_KEY = "careledger_session_id"
SET_COOKIE_KEY = "careledger_set_cookie"  # the token to write at the end of this run
DELETE_COOKIE_KEY = "careledger_delete_cookie"
COOKIE_TRIED_KEY = "careledger_cookie_tried"  # the cookie this browser session already tried
NOTICE_KEY = "careledger_login_notice"
COOKIE_NAME = "careledger_auth"
COOKIE_SECURE_ENV = "CARELEDGER_COOKIE_SECURE"
# The cookie only re-admits while its server-side session is open (30 idle minutes) anyway.
COOKIE_EXPIRY_DAYS = sessions.COOKIE_LIFETIME.total_seconds() / 86400

_log = logging.getLogger(__name__)


def authenticator() -> stauth.Authenticate:
    """The session's one Authenticate object (for its cookie component).

    Constructing it renders the cookie component (key "init"), so a second construction in the
    same run raises DuplicateWidgetID: it is built once per session and kept in session state.
    It gets no credentials: it never checks a password or reads the cookie here.
    """
    existing = st.session_state.get(AUTHENTICATOR_KEY)
    if existing is None:
        existing = stauth.Authenticate(
            {"usernames": {}},
            COOKIE_NAME,
            load_cookie_key(),
            COOKIE_EXPIRY_DAYS,
            auto_hash=False,
            login_sleep_time=0,
        )
        st.session_state[AUTHENTICATOR_KEY] = existing
    return existing


def login_gate() -> Actor:
    """Return the signed-in actor, or show the login (or forced password change) and stop."""
    # The cookie components (invisible) render in this one slot, present in every run, so the
    # form below keeps its place and the browser never shows a stale second copy of it.
    cookie_slot = st.container()
    try:
        with cookie_slot:
            auth = authenticator()
    except CookieKeyError as err:
        navigation.before_sign_in()
        st.error(t("accounts.cookie_key_unsafe"))
        st.code(str(err), language=None)
        st.stop()
    actor = _recheck_session() or _sign_in_by_cookie(auth)
    if actor is None:
        if st.session_state.pop(DELETE_COOKIE_KEY, False):
            with cookie_slot:
                auth.cookie_controller.delete_cookie()
        _login_form()
    token = st.session_state.pop(SET_COOKIE_KEY, None)
    if token:
        with cookie_slot:
            _write_cookie(auth, token)
    if st.session_state.get(MUST_CHANGE_KEY):
        _forced_password_change(actor)
    return actor


def logout_button() -> None:
    st.sidebar.button(t("app.logout"), key="careledger_logout", on_click=_logout_clicked)


def password_change_form(actor: Actor, key: str) -> bool:
    """Current / new / repeat form; True once the password was changed. The user's other
    sessions end; this one stays."""
    with st.form(key, clear_on_submit=True):
        current = st.text_input(t("accounts.current_password"), type="password")
        new = st.text_input(t("accounts.new_password"), type="password", help=t("accounts.rules"))
        repeat = st.text_input(t("accounts.repeat_password"), type="password")
        submitted = st.form_submit_button(t("accounts.change_password"), type="primary")
    if not submitted:
        return False
    if new != repeat:
        st.error(t("accounts.passwords_differ"))
        return False
    this_session = st.session_state.get(SESSION_ID_KEY)
    changed = feedback.submit(
        lambda session: signin.change_own_password(
            session, actor, current, new, keep_session_id=this_session
        ),
        success=t("accounts.password_changed"),
        rerun=False,
        on_error=ONE_MESSAGE_PER_PROBLEM,
    )
    if changed is feedback.FAILED:
        return False
    st.session_state[MUST_CHANGE_KEY] = False
    return True


def cookie_secure(environ: Mapping[str, str], url: str | None) -> bool:
    """Whether the sign-in cookie gets `Secure`: CARELEDGER_COOKIE_SECURE=1 (the deploy files
    set it) or =0; unset, when the browser shows the app over HTTPS."""
    setting = environ.get(COOKIE_SECURE_ENV, "").strip().lower()
    if setting in {"1", "true", "yes", "on"}:
        return True
    if setting in {"0", "false", "no", "off"}:
        return False
    return (url or "").lower().startswith("https://")


def client_address() -> str:
    """The browser's address; X-Forwarded-For only from a trusted proxy (accounts.client)."""
    try:
        trusted = client.trusted_proxies()
    except ValueError as err:  # a bad setting trusts nobody rather than stopping every sign-in
        _log.warning("%s", err)
        trusted = ()
    forwarded = st.context.headers.get("X-Forwarded-For")
    return client.client_address(st.context.ip_address, forwarded, trusted)


def cookie_token() -> str | None:
    """The sign-in cookie the browser sent when it opened this session."""
    return st.context.cookies.get(COOKIE_NAME)


def _recheck_session() -> Actor | None:
    """Each run: this session must still be open and not idle, the user active and unlocked."""
    actor = st.session_state.get(ACTOR_KEY)
    session_id = st.session_state.get(SESSION_ID_KEY)
    if actor is None or session_id is None or not st.session_state.get("authentication_status"):
        return None
    engine = ready_engine()
    with read_session(engine) as session:
        check = signin.check_session(session, session_id)  # the run's one query
    if check.sign_in is None:
        reason = check.ended_reason or "revoked"
        with write_session(engine) as session:
            signin.end_session(session, actor, session_id, reason=reason)
        _sign_out(notice_key=f"accounts.ended.{reason}")
        return None
    if check.needs_touch:
        with write_session(engine) as session:
            signin.touch_session(session, session_id)
    _accept(check.sign_in)
    return check.sign_in.actor


def _sign_in_by_cookie(auth: stauth.Authenticate) -> Actor | None:
    """A cookie re-admits into the session it names, if that session is still open.

    Each cookie value is tried once per browser session: the cookie a browser sent stays the
    same for the whole session, even after it was replaced or deleted."""
    token = cookie_token()
    if not token or st.session_state.get(COOKIE_TRIED_KEY) == token:
        return None
    st.session_state[COOKIE_TRIED_KEY] = token
    ticket = sessions.read_token(token, auth.cookie_controller.cookie_model.cookie_key, _now())
    if ticket is None:  # forged, malformed, expired: as if there were none
        st.session_state[DELETE_COOKIE_KEY] = True
        return None
    with write_session(ready_engine()) as session:
        sign_in = signin.resume_session(session, ticket, client_address=client_address())
    if sign_in is None:
        _sign_out(notice_key="accounts.ended.cookie")
        return None
    _accept(sign_in)
    return sign_in.actor


def _login_form() -> NoReturn:
    """Our own form (labels 用户名 / 密码, button 登录), checked against the database."""
    navigation.before_sign_in()
    st.title(t("app.title"))
    # Kept until the next press: the cookie component's rerun must not wipe "您已退出登录。".
    notice_key = st.session_state.get(NOTICE_KEY)
    if notice_key:
        st.info(t(notice_key))
    with st.form("login"):
        st.subheader(t("login.title"))
        username = st.text_input(t("login.username"), autocomplete="username")
        password = st.text_input(
            t("login.password"), type="password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        st.session_state.pop(NOTICE_KEY, None)
        address = client_address()
        with read_session(ready_engine()) as session:
            stored = signin.stored_hash(session, username)
        verified = signin.matching_hash(password, stored)  # bcrypt with no transaction open
        with write_session(ready_engine()) as session:
            sign_in = signin.authenticate(
                session, username, password, verified_hash=verified, client_address=address
            )
        if sign_in is None:
            st.error(t("login.failed"))
        else:
            _accept(sign_in)
            auth = st.session_state[AUTHENTICATOR_KEY]
            st.session_state[SET_COOKIE_KEY] = sessions.issue_token(
                signin.normalise_username(sign_in.actor.username),
                sign_in.session_key or "",
                auth.cookie_controller.cookie_model.cookie_key,
                _now(),
            )
            st.rerun()  # build the navigation now: no second sign-in
    st.stop()


def _forced_password_change(actor: Actor) -> NoReturn:
    navigation.before_sign_in()
    st.title(t("accounts.forced_title"))
    st.info(md("accounts.forced_info", name=actor.display_name))
    if password_change_form(actor, key="forced_password_change"):
        st.rerun()
    st.button(t("app.logout"), key="forced_logout", on_click=_logout_clicked)
    st.stop()


def _write_cookie(auth: stauth.Authenticate, token: str) -> None:
    """Write our token with the library's cookie component (Secure over HTTPS, SameSite)."""
    auth.cookie_controller.cookie_model.cookie_manager.set(
        COOKIE_NAME,
        token,
        expires_at=datetime.now() + sessions.COOKIE_LIFETIME,
        secure=cookie_secure(os.environ, st.context.url),
        same_site="strict",
    )


def _now() -> datetime:
    return signin.now()


def _accept(sign_in: signin.SignIn) -> None:
    """Remember the sign-in in this browser session."""
    actor = sign_in.actor
    st.session_state["authentication_status"] = True
    st.session_state["username"] = signin.normalise_username(actor.username)
    st.session_state["name"] = actor.display_name
    st.session_state["roles"] = [str(actor.role)]
    st.session_state[MUST_CHANGE_KEY] = sign_in.must_change_password
    st.session_state[SESSION_ID_KEY] = sign_in.session_id
    set_actor(actor)


def _logout_clicked() -> None:
    actor = st.session_state.get(ACTOR_KEY)
    if actor is not None:
        with write_session(ready_engine()) as session:
            signin.end_session(session, actor, st.session_state.get(SESSION_ID_KEY))
    _sign_out(notice_key="accounts.signed_out")


def _sign_out(notice_key: str | None = None) -> None:
    """Forget the sign-in in this browser session; the next login form deletes the cookie."""
    for key in ("name", "username", "authentication_status", "email", "roles"):
        st.session_state[key] = None
    set_actor(None)
    for key in (MUST_CHANGE_KEY, SET_COOKIE_KEY, SESSION_ID_KEY):
        st.session_state.pop(key, None)
    st.session_state[DELETE_COOKIE_KEY] = True
    if notice_key:
        st.session_state[NOTICE_KEY] = notice_key
