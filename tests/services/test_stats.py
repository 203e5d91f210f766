from db.enums import EnrolmentStatus, LeftBehindType, Role
from services.metrics.headcounts import school_headline
from tests.factories import actor_of, make_child, make_school, make_user


def test_headline_counts_enrolled_children_of_own_school_only(session):
    school = make_school(session)
    for lbt in [
        LeftBehindType.BOTH,
        LeftBehindType.BOTH,
        LeftBehindType.FATHER,
        LeftBehindType.MOTHER,
        LeftBehindType.NONE,
    ]:
        make_child(session, school, left_behind_type=lbt)
    make_child(
        session,
        school,
        left_behind_type=LeftBehindType.BOTH,
        enrolment_status=EnrolmentStatus.TRANSFERRED,
    )
    other = make_school(session, name="别的学校", county="别的县")
    make_child(session, other, left_behind_type=LeftBehindType.BOTH)
    principal = actor_of(session, make_user(session, school, Role.PRINCIPAL))

    headline = school_headline(session, principal)

    assert (headline.children, headline.left_behind) == (5, 4)
    assert headline.left_behind_share == 0.8
    assert headline.both_parents_share == 0.5
    assert headline.one_parent_share == 0.5


def test_bureau_sees_its_county_aggregate(session):
    a = make_school(session, county="青山县")
    b = make_school(session, name="二小", county="青山县")
    c = make_school(session, name="外县小学", county="白水县")
    for school in (a, b, c):
        make_child(session, school, left_behind_type=LeftBehindType.FATHER)
    bureau = actor_of(session, make_user(session, None, Role.BUREAU, county="青山县"))
    assert school_headline(session, bureau).children == 2
