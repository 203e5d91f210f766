"""重点关注: one hand-built child per reason."""

from datetime import UTC, date, datetime

import pytest

from db.enums import ActivityType, ContactChannel, Counterpart, LeftBehindType, RiskLevel, Role
from db.models import CounsellingNote, Participation
from services.compliance.risk import risk_list
from tests import factories
from tests.factories import actor_of, make_child, make_classroom, make_school, make_user
from tests.services.compliance_helpers import log_contact, make_autumn_term, pair

NOV_28 = date(2026, 11, 28)
TERM_START = date(2026, 9, 1)


@pytest.fixture
def case(session):
    school = make_school(session)
    head = make_user(session, school, Role.HEAD_TEACHER)
    room = make_classroom(session, school, head=head)
    term = make_autumn_term(session, school, [])
    activity = factories.make_activity_row(
        session, school, term, "六一", ActivityType.FESTIVAL, date(2026, 10, 1)
    )

    def child(name, lbt=LeftBehindType.BOTH, contacted=True, active=True, **fields):
        fields = {
            "guardian_age": 60,
            "guardian_health": "良好",
            "enrolled_on": TERM_START,
            **fields,
        }
        kid = make_child(session, school, room, lbt, name=name, **fields)
        if contacted:
            log_contact(session, kid, date(2026, 11, 1), Counterpart.GUARDIAN, ContactChannel.PHONE)
        if active:
            session.add(
                Participation(school_id=school.id, activity_id=activity.id, child_id=kid.id)
            )
        return kid

    fine = child("平安")
    child("久未联系", contacted=False)
    unpaired = child("重点未结对", is_key=True)
    paired = child("重点已结对", is_key=True)
    pair(session, make_user(session, school, Role.TEACHER), paired, term)
    child("电话无效", guardian_phone="12345")
    child("电话座机", guardian_phone="0851-12345678")
    child("年迈", guardian_age=72)
    child("多病", guardian_health="慢性病")
    child("无活动", active=False)
    noted = child("高风险")
    session.add(
        CounsellingNote(
            school_id=school.id,
            child_id=noted.id,
            note_date=date(2026, 11, 2),
            summary="…",
            risk_level=RiskLevel.HIGH,
        )
    )
    child("非留守", LeftBehindType.NONE, contacted=False, active=False, guardian_phone=None)
    session.flush()
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))
    return school, principal, head, fine, unpaired


def test_each_reason_is_found_and_explained(session, case):
    _school, principal, _head, fine, _unpaired = case

    rows = risk_list(session, principal, as_of=NOV_28).set_index("child_name")

    assert rows["reasons"].to_dict() == {
        "久未联系": ["no_contact_2m"],
        "重点未结对": ["key_unpaired"],
        "电话无效": ["guardian_phone"],
        "年迈": ["guardian_frail"],
        "多病": ["guardian_frail"],
        "无活动": ["no_activity"],
        "高风险": ["high_risk_note"],
    }
    assert rows.loc["久未联系", "reason_text"] == "从未联系"  # the same code, no contact at all
    assert rows.loc["久未联系", "last_contact"] is None
    assert fine.name not in rows.index


def test_head_teacher_does_not_see_counselling_reasons_and_bureau_sees_masked_names(session, case):
    school, _principal, head, _fine, _unpaired = case
    mine = risk_list(session, actor_of(session, head), as_of=NOV_28)
    assert "高风险" not in set(mine["child_name"])
    bureau = actor_of(session, make_user(session, None, Role.BUREAU, county=school.county))
    masked = risk_list(session, bureau, as_of=NOV_28)
    assert "久**系" in set(masked["child_name"]) and "久未联系" not in set(masked["child_name"])


def test_recent_contact_clears_the_two_month_reason(session, case):
    _school, principal, _head, _fine, _unpaired = case
    before = risk_list(session, principal, as_of=date(2026, 12, 31))
    # On 12/31 the 11/1 contacts are under two months old; on 1/2 every left-behind child is due.
    flagged = before[before["reasons"].map(lambda r: "no_contact_2m" in r)]
    assert list(flagged["child_name"]) == ["久未联系"]
    later = risk_list(session, principal, as_of=date(2027, 1, 2))
    assert (later["reasons"].map(lambda r: "no_contact_2m" in r)).sum() == 10
    texts = later.set_index("child_name")["reason_text"]
    assert texts["年迈"] == "两个月以上未联系；监护人年满70岁或身体较差"  # contacted, long ago
    assert texts["久未联系"] == "从未联系"


def test_a_child_imported_lately_is_new_not_two_months_uncontacted(session, case):
    school, principal, *_ = case
    room = make_classroom(session, school, grade=5, number=1)
    imported = make_child(
        session, school, room, name="新导入", created_at=datetime(2026, 11, 20, 2, tzinfo=UTC)
    )
    old_timer = make_child(
        session, school, room, name="老档案", created_at=datetime(2026, 8, 20, 2, tzinfo=UTC)
    )

    rows = risk_list(session, principal, as_of=NOV_28).set_index("child_id")

    # Neither attended an activity, so both are listed; only the old record is 从未联系.
    assert rows.loc[imported.id, "reasons"] == ["no_activity"]
    assert bool(rows.loc[imported.id, "new_record"]) is True
    assert rows.loc[old_timer.id, "reasons"] == ["no_contact_2m", "no_activity"]
    assert bool(rows.loc[old_timer.id, "new_record"]) is False


def test_demo_mode_shows_no_counselling_reason_and_counts_per_class(session, case):
    """Issue 13 item 10: a projector shows no counselling-derived reason and no single child."""
    from dataclasses import replace

    from services.compliance.risk import risk_by_class

    _school, principal, _head, _fine, _unpaired = case
    demo = replace(principal, demo_mode=True)
    rows = risk_list(session, demo, as_of=NOV_28)
    assert not any("high_risk_note" in r for r in rows["reasons"])
    assert "心理辅导" not in " ".join(rows["reason_text"])

    counts = risk_by_class(session, demo, as_of=NOV_28)
    assert list(counts.columns) == ["classroom_name", "children", "reason_text"]
    assert counts["children"].tolist() == [6]  # 高风险 is not listed in demo mode
    shown = " ".join(map(str, counts.to_numpy().ravel()))
    assert "心理辅导" not in shown and "久" not in shown
    assert "两个月以上未联系 1" in shown and "监护人年满70岁或身体较差 2" in shown
