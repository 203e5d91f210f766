"""一人一档's 成长记录 tab (issue 17): the chart over terms and the table per term, from
services.growth.terms.child_terms, for the roles that may open the child; an empty state."""

from datetime import date

import pytest
from sqlalchemy import select

from components.growth_charts import build_growth_figure
from db.engine import write_session
from db.models import Term
from services.growth.ranking import group_of, rerank
from tests.factories import make_observation, make_result, make_term
from tests.pages.apptest import run_page, texts
from tests.services.care_helpers import make_care_school

PAGE = "pages/child_profile.py"


@pytest.fixture
def school(app_env):
    """The care school: 甲0 has two terms of results (top, then middle) and observations, 甲1
    nothing; the spring term's name carries markup that must stay text."""
    with write_session(app_env) as session:
        s = make_care_school(session)
        autumn = session.scalar(select(Term).where(Term.school_id == s.school.id))
        spring = make_term(session, s.school, date(2027, 2, 20), date(2027, 7, 5))
        spring.name = "2027年春季<b>学期</b>"
        kids = s.children_a[:3]
        for term, scores in ((autumn, (95, 70, 60)), (spring, (70, 95, 60))):
            rows = [
                make_result(session, k, term, "数学", v) for k, v in zip(kids, scores, strict=True)
            ]
            rerank(session, [group_of(r) for r in rows])
        make_observation(session, kids[0], autumn, (4, 2, 3, 5))
        make_observation(session, kids[0], spring, (4, 4, 3, 5)).note = "开朗多了"
        s.autumn, s.spring = autumn, spring
    return s


def growth_tab(at):
    (tab,) = [tab for tab in at.tabs if tab.label == "成长记录"]
    return tab


@pytest.mark.parametrize("role", ["principal", "head", "counsellor"])
def test_the_growth_tab_shows_the_chart_and_a_row_per_term(school, role):
    at = run_page(PAGE, getattr(school, role), **{"profile.child_id": school.children_a[0].id})
    assert not at.exception
    tab = growth_tab(at)
    table = tab.dataframe[0].value
    assert table["学期"].tolist() == ["2026年秋季学期", "2027年春季<b>学期</b>"]
    assert table["成绩百分位"].tolist() == [83.3, 50.0]
    assert table["情绪"].tolist() == [2, 4]
    assert table["观察"].tolist()[1] == "开朗多了"
    assert len(tab.get("plotly_chart")) == 1
    assert "班级中间" in texts(at)


def test_a_child_without_results_or_observations_says_so(school):
    at = run_page(PAGE, school.head, **{"profile.child_id": school.children_a[3].id})
    assert not at.exception
    tab = growth_tab(at)
    assert "暂无成绩或观察记录" in " ".join(str(c.value) for c in tab.caption)
    assert not tab.get("plotly_chart")


def test_the_chart_has_the_percentile_and_four_scales_with_term_names_escaped():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "term_name": ["秋<b>", "春"],
            "percentile": [83.3, None],
            "study": [4, 4],
            "emotion": [2, 4],
            "habits": [3, 3],
            "self_care": [5, 5],
        }
    )
    fig = build_growth_figure(frame)
    names = [trace.name for trace in fig.data]
    assert names == ["成绩百分位", "学习", "情绪", "行为习惯", "生活自理"]
    assert list(fig.data[0].x) == ["秋&lt;b&gt;", "春"]
    assert fig.layout.yaxis.range == (0, 100)
    assert len(build_growth_figure(frame.iloc[0:0]).data) == 0
    notes = [a.text for a in build_growth_figure(frame.assign(percentile=None)).layout.annotations]
    assert "暂无成绩" in notes and "暂无观察" not in notes
