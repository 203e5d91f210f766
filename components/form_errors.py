"""A form edits one record, so its problems need no row/column table: one message each
(pass `on_error=ONE_MESSAGE_PER_PROBLEM` to `feedback.submit`)."""

from __future__ import annotations

import streamlit as st

from services.errors import ValidationFailed


def show_each_problem(exc: ValidationFailed) -> None:
    """Each problem's reason as its own error line."""
    for problem in exc.problems:
        st.error(problem.message)


ONE_MESSAGE_PER_PROBLEM = {ValidationFailed: show_each_problem}
