"""The login gate. streamlit-authenticator 0.4.2 keeps the signed sign-in cookie; the database
(services.accounts.signin) decides everything else: passwords, lockout, idle timeout, disabled
users.

The only module that imports streamlit_authenticator. Order of a run (app.py): `login_gate()`
before `st.navigation`, and `st.rerun()` as soon as a sign-in succeeds, so nobody signs in twice.
"""

from __future__ import annotations

from typing import NoReturn

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from components import feedback
from components.context import ACTOR_KEY, ready_engine, set_actor
from components.form_errors import ONE_MESSAGE_PER_PROBLEM
from components.safe_text import md
from db.engine import read_session, write_session
from locales import t
from services.accounts import signin
from services.accounts.actor import Actor
from services.accounts.cookie_key import CookieKeyError, load_cookie_key

AUTHENTICATOR_KEY = "careledger_authenticator"
MUST_CHANGE_KEY = "careledger_must_change_password"
SET_COOKIE_KEY = "careledger_set_cookie"
DELETE_COOKIE_KEY = "careledger_delete_cookie"
NOTICE_KEY = "careledger_login_notice"
COOKIE_NAME = "careledger_auth"
# The cookie only re-admits within the 30-minute idle window anyway (checked in the database).
COOKIE_EXPIRY_DAYS = 1.0


def authenticator() -> stauth.Authenticate:
    """The session's one Authenticate object.

    Constructing it renders the cookie component (key "init"), so a second construction in the
    same run raises DuplicateWidgetID: it is built once per session and kept in session state.
    """
    existing = st.session_state.get(AUTHENTICATOR_KEY)
    if existing is None:
        cookie_key = load_cookie_key()
        with read_session(ready_engine()) as session:
            credentials = signin.cookie_credentials(session)
        existing = stauth.Authenticate(
            credentials,
            COOKIE_NAME,
            cookie_key,
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
        st.error(t("accounts.cookie_key_unsafe"))
        st.code(str(err), language=None)
        st.stop()
    actor = _recheck_session() or _sign_in_by_cookie(auth)
    if actor is None:
        if st.session_state.pop(DELETE_COOKIE_KEY, False):
            with cookie_slot:
                auth.cookie_controller.delete_cookie()
        _login_form()
    if st.session_state.pop(SET_COOKIE_KEY, False):
        with cookie_slot:
            auth.cookie_controller.set_cookie()
    if st.session_state.get(MUST_CHANGE_KEY):
        _forced_password_change(actor)
    return actor


def logout_button() -> None:
    st.sidebar.button(t("app.logout"), key="careledger_logout", on_click=_logout_clicked)


def password_change_form(actor: Actor, key: str) -> bool:
    """Current / new / repeat form; True once the password was changed."""
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
    changed = feedback.submit(
        lambda session: signin.change_own_password(session, actor, current, new),
        success=t("accounts.password_changed"),
        rerun=False,
        on_error=ONE_MESSAGE_PER_PROBLEM,
    )
    if changed is feedback.FAILED:
        return False
    st.session_state[MUST_CHANGE_KEY] = False
    return True


def _recheck_session() -> Actor | None:
    """Each run: the signed-in user must still be active, unlocked and not idle (in the DB)."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None or not st.session_state.get("authentication_status"):
        return None
    engine = ready_engine()
    with read_session(engine) as session:
        check = signin.check_session(session, actor.user_id)
        touch = check.sign_in is not None and signin.needs_touch(session, actor.user_id)
    if check.sign_in is None:
        with write_session(engine) as session:
            signin.end_session(session, actor, reason=check.ended_reason or "ended")
        _sign_out(notice_key=f"accounts.ended.{check.ended_reason}")
        return None
    if touch:
        with write_session(engine) as session:
            signin.touch_session(session, actor.user_id)
    _accept(check.sign_in)
    return check.sign_in.actor


def _sign_in_by_cookie(auth: stauth.Authenticate) -> Actor | None:
    """A valid cookie signs the user in again, if the database still agrees."""
    try:
        auth.login(location="unrendered")
    except LoginError:  # the cookie names a user that is no longer active
        st.session_state[DELETE_COOKIE_KEY] = True
        return None
    username = st.session_state.get("username")
    if not st.session_state.get("authentication_status") or not username:
        return None
    with write_session(ready_engine()) as session:
        sign_in = signin.resume_session(session, username)
    if sign_in is None:
        _sign_out(notice_key="accounts.ended.cookie")
        return None
    _accept(sign_in)
    return sign_in.actor


def _login_form() -> NoReturn:
    """Our own form (labels 用户名 / 密码, button 登录), checked against the database."""
    st.title(t("app.title"))
    notice_key = st.session_state.pop(NOTICE_KEY, None)
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
        with read_session(ready_engine()) as session:
            verified = signin.check_password(session, username, password)
        with write_session(ready_engine()) as session:
            sign_in = signin.authenticate(session, username, password, verified_hash=verified)
        if sign_in is None:
            st.error(t("login.failed"))
        else:
            _accept(sign_in)
            st.session_state[SET_COOKIE_KEY] = True
            st.rerun()  # build the navigation now: no second sign-in
    st.stop()


def _forced_password_change(actor: Actor) -> NoReturn:
    st.title(t("accounts.forced_title"))
    st.info(md("accounts.forced_info", name=actor.display_name))
    if password_change_form(actor, key="forced_password_change"):
        st.rerun()
    st.button(t("app.logout"), key="forced_logout", on_click=_logout_clicked)
    st.stop()


def _accept(sign_in: signin.SignIn) -> None:
    """Hand the sign-in to the authenticator's session state (it signs the cookie from it)."""
    actor = sign_in.actor
    st.session_state["authentication_status"] = True
    st.session_state["username"] = signin.normalise_username(actor.username)
    st.session_state["name"] = actor.display_name
    st.session_state["roles"] = [str(actor.role)]
    st.session_state[MUST_CHANGE_KEY] = sign_in.must_change_password
    set_actor(actor)


def _logout_clicked() -> None:
    actor = st.session_state.get(ACTOR_KEY)
    if actor is not None:
        with write_session(ready_engine()) as session:
            signin.end_session(session, actor)
    _sign_out(notice_key="accounts.signed_out")


def _sign_out(notice_key: str | None = None) -> None:
    """Forget the sign-in in this session; the next login form deletes the cookie."""
    auth = st.session_state.get(AUTHENTICATOR_KEY)
    if auth is not None and st.session_state.get("authentication_status"):
        auth.authentication_controller.logout()
    st.session_state["logout"] = True
    set_actor(None)
    st.session_state.pop(MUST_CHANGE_KEY, None)
    st.session_state.pop(SET_COOKIE_KEY, None)
    st.session_state[DELETE_COOKIE_KEY] = True
    if notice_key:
        st.session_state[NOTICE_KEY] = notice_key
