"""关爱活动: the activity grid, the sign-in panel and participation of left-behind children."""

from datetime import date

import streamlit as st

from components import grid, kpi, signin
from components.context import current_actor, ready_engine
from db.engine import read_session
from db.enums import ActivityType, LeftBehindType
from locales import enum_label, enum_options, t
from services.care import activities, participation, signin_sheet

actor = current_actor()
engine = ready_engine()
st.title(t("activities.title"))
st.caption(t("activities.caption"))

with read_session(engine) as session:
    terms = participation.terms_in_view(session, actor)
    current = participation.current_term_id(session, actor, date.today())
    specs = activities.specs_for(session, actor)
left, right = st.columns(2)
term_id = left.selectbox(
    t("activities.participation.term"),
    list(terms),
    index=list(terms).index(current) if current in terms else 0,
    format_func=terms.get,
    key="activities.term",
)
types = {None: t("activities.filter.all_types"), **enum_options(ActivityType)}
chosen_type = right.selectbox(
    t("activities.filter.type"), list(types), format_func=types.get, key="activities.type"
)
if term_id is None:
    st.info(t("activities.participation.no_term"))
    period: tuple[date | None, date | None] = (None, None)
else:
    with read_session(engine) as session:
        period = participation.term_period(session, actor, term_id)

# Only the chosen section runs: ticking a box or editing the list does not recompute the
# statistics, and the statistics do not load the grid.
sections = ["list", "signin", "participation"]
first = "list" if actor.role in activities.EDITOR_ROLES else "signin"
section = (
    st.segmented_control(
        t("activities.section"),
        sections,
        format_func=lambda name: t(f"activities.tab.{name}"),
        default=first,
        key="activities.section",
        disabled=grid.unsaved("activities"),
        label_visibility="collapsed",
    )
    or first  # clicking the chosen section again clears the control
)

if section == "list":
    can_edit = actor.role in activities.EDITOR_ROLES
    if not can_edit:
        st.info(t("activities.readonly"))
    grid.show(
        "activities",
        specs,
        actor,
        engine,
        lambda session, who, offset, limit: activities.load_activities_page(
            session, who, offset, limit, *period, chosen_type
        ),
        activities.save_activity_changes,
        query=(term_id, chosen_type),
        label_field="title",
        can_edit=can_edit,
        load_rows=activities.load_activity_rows,
    )

if section == "signin":
    with read_session(engine) as session:
        listed = activities.list_activities(session, actor, *period, chosen_type)
    if listed.empty:
        st.info(t("activities.signin.none"))
    else:
        labels = {
            int(r.id): f"{r.activity_date} {r.title}（{enum_label(ActivityType(r.activity_type))}）"
            for r in listed.itertuples()
        }
        activity_id = st.selectbox(
            t("activities.signin.pick"), list(labels), format_func=labels.get, key="signin.pick"
        )
        with read_session(engine) as session:
            roster = signin_sheet.signin_roster(session, actor, activity_id)
        picked = listed.set_index("id").loc[activity_id]
        st.caption(
            t(
                "activities.signin.summary",
                attended=picked["attended"],
                lb=picked["attended_left_behind"],
            )
        )
        if roster.empty:
            st.warning(t("activities.signin.no_classes"))
        else:
            signin.show(activity_id, roster, actor, engine)

if section == "participation":
    rate_columns = {
        name: st.column_config.ProgressColumn(
            t(f"activities.col.{name}"), format="percent", min_value=0, max_value=1
        )
        for name in ("left_behind_rate", "other_rate")
    }
    with read_session(engine) as session:
        summary = participation.participation_summary(session, actor, *period).to_dict("records")[0]
        by_class = participation.participation_by_class(session, actor, *period)
        by_type = participation.participation_by_type(session, actor, *period)
        missing = participation.left_behind_without_activity(session, actor, *period)
    kpi.show(
        [
            kpi.Kpi(
                t("activities.participation.left_behind_rate"),
                kpi.percent(summary["left_behind_rate"]),
                t("activities.participation.rate_help"),
            ),
            kpi.Kpi(
                t("activities.participation.other_rate"),
                kpi.percent(summary["other_rate"]),
                t("activities.participation.rate_help"),
            ),
            kpi.Kpi(t("activities.participation.activities"), f"{summary['activities']:,}"),
            kpi.Kpi(t("activities.participation.attendances"), f"{summary['attendances']:,}"),
        ]
    )
    st.dataframe(
        by_class[["classroom", "activities", "attendances", "left_behind_rate", "other_rate"]],
        column_config={
            "classroom": t("activities.col.classroom"),
            "activities": t("activities.participation.activities"),
            "attendances": t("activities.participation.attendances"),
            **rate_columns,
        },
        hide_index=True,
        width="stretch",
    )
    by_type["activity_type"] = [enum_label(ActivityType(v)) for v in by_type["activity_type"]]
    st.dataframe(
        by_type[["activity_type", "activities", "attendances", "left_behind_rate", "other_rate"]],
        column_config={
            "activity_type": t("activities.col.type"),
            "activities": t("activities.participation.activities"),
            "attendances": t("activities.participation.attendances"),
            **rate_columns,
        },
        hide_index=True,
        width="stretch",
    )
    if missing.empty:
        st.success(t("activities.participation.missing_none"))
    else:
        st.subheader(t("activities.participation.missing", count=len(missing)))
        missing["left_behind_type"] = [
            enum_label(LeftBehindType(v)) for v in missing["left_behind_type"]
        ]
        st.dataframe(
            missing[["classroom", "name", "student_no", "left_behind_type", "is_key"]],
            column_config={
                c: t(f"activities.col.{c}")
                for c in ["classroom", "name", "student_no", "left_behind_type", "is_key"]
            },
            hide_index=True,
            width="stretch",
        )
