"""成长观察's pieces: the legend of the four scales' anchors and the class grid."""

from __future__ import annotations

import streamlit as st

from components import grid
from db.enums import GrowthScale
from db.growth_models import SCALE_MAX, SCALE_MIN
from locales import enum_label, t
from services.actor import Actor
from services.growth import observations

GRID_KEY = "growth_observations"
ROW_HEIGHT = 35  # the editor's row and header height in pixels
ROWS_SHOWN = 20  # a class of 60 scrolls inside the grid, its header always in sight


def legend() -> None:
    """An expander with the four scales' anchor texts as a table: a row per rating 1–5."""
    with st.expander(t("growth_observations.legend")):
        header = [t("growth_observations.legend_score"), *(enum_label(s) for s in GrowthScale)]
        lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        for n in range(SCALE_MIN, SCALE_MAX + 1):
            anchors = [t(f"growth.anchor.{s.value}.{n}") for s in GrowthScale]
            lines.append(f"| {n} | " + " | ".join(anchors) + " |")
        st.markdown("\n".join(lines))


def show_grid(actor: Actor, term_id: int, classroom_id: int | None, rows: int) -> None:
    """The grid of the children in view (every row on one page, four scales and the note) under
    how many of them are rated this term."""
    progress = st.empty()
    frame = grid.show(
        grid.GridConfig(
            GRID_KEY,
            observations.observation_specs(
                with_class=classroom_id in (None, observations.MY_PAIRED)
            ),
            lambda session, who, _offset, _limit: observations.observation_page(
                session, who, term_id, classroom_id
            ),
            lambda session, who, changes: observations.save_observations(
                session, who, changes, term_id, classroom_id
            ),
            query=(term_id, classroom_id),
            can_add=False,
            can_delete=False,
            page_size=max(100, rows),
            height=ROW_HEIGHT * (min(rows, ROWS_SHOWN) + 1) + 3,
        ),
        actor,
    )
    done = int(frame["study"].notna().sum())
    progress.caption(t("growth_observations.progress", done=done, total=len(frame)))
    st.caption(t("growth_observations.grid_help"))
