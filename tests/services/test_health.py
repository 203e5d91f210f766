from datetime import date

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, HealthCheck
from locales import t
from services.care.health import (
    child_health_history,
    class_health_frame,
    health_coverage,
    save_class_health,
)
from services.care.health_rules import health_flags
from services.errors import ConflictError, NotAllowed, ValidationFailed
from services.records.grid_rows import GridChanges, RowUpdate
from tests.services.care_helpers import make_care_school

TERM = (date(2026, 9, 1), date(2027, 1, 20))
DAY = date(2026, 10, 20)


def save(session, actor, classroom, updates):
    changes = GridChanges(updates=updates)
    return save_class_health(session, actor, changes, classroom.id, *TERM, DAY)


def count_checks(session):
    return session.scalar(select(func.count(HealthCheck.id)))


def good(child, version=0, **values):
    base = {
        "height_cm": 132.5,
        "weight_kg": 28.0,
        "vision_left": 5.0,
        "vision_right": 4.8,
        "bp_systolic": 105,
        "bp_diastolic": 68,
        "lung_capacity_ml": 1400,
    }
    return RowUpdate(child.id, version, child.name, base | values)


def test_validation_rejects_impossible_values_with_a_clear_message_and_writes_nothing(session):
    s = make_care_school(session)
    a0, a1, a2, _ = s.children_a
    updates = [
        good(a0),  # a valid row: still not written, because another row is bad
        good(a1, height_cm=13.2, vision_left=0.8),  # height in metres? vision on a decimal chart
        good(a2, bp_systolic=60, bp_diastolic=90, lung_capacity_ml="一千"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        save(session, s.principal, s.class_a, updates)

    found = {(p.row, p.column, p.value): p.message for p in caught.value.problems}
    assert found[(a1.name, t("health.col.height_cm"), 13.2)] == t("health.reason.height_cm")
    assert "80–200" in found[(a1.name, t("health.col.height_cm"), 13.2)]
    assert found[(a1.name, t("health.col.vision_left"), 0.8)] == t("health.reason.vision_left")
    assert found[(a2.name, t("health.col.bp_systolic"), 60)] == t("health.reason.bp_systolic")
    assert (a2.name, t("health.col.lung_capacity_ml"), "一千") in found
    assert found[(a2.name, t("health.col.bp_systolic"), 60)]  # reason is never empty
    assert count_checks(session) == 0


def test_systolic_must_exceed_diastolic_even_when_only_one_is_edited(session):
    s = make_care_school(session)
    child = s.children_a[0]
    save(session, s.principal, s.class_a, [good(child)])
    with pytest.raises(ValidationFailed) as caught:
        save(
            session,
            s.principal,
            s.class_a,
            [RowUpdate(child.id, 1, child.name, {"bp_diastolic": 110})],
        )
    (only,) = caught.value.problems
    assert only.message == t("health.reason.bp_order")


def test_batch_save_creates_then_updates_with_flags_and_history(session):
    s = make_care_school(session)
    a0, a1 = s.children_a[0], s.children_a[1]
    result = save(session, s.head, s.class_a, [good(a0), good(a1, vision_right=4.5)])
    assert (result.created, result.updated) == (2, 0)
    assert count_checks(session) == 2

    frame = class_health_frame(session, s.head, s.class_a.id, *TERM).set_index("id")
    assert frame.loc[a0.id, "version"] == 1 and frame.loc[a0.id, "check_date"] == DAY
    assert frame.loc[a1.id, "flags"] == t("health.flag.vision_severe")
    assert frame.loc[s.children_a[2].id, "version"] == 0  # not checked yet

    result = save(session, s.head, s.class_a, [RowUpdate(a0.id, 1, a0.name, {"weight_kg": 30.0})])
    assert (result.created, result.updated) == (0, 1)
    with pytest.raises(ConflictError):  # the same stale version again
        save(session, s.head, s.class_a, [RowUpdate(a0.id, 1, a0.name, {"weight_kg": 31.0})])
    assert session.scalars(select(AuditEntry).where(AuditEntry.entity == "health_checks")).all()

    history = child_health_history(session, s.counsellor, a0.id)
    assert history["weight_kg"].tolist() == [30.0]
    assert history.iloc[0]["flags"] == ["vision_moderate"]


def test_head_teacher_cannot_enter_another_class(session):
    s = make_care_school(session)
    with pytest.raises(NotAllowed):
        save(session, s.head, s.class_b, [good(s.children_b[0])])
    with pytest.raises(NotAllowed):  # a child of class B smuggled into class A's save
        save(session, s.head, s.class_a, [good(s.children_b[0])])
    with pytest.raises(NotAllowed):
        class_health_frame(session, s.teacher, s.class_a.id, *TERM)


def test_coverage_per_class(session):
    s = make_care_school(session)
    save(session, s.principal, s.class_a, [good(c) for c in s.children_a[:2]])
    save(session, s.principal, s.class_b, [good(s.children_b[0], vision_left=4.9)])
    coverage = health_coverage(session, s.principal, *TERM).set_index("classroom_id")
    assert coverage.loc[s.class_a.id, ["children", "checked"]].tolist() == [4, 2]
    assert coverage.loc[s.class_a.id, "coverage"] == 0.5
    assert coverage.loc[s.class_a.id, "left_behind_checked"] == 2
    assert coverage.loc[s.class_a.id, "low_vision"] == 2  # right eye 4.8 in the default values
    assert coverage.loc[s.class_b.id, "coverage"] == pytest.approx(1 / 3)
    assert (
        health_coverage(session, s.principal, date(2027, 2, 1), date(2027, 6, 30))["checked"].sum()
        == 0
    )


@pytest.mark.parametrize(
    ("values", "flags"),
    [
        ({"vision_left": 5.0, "vision_right": 5.1}, []),
        ({"vision_left": 4.9, "vision_right": 5.0}, ["vision_mild"]),
        ({"vision_left": 4.6}, ["vision_moderate"]),
        ({"vision_right": 4.5}, ["vision_severe"]),
        ({"height_cm": 140, "weight_kg": 55}, ["bmi_high"]),
        ({"bp_systolic": 125, "bp_diastolic": 70}, ["bp_high"]),
        ({"lung_capacity_ml": 600}, ["lung_low"]),
    ],
)
def test_flags(values, flags):
    assert health_flags(values) == flags


def test_a_new_check_needs_a_measurement(session):
    s = make_care_school(session)
    child = s.children_a[0]
    with pytest.raises(ValidationFailed) as caught:
        save(
            session, s.principal, s.class_a, [RowUpdate(child.id, 0, child.name, {"notes": "请假"})]
        )
    assert caught.value.problems[0].message == t("health.reason.no_measure")
    assert count_checks(session) == 0
