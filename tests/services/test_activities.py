from datetime import date

import pytest
from sqlalchemy import select

from db.enums import ActivityType, AuditAction
from db.models import ActivityClassroom, AuditEntry, Participation
from locales import t
from services.care.activities import ActivityInput, list_activities, save_activities
from services.care.participation import (
    left_behind_without_activity,
    participation_by_activity,
    participation_by_class,
    participation_by_term,
    participation_by_type,
    participation_summary,
)
from services.care.signin_sheet import save_signin, signin_roster
from services.errors import ConflictError, NotAllowed, ValidationFailed
from tests.services.care_helpers import make_activity, make_care_school


def live_rows(session, activity_id):
    return session.scalars(
        select(Participation).where(
            Participation.activity_id == activity_id, Participation.deleted_at.is_(None)
        )
    ).all()


def test_signin_writes_one_row_per_ticked_child_and_none_for_others(session):
    s = make_care_school(session)
    activity_id = make_activity(session, s.principal, [s.class_a, s.class_b])
    ticked = {s.children_a[0].id, s.children_a[2].id, s.children_b[1].id}

    result = save_signin(session, s.principal, activity_id, ticked)

    rows = live_rows(session, activity_id)
    assert sorted(r.child_id for r in rows) == sorted(ticked)
    assert all(r.attended for r in rows)
    assert (result.attended, result.added, result.removed) == (3, 3, 0)
    # Saving the same ticks again changes nothing and never duplicates a row.
    assert save_signin(session, s.principal, activity_id, ticked).added == 0
    total = session.scalars(
        select(Participation).where(Participation.activity_id == activity_id)
    ).all()
    assert len(total) == 3


def test_unticking_removes_attendance_and_reticking_restores_the_same_row(session):
    s = make_care_school(session)
    activity_id = make_activity(session, s.principal, [s.class_a])
    first, second = s.children_a[0].id, s.children_a[1].id
    save_signin(session, s.principal, activity_id, {first, second})

    result = save_signin(session, s.principal, activity_id, {second})
    assert result.removed == 1
    assert [r.child_id for r in live_rows(session, activity_id)] == [second]
    roster = signin_roster(session, s.principal, activity_id).set_index("child_id")
    assert not roster.loc[first, "attended"] and roster.loc[second, "attended"]
    assert list_activities(session, s.principal).iloc[0]["attended"] == 1

    save_signin(session, s.principal, activity_id, {first, second})
    all_rows = session.scalars(
        select(Participation).where(Participation.activity_id == activity_id)
    ).all()
    assert len(all_rows) == 2 and all(r.attended and r.deleted_at is None for r in all_rows)


def test_head_teacher_signs_in_only_own_class_and_leaves_others_alone(session):
    s = make_care_school(session)
    activity_id = make_activity(session, s.principal, [s.class_a, s.class_b])
    save_signin(session, s.principal, activity_id, {s.children_b[0].id})

    roster = signin_roster(session, s.head, activity_id)
    assert set(roster["child_id"]) == {c.id for c in s.children_a}
    assert roster["left_behind"].tolist() == [True, True, True, False]

    save_signin(session, s.head, activity_id, {s.children_a[0].id})
    assert {r.child_id for r in live_rows(session, activity_id)} == {
        s.children_a[0].id,
        s.children_b[0].id,
    }
    with pytest.raises(NotAllowed):
        save_signin(session, s.head, activity_id, {s.children_b[1].id})
    with pytest.raises(NotAllowed):
        signin_roster(session, s.teacher, activity_id)


def test_signin_is_audited(session):
    s = make_care_school(session)
    activity_id = make_activity(session, s.principal, [s.class_a])
    save_signin(session, s.head, activity_id, {s.children_a[1].id})
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "participation")).one()
    assert entry.entity_id == activity_id and entry.after == {
        "added": [s.children_a[1].id],
        "removed": [],
    }


def test_activity_validation_writes_nothing(session):
    s = make_care_school(session)
    good = ActivityInput("读书节", ActivityType.READING, date(2026, 11, 2), classroom_ids=[])
    bad = ActivityInput("", "dance", None, classroom_ids=[99999])
    with pytest.raises(ValidationFailed) as caught:
        save_activities(session, s.principal, [good, bad])
    columns = {p.column for p in caught.value.problems}
    assert columns == {
        t("activities.col.title"),
        t("activities.col.type"),
        t("activities.col.date"),
        t("activities.col.classes"),
    }
    assert all(p.message for p in caught.value.problems)
    assert list_activities(session, s.principal).empty


def test_activity_edit_classes_conflict_and_delete(session):
    s = make_care_school(session)
    activity_id = make_activity(session, s.principal, [s.class_a])
    row = list_activities(session, s.principal).iloc[0]
    assert row["classes"] == [s.class_a.name] and row["version"] == 1

    edited = ActivityInput(
        "元旦联欢",
        ActivityType.FESTIVAL,
        date(2026, 12, 31),
        classroom_ids=[s.class_b.id],
        id=activity_id,
        version=1,
    )
    save_activities(session, s.principal, [edited])
    rooms = session.scalars(
        select(ActivityClassroom.classroom_id).where(ActivityClassroom.activity_id == activity_id)
    ).all()
    assert rooms == [s.class_b.id]
    with pytest.raises(ConflictError):
        save_activities(session, s.principal, [edited])  # still version 1: stale
    with pytest.raises(NotAllowed):
        save_activities(session, s.head, [edited])
    assert list_activities(session, s.head).empty  # class A no longer involved

    save_activities(session, s.principal, [], deleted=[(activity_id, 2)])
    assert list_activities(session, s.principal).empty
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "activities").order_by(AuditEntry.id)
    )
    assert list(actions) == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]


def test_participation_rates_on_a_hand_built_case(session):
    """Class A: 3 left-behind + 1 other; class B: 1 left-behind + 2 others."""
    s = make_care_school(session)
    a0, a1, a2, _a3 = (c.id for c in s.children_a)
    b0, b1, b2 = (c.id for c in s.children_b)
    festival = make_activity(session, s.principal, [s.class_a, s.class_b])
    meeting = make_activity(
        session, s.principal, [s.class_a], "主题班会", ActivityType.CLASS_MEETING, date(2026, 11, 5)
    )
    last_year = make_activity(session, s.principal, [s.class_b], day=date(2026, 6, 1))
    save_signin(session, s.principal, festival, {a0, a1, b0, b1})  # 3/4 left-behind, 1/3 other
    save_signin(session, s.principal, meeting, {a0, a1, a2})  # 3/3 left-behind, 0/1 other
    save_signin(session, s.principal, last_year, {b0, b1, b2})

    term = (date(2026, 9, 1), date(2027, 1, 20))
    by_activity = participation_by_activity(session, s.principal, *term).set_index("activity_id")
    assert by_activity.loc[festival, ["left_behind_eligible", "left_behind_attended"]].tolist() == [
        4,
        3,
    ]
    assert by_activity.loc[festival, "left_behind_rate"] == pytest.approx(0.75)
    assert by_activity.loc[festival, "other_rate"] == pytest.approx(1 / 3)
    assert by_activity.loc[meeting, "left_behind_rate"] == 1.0
    assert by_activity.loc[meeting, "other_rate"] == 0.0
    assert last_year not in by_activity.index

    by_type = participation_by_type(session, s.principal, *term).set_index("activity_type")
    assert by_type.loc["festival", "left_behind_participants"] == 3
    assert by_type.loc["festival", "other_rate"] == pytest.approx(1 / 3)
    assert by_type.loc["class_meeting", "left_behind_rate"] == pytest.approx(3 / 4)
    assert by_type.loc["class_meeting", "attendances"] == 3

    by_class = participation_by_class(session, s.principal, *term).set_index("classroom_id")
    assert by_class.loc[s.class_a.id, "left_behind_rate"] == 1.0
    assert by_class.loc[s.class_a.id, "activities"] == 2
    assert by_class.loc[s.class_a.id, "attendances"] == 5
    assert by_class.loc[s.class_b.id, "other_rate"] == 0.5

    summary = participation_summary(session, s.principal, *term).iloc[0]
    assert (summary["activities"], summary["attendances"]) == (2, 7)
    assert summary["left_behind_rate"] == 1.0
    assert summary["other_rate"] == pytest.approx(1 / 3)
    by_term = participation_by_term(session, s.principal)
    assert by_term["left_behind_participants"].tolist() == [4]
    assert by_term["activities"].dtype.kind == "i"  # counts stay integers

    missing = left_behind_without_activity(session, s.principal, *term)
    assert missing.empty
    save_signin(session, s.principal, festival, {a1, b1})
    missing = left_behind_without_activity(
        session, s.principal, date(2026, 10, 1), date(2026, 10, 31)
    )
    assert sorted(missing["child_id"]) == sorted([a0, a2, b0])

    # A head teacher's figures cover only the own class.
    head_class = participation_by_class(session, s.head, *term)
    assert head_class["classroom_id"].tolist() == [s.class_a.id]


def test_participation_frames_keep_their_columns_when_empty(session):
    s = make_care_school(session)
    from services.care import participation as p

    assert list(p.participation_by_activity(session, s.principal).columns) == p.BY_ACTIVITY_COLUMNS
    assert list(p.participation_by_type(session, s.principal).columns) == p.BY_TYPE_COLUMNS
    assert participation_summary(session, s.principal).iloc[0]["left_behind_rate"] == 0.0


def test_grid_changes_with_labels_as_the_editor_sends_them(session):
    """The grid sends option labels, lists of class names and read-only columns too."""
    from services.care.activities import save_activity_changes
    from services.records.grid_rows import GridChanges, RowInsert, RowUpdate

    s = make_care_school(session)
    values = {
        "title": "元旦联欢会",
        "activity_type": t("enum.ActivityType.festival"),
        "activity_date": "2026-12-30",
        "classes": [s.class_a.name, s.class_b.name],
        "attended": None,
        "attended_left_behind": None,
    }
    result = save_activity_changes(
        session, s.principal, GridChanges(inserts=[RowInsert("x", values)])
    )
    assert result.created == 1
    row = list_activities(session, s.principal).iloc[0]
    assert row["activity_type"] == "festival" and row["classes"] == [s.class_a.name, s.class_b.name]
    assert row["activity_date"] == date(2026, 12, 30)

    update = RowUpdate(
        int(row["id"]), int(row["version"]), "元旦联欢会", {"classes": [s.class_b.name]}
    )
    save_activity_changes(session, s.principal, GridChanges(updates=[update]))
    row = list_activities(session, s.principal).iloc[0]
    assert row["classes"] == [s.class_b.name] and row["version"] == 2
