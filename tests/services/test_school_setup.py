"""The setup wizard's service: the school, its first administrator (password policy applies), the
school year with phases and holidays, the default contact rules — in one transaction with one
audit entry, only while the database has no school."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from db.engine import read_session, write_session
from db.enums import Role
from db.models import AuditEntry, ContactRule, School, Term, User
from services import school_setup
from services.accounts import signin
from services.accounts.passwords import verify_password
from services.compliance.default_rules import DEFAULT_RULES
from services.errors import ValidationFailed
from services.installation import Kind, installation, needs_setup
from services.school_setup import AdminDraft, AlreadySetUp, SchoolDraft, SetupDraft
from tests.factories import make_school
from tests.threads import run_at_once

PASSWORD = "Qingshan-2026"
TODAY = date(2026, 12, 2)


def draft(**changes: object) -> SetupDraft:
    base = SetupDraft(
        school=SchoolDraft(name="青山县第一小学", code="2143000101", county="青山县"),
        admin=AdminDraft(
            username="wang", display_name="王老师", password=PASSWORD, repeat=PASSWORD
        ),
        terms=school_setup.suggested_terms(TODAY),
    )
    return replace(base, **changes)


def count(session, model) -> int:
    return session.scalar(select(func.count(model.id)))


def reasons(exc: ValidationFailed) -> set[str]:
    return {p.reason for p in exc.problems}


# --- the suggested school year ------------------------------------------------------------------


def test_the_suggested_year_has_autumn_and_spring_with_phases_and_holidays():
    autumn, spring = school_setup.suggested_terms(TODAY)
    assert (autumn.name, autumn.start_date, autumn.end_date) == (
        "2026年秋季学期",
        date(2026, 9, 1),
        date(2027, 1, 15),
    )
    assert spring.name == "2027年春季学期"
    assert date(2027, 2, 10) <= spring.start_date <= date(2027, 2, 20)
    assert date(2027, 7, 1) <= spring.end_date <= date(2027, 7, 10)
    for term in (autumn, spring):
        assert set(term.phases) == {"start", "middle", "end"}
        starts = [term.phases[p][0] for p in ("start", "middle", "end")]
        assert starts == sorted(starts)
        assert term.phases["start"][0] == term.start_date
        assert term.phases["end"][1] == term.end_date
    assert [h["name"] for h in autumn.holidays] == ["国庆节", "元旦"]
    assert [h["name"] for h in spring.holidays] == ["劳动节"]
    school_setup.check_terms([autumn, spring])  # the settings page's own checks pass


@pytest.mark.parametrize(
    ("today", "autumn_year"),
    [(date(2026, 9, 1), 2026), (date(2027, 1, 10), 2026), (date(2027, 4, 1), 2026),
     (date(2027, 7, 20), 2027)],
)  # fmt: skip
def test_the_suggested_year_is_the_running_or_the_coming_one(today, autumn_year):
    autumn, spring = school_setup.suggested_terms(today)
    assert autumn.start_date == date(autumn_year, 9, 1)
    assert spring.start_date.year == autumn_year + 1


def test_the_rules_shown_for_confirmation_are_the_defaults():
    frame = school_setup.default_rules_table()
    assert list(frame["name"]) == [rule["name"] for rule in DEFAULT_RULES]
    assert (frame.loc[0, "cadence"], frame.loc[0, "phase"]) == ("每学段", "期初")
    assert frame.loc[3, "channels"] == "任意方式"  # an empty channel list means any channel


# --- setting the school up ----------------------------------------------------------------------


def test_setup_writes_everything_in_one_transaction_with_one_audit_entry(engine):
    with write_session(engine) as session:
        assert needs_setup(session)
        result = school_setup.set_up_school(session, draft())
    with read_session(engine) as session:
        assert not needs_setup(session)
        school = session.scalars(select(School)).one()
        assert (school.name, school.code, school.county) == (
            "青山县第一小学",
            "2143000101",
            "青山县",
        )
        admin = session.scalars(select(User)).one()
        assert (admin.username, admin.role, admin.school_id) == ("wang", Role.ADMIN, school.id)
        assert admin.county == "青山县"
        assert verify_password(PASSWORD, admin.password_hash)
        assert not admin.must_change_password  # chosen in the wizard
        assert result.admin_username == "wang"
        terms = session.scalars(select(Term).order_by(Term.start_date)).all()
        assert [t.name for t in terms] == ["2026年秋季学期", "2027年春季学期"]
        assert terms[0].holidays[0] == {"name": "国庆节", "start": "2026-10-01",
                                        "end": "2026-10-07"}  # fmt: skip
        assert terms[0].middle_phase_from < terms[0].end_phase_from
        assert count(session, ContactRule) == len(DEFAULT_RULES)
        assert all(rule.school_id == school.id for rule in session.scalars(select(ContactRule)))
        assert installation(session).kind == Kind.REAL
        entries = session.scalars(select(AuditEntry)).all()
        assert len(entries) == 1
        entry = entries[0]
        assert (entry.username, entry.role, entry.school_id) == ("wang", "admin", school.id)
        assert entry.after["school"]["code"] == "2143000101"
        assert entry.after["administrator"] == {"username": "wang", "display_name": "王老师"}
        assert [t["name"] for t in entry.after["terms"]] == ["2026年秋季学期", "2027年春季学期"]
        assert len(entry.after["contact_rules"]) == len(DEFAULT_RULES)
        assert PASSWORD not in str(entry.after)


def test_the_administrator_signs_in_with_the_password_chosen_in_the_wizard(engine):
    with write_session(engine) as session:
        school_setup.set_up_school(session, draft())
    with write_session(engine) as session:
        sign_in = signin.authenticate(session, "Wang", PASSWORD)
    assert sign_in is not None
    assert sign_in.actor.role == Role.ADMIN
    assert not sign_in.must_change_password


def test_setup_is_refused_once_a_school_exists(engine):
    with write_session(engine) as session:
        make_school(session)
    with pytest.raises(AlreadySetUp), write_session(engine) as session:
        school_setup.set_up_school(session, draft())
    with read_session(engine) as session:
        assert count(session, School) == 1
        assert count(session, User) == 0


def test_two_wizards_finishing_at_once_make_one_school(engine):
    outcomes: list[str] = []

    def finish(code: str, username: str) -> None:
        try:
            with write_session(engine) as session:
                school_setup.set_up_school(
                    session,
                    draft(
                        school=SchoolDraft("学校" + code, code, "青山县"),
                        admin=AdminDraft(username, "老师", PASSWORD, PASSWORD),
                    ),
                )
            outcomes.append("done")
        except AlreadySetUp:
            outcomes.append("refused")

    run_at_once(finish, ("A1", "zhang"), ("B2", "li"))
    assert sorted(outcomes) == ["done", "refused"]
    with read_session(engine) as session:
        assert count(session, School) == 1
        assert count(session, User) == 1


def test_a_failure_half_way_writes_nothing(engine, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(school_setup, "install_default_rules", broken)
    with pytest.raises(RuntimeError), write_session(engine) as session:
        school_setup.set_up_school(session, draft())
    with read_session(engine) as session:
        assert needs_setup(session)
        assert count(session, User) == 0
        assert count(session, Term) == 0
        assert count(session, AuditEntry) == 0


# --- what the wizard refuses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1", "password.too_short"),
        ("abcdefgh", "password.character_classes"),
        ("Password1!", "password.common"),
        ("Wangwang-2026", "password.contains_username"),
    ],
)
def test_the_password_policy_applies(password, reason):
    admin = AdminDraft("wangwang", "王老师", password, password)
    with pytest.raises(ValidationFailed) as caught:
        school_setup.check_admin(admin)
    assert reason in reasons(caught.value)


def test_the_repeated_password_must_match_and_the_username_must_be_valid():
    with pytest.raises(ValidationFailed) as caught:
        school_setup.check_admin(AdminDraft("王", "", PASSWORD, PASSWORD + "x", phone="123"))
    assert reasons(caught.value) == {
        "accounts.passwords_differ",
        "accounts.username_invalid",
        "accounts.display_name_required",
        "accounts.phone_invalid",
    }


def test_the_school_needs_name_code_and_county():
    with pytest.raises(ValidationFailed) as caught:
        school_setup.check_school(SchoolDraft(" ", "", ""))
    assert {p.column for p in caught.value.problems} == {"name", "code", "county"}
    school_setup.check_school(SchoolDraft("青山县第一小学", "2143000101", "青山县"))


def test_bad_terms_are_refused_with_every_problem():
    autumn, spring = school_setup.suggested_terms(TODAY)
    outside = replace(autumn, phases={**autumn.phases, "end": (date(2027, 1, 1), date(2027, 3, 1))})
    overlapping = replace(spring, start_date=date(2027, 1, 10))
    with pytest.raises(ValidationFailed) as caught:
        school_setup.check_terms([outside, overlapping])
    found = reasons(caught.value)
    assert "settings.problem.phase_outside_term" in found
    assert "setup.problem.terms_overlap" in found
    with pytest.raises(ValidationFailed) as caught:
        school_setup.check_terms([])
    assert reasons(caught.value) == {"setup.problem.no_term"}


def test_nothing_is_written_when_a_step_is_wrong(engine):
    weak = AdminDraft("wang", "王老师", "12345678", "12345678")
    with pytest.raises(ValidationFailed), write_session(engine) as session:
        school_setup.set_up_school(session, draft(admin=weak))
    with read_session(engine) as session:
        assert needs_setup(session)
        assert count(session, AuditEntry) == 0
