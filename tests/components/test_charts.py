"""Chart builders checked on known inputs, without Streamlit."""

import pandas as pd

from components import charts


def _two_months(key: str, names: list[str], rates: list[float]) -> pd.DataFrame:
    """Three rates over two months, the later month first (the builders must sort)."""
    return pd.DataFrame({key: names, "month": ["2026-10", "2026-09", "2026-09"], "rate": rates})


def test_heatmap_puts_each_rate_in_its_class_and_month_cell():
    df = _two_months("label", ["三年级(1)班", "三年级(1)班", "四年级(1)班"], [0.5, 1.0, 0.25])
    fig = charts.build_compliance_heatmap_figure(df)
    heat = fig.data[0]
    assert list(heat.x) == ["2026-09", "2026-10"]
    assert list(heat.y) == ["三年级(1)班", "四年级(1)班"]
    assert list(heat.z[0]) == [100.0, 50.0]
    assert heat.z[1][0] == 25.0 and pd.isna(heat.z[1][1])
    assert fig.layout.title.text == "各班各月联系达标率"


def test_trend_has_one_line_per_rule_in_month_order():
    names = ["每月与监护人沟通", "每月与监护人沟通", "每月与家长通话"]
    df = _two_months("rule_name", names, [0.8, 0.6, 0.9])
    fig = charts.build_compliance_trend_figure(df)
    assert [trace.name for trace in fig.data] == ["每月与监护人沟通", "每月与家长通话"]
    assert list(fig.data[0].x) == ["2026-09", "2026-10"]
    assert fig.layout.xaxis.categoryorder == "category ascending"
    assert list(fig.data[0].y) == [60.0, 80.0]
    assert fig.data[0].line.color == charts.PALETTE[0]


def test_by_teacher_sorts_lowest_first_and_labels_met_over_due():
    df = pd.DataFrame({"label": ["甲", "乙"], "rate": [0.9, 0.4], "met": [9, 2], "due": [10, 5]})
    bar = charts.build_compliance_by_teacher_figure(df).data[0]
    assert list(bar.y) == ["乙", "甲"]
    assert list(bar.x) == [40.0, 90.0]
    assert list(bar.text) == ["2/5", "9/10"]
    county = charts.build_compliance_by_teacher_figure(df, by_school=True)
    assert county.layout.title.text == "各校联系达标率"


def test_left_behind_by_grade_stacks_types_with_fixed_colours():
    df = pd.DataFrame(
        {"grade": [1, 1, 2], "left_behind_type": ["both", "none", "father"], "children": [5, 7, 3]}
    )
    fig = charts.build_left_behind_by_grade_figure(df)
    assert fig.layout.barmode == "stack"
    names = {trace.name: trace for trace in fig.data}
    assert list(names["双亲外出"].y) == [5, 0]
    assert list(names["父亲外出"].y) == [0, 3]
    assert list(names["非留守"].x) == ["1年级", "2年级"]
    assert names["双亲外出"].marker.color == charts.LEFT_BEHIND_COLOURS["both"]


def test_participation_by_type_compares_groups_in_percent():
    df = pd.DataFrame(
        {
            "activity_type": ["reading", "reading", "festival"],
            "group": ["left_behind", "other", "left_behind"],
            "participants": [6, 2, 3],
            "share": [0.6, 0.2, 0.3],
        }
    )
    fig = charts.build_participation_by_type_figure(df)
    lb, other = fig.data
    assert (lb.name, other.name) == ("留守儿童", "非留守儿童")
    assert list(lb.y) == ["节日关爱", "读书/演讲/书画"]
    assert list(lb.x) == [30.0, 60.0]
    assert list(other.x) == [0.0, 20.0]


def test_contacts_by_channel_and_empty_frames():
    df = pd.DataFrame({"channel": ["phone", "home_visit"], "contacts": [40, 12]})
    bar = charts.build_contacts_by_channel_figure(df).data[0]
    assert list(bar.x) == ["电话", "家访"] and list(bar.y) == [40, 12]
    empty = charts.build_compliance_heatmap_figure(pd.DataFrame(columns=["label", "month", "rate"]))
    assert empty.layout.annotations[0].text == "暂无数据"


def test_user_text_in_chart_labels_is_not_html():
    """#13 item 3: Plotly renders <b>, <a href> in labels; class, rule, teacher names are text."""
    name = '<a href="http://x">班</a>'
    heat = charts.build_compliance_heatmap_figure(
        pd.DataFrame({"label": [name], "month": ["2026-10"], "rate": [0.5]})
    )
    assert list(heat.data[0].y) == ['&lt;a href="http://x"&gt;班&lt;/a&gt;']
    trend = charts.build_compliance_trend_figure(
        pd.DataFrame({"rule_name": [name], "month": ["2026-10"], "rate": [0.5]})
    )
    assert "<a" not in trend.data[0].name
    bars = charts.build_compliance_by_teacher_figure(
        pd.DataFrame({"label": [name], "rate": [0.5], "met": [1], "due": [2]})
    )
    assert "<a" not in bars.data[0].y[0]


def test_trend_of_a_county_has_one_y_value_per_rule_and_month():
    """Rules of one name in several schools are one line with one point a month."""
    names = ["重点儿童每周谈心", "重点儿童每周谈心", "期初家访"]
    df = _two_months("rule_name", names, [0.75, 1.0, 0.5])
    fig = charts.build_compliance_trend_figure(df)
    assert [trace.name for trace in fig.data] == ["重点儿童每周谈心", "期初家访"]
    for trace in fig.data:
        assert len(set(trace.x)) == len(trace.x)
    assert fig.data[1].mode == "lines+markers"  # a single month is still seen


def test_term_names_in_the_outcome_charts_are_not_html():
    """关爱成效's legend and titles carry the school's term names: text, not HTML."""
    from components import outcome_charts
    from services.metrics.outcome import COMPARISON_OF, GROUPS, OUTCOME_COLUMNS

    name = '<a href="http://x">学期</a>'
    rows = [
        {
            **dict.fromkeys(OUTCOME_COLUMNS, 20),
            "term": name, "previous_term": None, "comparison": COMPARISON_OF[group],
            "group": group, "percentile": 50.0, "change": None,
        }
        for group in GROUPS
    ]  # fmt: skip
    table = pd.DataFrame(rows, columns=OUTCOME_COLUMNS)
    for figure in (
        outcome_charts.percentile_figure(table),
        outcome_charts.scales_figure(table, name),
    ):
        assert "<a" not in figure.layout.title.text
        assert all("<a" not in (trace.name or "") for trace in figure.data)
