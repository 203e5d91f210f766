"""The 总览 page's pieces: the term / grade / class filters, the KPI cards and the running
month's progress. Figures come from services/metrics; this module only lays them out."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy.orm import Session

from components import kpi
from components.filters import choose
from locales import t
from services.actor import Actor
from services.metrics.dashboard import Dashboard
from services.metrics.options import classroom_options, grade_options, term_options
from services.metrics.scope import Period, Scope, term_period, year_period


def filters(session: Session, actor: Actor, today: date) -> tuple[Scope, Period]:
    """Term (today's preselected; the calendar year when there is none), grade and class."""
    terms = term_options(session, actor)
    left, middle, right = st.columns(3)
    if terms.empty:
        period = year_period(today.year)
        left.caption(t("dashboard.no_terms"))
    else:
        current = [i for i, r in terms.iterrows() if r["start"] <= today <= r["end"]]
        choice = left.selectbox(
            t("dashboard.filter.term"),
            list(range(len(terms))),
            index=current[0] if current else 0,
            format_func=lambda i: terms.iloc[i]["name"],
            key="dashboard_term",
            placeholder=choose(),
        )
        row = terms.iloc[choice]
        period = term_period(row["name"], row["start"], row["end"])
    grade = middle.selectbox(
        t("dashboard.filter.grade"),
        [None, *grade_options(session, actor)],
        format_func=lambda g: t("dashboard.all") if g is None else t("chart.grade_n", n=g),
        key="dashboard_grade",
        placeholder=choose(),
    )
    rooms = classroom_options(session, actor, grade).set_index("classroom_id")["name"]
    classroom_id = right.selectbox(
        t("dashboard.filter.class"),
        [None, *rooms.index.tolist()],
        format_func=lambda c: t("dashboard.all") if c is None else rooms[c],
        key="dashboard_class",
        disabled=rooms.empty,
        placeholder=choose(),
    )
    return Scope(grade, classroom_id), period


def kpi_cards(data: Dashboard) -> list[kpi.Kpi]:
    """Headcounts, archive, pairing, compliance (ended periods only) and participation."""
    h, c, p = data.heads, data.compliance, data.participation
    last = c.last_month
    month = t("dashboard.month_n", n=last.start.month) if last else t("dashboard.last_month")
    last_rate = c.last_month_figures.rate
    return [
        _kpi("children", f"{h.children:,}"),
        _kpi("left_behind", f"{h.left_behind:,}"),
        _kpi("left_behind_share", kpi.percent(h.left_behind_share)),
        _kpi("archive_rate", kpi.percent(data.archive.rate), "archive"),
        _kpi("both_parents_share", kpi.percent(h.both_parents_share)),
        _kpi("one_parent_share", kpi.percent(h.one_parent_share)),
        _kpi("pairing_left_behind", kpi.percent(data.pairing.coverage)),
        _kpi("pairing_key", kpi.percent(data.pairing.key_coverage)),
        _kpi("last_month_compliance", kpi.percent(last_rate), "last_month_compliance", month=month),
        _kpi("term_compliance", kpi.percent(c.to_date.rate), "term_compliance"),
        _kpi("participation_lb", kpi.percent(p.left_behind_rate)),
        _kpi("participation_other", kpi.percent(p.other_rate)),
    ]


def _kpi(name: str, value: str, help_name: str | None = None, **params: object) -> kpi.Kpi:
    """A card labelled dashboard.kpi.<name>, with the dashboard.help.<help_name> tooltip."""
    return kpi.Kpi(
        t(f"dashboard.kpi.{name}", **params),
        value,
        t(f"dashboard.help.{help_name}") if help_name else None,
    )


def progress(data: Dashboard) -> None:
    """本月进行中：已完成 x / 应完成 y，剩余 n 天（含今天）— the running month as progress."""
    c = data.compliance
    if c.running is None:
        return
    done, due = c.running_figures.met, c.running_figures.due
    text = t("dashboard.progress", met=done, due=due, days=c.days_left)
    st.progress(done / due if due else 0.0, text=text)
