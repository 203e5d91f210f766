"""Sign-in, lockout, idle sessions, own password (services/accounts/signin.py), the cookie key, and
the
administrator's user management (services/accounts/user_admin.py). The clock is passed in, never
slept."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from datetime import timedelta

import pytest

from db.engine import write_session
from db.enums import AuditAction, Role
from db.models import TeachingAssignment
from locales import t
from services.accounts import cli, lockout, session_admin, signin, user_admin, user_list
from services.accounts.client import UNKNOWN
from services.accounts.cookie_key import CookieKeyError, load_cookie_key
from services.accounts.passwords import password_problem, verify_password
from services.accounts.user_admin import UserDraft
from services.actor import SYSTEM_ACTOR
from services.errors import ConflictError, NotAllowed, ValidationFailed
from tests.factories import TEST_PASSWORD, actor_of, make_classroom, make_school, make_user
from tests.services.accounts_helpers import T0, audit_rows, reload_user

# --- sign-in and lockout ---------------------------------------------------------------------


def test_sign_in_with_the_right_password_is_audited(session):
    school = make_school(session)
    user = make_user(session, school, Role.TEACHER, username="li")

    sign_in = signin.authenticate(session, "li", TEST_PASSWORD, at=T0)

    assert sign_in is not None and sign_in.actor.user_id == user.id
    assert sign_in.must_change_password is False
    fresh = reload_user(session, user.id)
    assert signin.as_utc(fresh.last_login_at) == T0
    [entry] = audit_rows(session, AuditAction.LOGIN)
    assert (entry.user_id, entry.school_id, entry.ok, entry.detail) == (
        user.id,
        school.id,
        True,
        "password",
    )


def test_two_phase_sign_in_checks_the_password_before_the_write(session):
    school = make_school(session)
    make_user(session, school, Role.TEACHER, username="zhao")
    verified = signin.check_password(session, "zhao", TEST_PASSWORD)
    assert verified is not None
    assert signin.check_password(session, "zhao", "wrong-pass1") is None
    assert signin.check_password(session, "nobody", TEST_PASSWORD) is None

    assert signin.authenticate(session, "zhao", "", at=T0, verified_hash=verified) is not None
    assert signin.authenticate(session, "zhao", "", at=T0, verified_hash=None) is None


def test_a_password_changed_between_check_and_write_is_refused(session):
    school = make_school(session)
    user = make_user(session, school, Role.TEACHER, username="qian")
    verified = signin.check_password(session, "qian", TEST_PASSWORD)
    user.password_hash = "$2b$04$" + "x" * 53  # someone reset it meanwhile
    session.flush()
    assert (
        signin.authenticate(session, "qian", TEST_PASSWORD, at=T0, verified_hash=verified) is None
    )
    [entry] = audit_rows(session, AuditAction.LOGIN_FAILED)
    assert (entry.entity_id, entry.detail) == (user.id, "wrong_password")


def test_username_is_case_insensitive(session):
    make_user(session, make_school(session), username="wang")
    assert signin.authenticate(session, "  WANG ", TEST_PASSWORD, at=T0) is not None


def test_unknown_user_and_wrong_password_are_refused_alike_and_audited(session):
    school = make_school(session)
    user = make_user(session, school, username="zhao")

    assert signin.authenticate(session, "zhao", "wrong-pass1", at=T0) is None
    assert signin.authenticate(session, "nobody", "wrong-pass1", at=T0) is None

    wrong, unknown = audit_rows(session, AuditAction.LOGIN_FAILED)
    assert (wrong.entity_id, wrong.username, wrong.ok, wrong.detail) == (
        user.id,
        "zhao",
        False,
        "wrong_password",
    )
    assert wrong.school_id == school.id
    assert (unknown.entity_id, unknown.username, unknown.detail) == (None, "nobody", "unknown_user")
    assert wrong.user_id is None  # nobody is known to have acted
    assert reload_user(session, user.id).failed_logins == 1


def test_five_failures_lock_for_fifteen_minutes_then_unlock_by_themselves(session):
    """From one address (here the same unknown one every time): see test_lockout.py for
    addresses and the account-wide ceiling."""
    user = make_user(session, make_school(session), username="sun")
    for minute in range(5):
        at = T0 + timedelta(minutes=minute)
        assert signin.authenticate(session, "sun", "bad-guess1", at=at) is None
    locked_until = lockout.address_locked_until(session, user.id, UNKNOWN, T0)
    assert locked_until == T0 + timedelta(minutes=4) + signin.LOCKOUT

    still_locked = T0 + timedelta(minutes=4 + 14, seconds=59)
    assert signin.authenticate(session, "sun", TEST_PASSWORD, at=still_locked) is None
    assert audit_rows(session, AuditAction.LOGIN_FAILED)[-1].detail == "address_locked"
    assert audit_rows(session, AuditAction.LOGIN_FAILED)[-2].detail == "locked_now"

    unlocked = T0 + timedelta(minutes=4 + 15)
    assert signin.authenticate(session, "sun", TEST_PASSWORD, at=unlocked) is not None
    assert lockout.address_locked_until(session, user.id, UNKNOWN, unlocked) is None


def test_four_failures_do_not_lock_and_a_success_resets_the_count(session):
    user = make_user(session, make_school(session), username="qian")
    for _ in range(4):
        signin.authenticate(session, "qian", "bad-guess1", at=T0)
    assert signin.authenticate(session, "qian", TEST_PASSWORD, at=T0) is not None
    for _ in range(4):
        signin.authenticate(session, "qian", "bad-guess1", at=T0)
    assert lockout.address_locked_until(session, user.id, UNKNOWN, T0) is None
    assert signin.authenticate(session, "qian", TEST_PASSWORD, at=T0) is not None


def test_after_a_lock_runs_out_the_count_starts_again(session):
    user = make_user(session, make_school(session), username="zhou")
    for _ in range(5):
        signin.authenticate(session, "zhou", "bad-guess1", at=T0)
    later = T0 + signin.LOCKOUT + timedelta(seconds=1)
    assert signin.authenticate(session, "zhou", "bad-guess1", at=later) is None
    assert lockout.address_locked_until(session, user.id, UNKNOWN, later) is None
    for _ in range(3):
        signin.authenticate(session, "zhou", "bad-guess1", at=later)
    assert lockout.address_locked_until(session, user.id, UNKNOWN, later) is None


def test_login_bookkeeping_does_not_bump_the_optimistic_lock_version(session):
    user = make_user(session, make_school(session), username="wu")
    version = user.version
    signin.authenticate(session, "wu", "bad-guess1", at=T0)
    sign_in = signin.authenticate(session, "wu", TEST_PASSWORD, at=T0)
    signin.touch_session(session, sign_in.session_id, at=T0 + timedelta(minutes=5))
    assert reload_user(session, user.id).version == version


def test_disabled_user_is_refused_with_the_right_password(session):
    make_user(session, make_school(session), username="zheng", active=False)
    assert signin.authenticate(session, "zheng", TEST_PASSWORD, at=T0) is None
    assert audit_rows(session, AuditAction.LOGIN_FAILED)[-1].detail == "disabled"


def test_new_account_must_change_password(session):
    make_user(session, make_school(session), username="feng", must_change_password=True)
    sign_in = signin.authenticate(session, "feng", TEST_PASSWORD, at=T0)
    assert sign_in is not None and sign_in.must_change_password is True


# --- live sessions and the cookie (more in test_sessions.py) ---------------------------------


def test_session_stays_valid_while_active_and_ends_after_thirty_idle_minutes(session):
    make_user(session, make_school(session), username="chen")
    sid = signin.authenticate(session, "chen", TEST_PASSWORD, at=T0).session_id

    assert signin.check_session(session, sid, at=T0 + timedelta(minutes=29)).sign_in
    signin.touch_session(session, sid, at=T0 + timedelta(minutes=29))
    assert signin.check_session(session, sid, at=T0 + timedelta(minutes=58)).sign_in

    ended = signin.check_session(session, sid, at=T0 + timedelta(minutes=60))
    assert (ended.sign_in, ended.ended_reason) == (None, "idle")


def test_touch_is_needed_only_once_a_minute(session):
    make_user(session, make_school(session), username="chu")
    sid = signin.authenticate(session, "chu", TEST_PASSWORD, at=T0).session_id
    assert not signin.needs_touch(session, sid, at=T0 + timedelta(seconds=30))
    assert signin.needs_touch(session, sid, at=T0 + timedelta(seconds=61))


@pytest.mark.parametrize(
    ("change", "reason"),
    [({"active": False}, "disabled"), ({"locked_until": T0 + timedelta(minutes=10)}, "locked")],
)
def test_a_live_session_ends_when_the_user_is_disabled_or_locked(session, change, reason):
    user = make_user(session, make_school(session), username="wei")
    sid = signin.authenticate(session, "wei", TEST_PASSWORD, at=T0).session_id
    for key, value in change.items():
        setattr(user, key, value)
    session.flush()
    result = signin.check_session(session, sid, at=T0 + timedelta(minutes=1))
    assert (result.sign_in, result.ended_reason) == (None, reason)


def test_cookie_resumes_a_recent_session_and_is_audited(session):
    user = make_user(session, make_school(session), username="jiang")
    sign_in = signin.authenticate(session, "jiang", TEST_PASSWORD, at=T0)
    ticket = signin.Ticket("jiang", sign_in.session_key)
    resumed = signin.resume_session(session, ticket, at=T0 + timedelta(minutes=10))
    assert resumed is not None and resumed.actor.user_id == user.id
    assert audit_rows(session, AuditAction.LOGIN)[-1].detail == "cookie"


@pytest.mark.parametrize(
    ("after_login", "reason"),
    [
        ("logout", "cookie_revoked"),
        ("disable", "cookie_disabled"),
        ("lock", "cookie_locked"),
        ("idle", "cookie_idle"),
    ],
)
def test_a_valid_cookie_is_refused_when_the_database_says_no(session, after_login, reason):
    user = make_user(session, make_school(session), username="shen")
    sign_in = signin.authenticate(session, "shen", TEST_PASSWORD, at=T0)
    at = T0 + timedelta(minutes=5)
    if after_login == "logout":
        signin.end_session(session, sign_in.actor, sign_in.session_id)
    elif after_login == "disable":
        user.active = False
    elif after_login == "lock":
        user.locked_until = T0 + timedelta(minutes=15)
    else:
        at = T0 + timedelta(minutes=31)
    session.flush()
    ticket = signin.Ticket("shen", sign_in.session_key)
    assert signin.resume_session(session, ticket, at=at) is None
    assert audit_rows(session, AuditAction.LOGIN_FAILED)[-1].detail == reason


def test_logout_is_audited(session):
    make_user(session, make_school(session), username="han")
    sign_in = signin.authenticate(session, "han", TEST_PASSWORD, at=T0)
    signin.end_session(session, sign_in.actor, sign_in.session_id)
    [entry] = audit_rows(session, AuditAction.LOGOUT)
    assert (entry.username, entry.detail) == ("han", "logout")


# --- own password ----------------------------------------------------------------------------


def test_change_own_password_checks_current_password_and_policy(session):
    user = make_user(session, make_school(session), username="lu", must_change_password=True)
    actor = actor_of(session, user)
    cases = [
        ("wrong-pass1", "Lanhua-2026x", "accounts.wrong_current_password"),
        (TEST_PASSWORD, "short1", "password.too_short"),
        (TEST_PASSWORD, "onlyletters", "password.character_classes"),
        (TEST_PASSWORD, TEST_PASSWORD, "accounts.password_unchanged"),
    ]
    for current, new, reason in cases:
        with pytest.raises(ValidationFailed) as err:
            signin.change_own_password(session, actor, current, new)
        assert err.value.problems[0].reason == reason

    signin.change_own_password(session, actor, TEST_PASSWORD, "Lanhua-2026x")

    fresh = reload_user(session, user.id)
    assert verify_password("Lanhua-2026x", fresh.password_hash)
    assert fresh.must_change_password is False
    [entry] = audit_rows(session, AuditAction.UPDATE)
    assert entry.before == {"password": "(old)", "must_change_password": True}
    assert entry.after == {"password": "(changed)", "must_change_password": False}
    assert "$2b$" not in str(entry.before) + str(entry.after)


# --- user management -------------------------------------------------------------------------


@pytest.fixture
def school_admin(session):
    school = make_school(session)
    admin = make_user(session, school, Role.ADMIN, username="boss")
    return school, actor_of(session, admin)


def test_admin_creates_a_user_with_a_one_time_password(session, school_admin):
    school, admin = school_admin
    room = make_classroom(session, school)
    draft = UserDraft(
        "Ma.Laoshi",
        "马老师",
        Role.HEAD_TEACHER,
        phone="13912345678",
        head_of_classroom_ids=frozenset({room.id}),
        taught_classroom_ids=frozenset({room.id}),
    )

    issued = user_admin.create_user(session, admin, draft)

    assert issued.username == "ma.laoshi"
    assert password_problem(issued.one_time_password) is None
    user = reload_user(session, issued.user_id)
    assert verify_password(issued.one_time_password, user.password_hash)
    assert (user.school_id, user.county, user.must_change_password) == (
        school.id,
        school.county,
        True,
    )
    assert actor_of(session, user).head_of_classroom_ids == {room.id}
    created = audit_rows(session, AuditAction.CREATE)[-1]
    assert created.entity == "user" and created.after["username"] == "ma.laoshi"
    assert created.after["head_of_classroom_ids"] == [room.id]
    assert "password_hash" not in created.after
    classroom_change = audit_rows(session, AuditAction.UPDATE)[-1]
    assert (classroom_change.entity, classroom_change.after) == (
        "classroom",
        {"head_teacher_id": user.id},
    )
    sign_in = signin.authenticate(session, "ma.laoshi", issued.one_time_password, at=T0)
    assert sign_in is not None and sign_in.must_change_password


def test_create_user_explains_every_bad_field(session, school_admin):
    _, admin = school_admin
    other_room = make_classroom(session, make_school(session, name="别校"))
    bad = {"phone": "12345", "head_of_classroom_ids": frozenset({other_room.id})}
    with pytest.raises(ValidationFailed) as err:
        user_admin.create_user(session, admin, UserDraft("Boss", " ", Role.TEACHER, **bad))
    reasons = {p.column: p.reason for p in err.value.problems}
    assert reasons == {
        "username": "accounts.username_taken",
        "display_name": "accounts.display_name_required",
        "phone": "accounts.phone_invalid",
        "head_of_classroom_ids": "accounts.head_of_needs_head_teacher",
        "classes": "accounts.class_not_in_school",
    }
    assert audit_rows(session, AuditAction.CREATE) == []


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_admins_manage_users(session, role):
    school = make_school(session)
    other = make_user(session, school, username="target")
    actor = actor_of(session, make_user(session, school if role != Role.BUREAU else None, role))
    with pytest.raises(NotAllowed):
        user_list.list_users(session, actor)
    with pytest.raises(NotAllowed):
        user_admin.create_user(session, actor, UserDraft("newbie", "新人", Role.TEACHER))
    with pytest.raises(NotAllowed):
        user_admin.reset_password(session, actor, other.id)


def test_admin_cannot_touch_another_schools_users_or_make_bureau_accounts(session, school_admin):
    _, admin = school_admin
    stranger = make_user(session, make_school(session, name="别校"), username="stranger")
    with pytest.raises(NotAllowed):
        user_admin.set_user_active(session, admin, stranger.id, False)
    with pytest.raises(NotAllowed):
        user_admin.create_user(session, admin, UserDraft("county", "局", Role.BUREAU, county="X"))
    assert [row.username for row in user_list.list_users(session, admin)] == ["boss"]


def test_update_user_refuses_a_stale_version(session, school_admin):
    school, admin = school_admin
    user = make_user(session, school, username="tang")
    seen = user.version
    draft = UserDraft("tang", "唐老师", Role.TEACHER)
    user_admin.update_user(session, admin, user.id, seen, draft)
    with pytest.raises(ConflictError):
        user_admin.update_user(session, admin, user.id, seen, replace(draft, role=Role.COUNSELLOR))


def test_update_user_changes_role_and_classes_with_a_diff(session, school_admin):
    school, admin = school_admin
    room_a, room_b = make_classroom(session, school, 3, 1), make_classroom(session, school, 3, 2)
    user = make_user(session, school, Role.TEACHER, username="xu")
    session.add(TeachingAssignment(school_id=school.id, user_id=user.id, classroom_id=room_a.id))
    session.flush()
    draft = UserDraft(
        "xu",
        "测试老师",
        Role.HEAD_TEACHER,
        head_of_classroom_ids=frozenset({room_b.id}),
        taught_classroom_ids=frozenset({room_b.id}),
    )
    user_admin.update_user(session, admin, user.id, user.version, draft)

    entry = [e for e in audit_rows(session, AuditAction.UPDATE) if e.entity == "user"][-1]
    assert entry.before == {
        "role": "teacher",
        "head_of_classroom_ids": [],
        "taught_classroom_ids": [room_a.id],
    }
    assert entry.after == {
        "role": "head_teacher",
        "head_of_classroom_ids": [room_b.id],
        "taught_classroom_ids": [room_b.id],
    }
    actor = actor_of(session, reload_user(session, user.id))
    assert (actor.role, actor.head_of_classroom_ids, actor.taught_classroom_ids) == (
        Role.HEAD_TEACHER,
        {room_b.id},
        {room_b.id},
    )


def test_admin_cannot_disable_themselves_or_change_their_own_role(session, school_admin):
    _, admin = school_admin
    with pytest.raises(NotAllowed):
        user_admin.set_user_active(session, admin, admin.user_id, False)
    version = reload_user(session, admin.user_id).version
    with pytest.raises(NotAllowed):
        user_admin.update_user(
            session, admin, admin.user_id, version, UserDraft("boss", "校管", Role.TEACHER)
        )


def test_admin_cannot_disable_themselves_or_end_their_own_sign_ins(session, school_admin):
    _, admin = school_admin
    sid = signin.authenticate(session, "boss", TEST_PASSWORD, at=T0).session_id
    for act in (
        lambda: user_admin.set_user_active(session, admin, admin.user_id, False),
        lambda: session_admin.end_user_sessions(session, admin, admin.user_id, at=T0),
    ):
        with pytest.raises(user_admin.OwnAccountRefused) as refused:
            act()
        assert "另一名管理员" in t(refused.value.message_key)
    assert signin.check_session(session, sid, at=T0).ended_reason is None
    assert reload_user(session, admin.user_id).active


def test_disabling_ends_sessions_and_reset_unlocks_and_forces_a_change(session, school_admin):
    school, admin = school_admin
    user = make_user(session, school, username="gao")
    sid = signin.authenticate(session, "gao", TEST_PASSWORD, at=T0).session_id

    user_admin.set_user_active(session, admin, user.id, False)
    assert signin.check_session(session, sid, at=T0).ended_reason == "disabled"
    user_admin.set_user_active(session, admin, user.id, True)

    for _ in range(5):
        signin.authenticate(session, "gao", "bad-guess1", at=T0)
    issued = user_admin.reset_password(session, admin, user.id)
    sign_in = signin.authenticate(session, "gao", issued.one_time_password, at=T0)
    assert sign_in is not None and sign_in.must_change_password
    reset = [e for e in audit_rows(session, AuditAction.UPDATE) if e.detail == "password_reset"]
    assert reset[0].after == {"password": "(reset)", "must_change_password": True}
    disabled = [e for e in audit_rows(session, AuditAction.UPDATE) if e.after == {"active": False}]
    assert len(disabled) == 1


def test_server_command_actor_creates_bureau_accounts_and_moves_users(session):
    school = make_school(session)
    other = make_school(session, name="新校", county="新县")
    issued = user_admin.create_user(
        session, SYSTEM_ACTOR, UserDraft("ju", "教育局", Role.BUREAU, county="青山县")
    )
    bureau = reload_user(session, issued.user_id)
    assert (bureau.school_id, bureau.county) == (None, "青山县")

    user = make_user(session, school, username="mover")
    user_admin.set_user_school(session, SYSTEM_ACTOR, user.id, other.id)
    assert (reload_user(session, user.id).school_id, reload_user(session, user.id).county) == (
        other.id,
        "新县",
    )
    admin = actor_of(session, make_user(session, school, Role.ADMIN))
    with pytest.raises(NotAllowed):
        user_admin.set_user_school(session, admin, user.id, school.id)


# --- cookie key ------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["short-key-1", "some_key", "a" * 40, "changeme" + "x1y2z3" * 6])
def test_a_short_or_default_cookie_key_is_refused(weak, tmp_path):
    with pytest.raises(CookieKeyError):
        load_cookie_key({"CARELEDGER_COOKIE_KEY": weak}, tmp_path / "key")


def test_cookie_key_from_the_environment_wins(tmp_path):
    key = "Zq8-Kp2xN4vW7yR1tB6mC3hJ9sD5fG0aLe"
    assert load_cookie_key({"CARELEDGER_COOKIE_KEY": key}, tmp_path / "key") == key
    assert not (tmp_path / "key").exists()


def test_cookie_key_is_generated_once_with_mode_600(tmp_path):
    path = tmp_path / "data" / "cookie_key"
    first = load_cookie_key({}, path)
    assert len(first) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_cookie_key({}, path) == first
    path.chmod(0o644)
    load_cookie_key({}, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_weak_key_file_is_refused(tmp_path):
    path = tmp_path / "cookie_key"
    path.write_text("some_key\n")
    with pytest.raises(CookieKeyError):
        load_cookie_key({}, path)


# --- server command --------------------------------------------------------------------------


def test_create_admin_command_prints_a_one_time_password(engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    school = ["--school-code", "3601", "--school-name", "青山一小", "--county", "青山县"]
    code = cli.main(
        ["--database-url", url, "create-admin", "--username", "Wang", "--name", "王老师", *school]
    )
    assert code == 0
    password = capsys.readouterr().out.split("one-time password: ")[1].split()[0]
    with write_session(engine) as session:
        sign_in = signin.authenticate(session, "wang", password, at=T0)
        assert sign_in is not None
        assert (sign_in.actor.role, sign_in.must_change_password) == (Role.ADMIN, True)
        assert [e.entity for e in audit_rows(session, AuditAction.CREATE)] == ["school", "user"]

    again = ["--database-url", url, "create-admin", "--username", "wang", "--name", "王"]
    assert cli.main([*again, "--school-code", "3601"]) == 2
    assert t("accounts.username_taken") in capsys.readouterr().err
