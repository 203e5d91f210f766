"""The download button for export bytes (DESIGN.md §3: writers make bytes, this shows them)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".csv": "text/csv",
}


def mime_of(file_name: str) -> str:
    return next(
        (m for ext, m in MIME.items() if file_name.lower().endswith(ext)),
        "application/octet-stream",
    )


def show(
    label: str,
    data: bytes | Callable[[], bytes],
    file_name: str,
    key: str,
    primary: bool = False,
    disabled: bool = False,
) -> bool:
    """A download button. `data` may be a function: it then runs only when the user clicks
    (Streamlit's deferred download), so a costly report is built once, on demand."""
    return st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime_of(file_name),
        key=key,
        type="primary" if primary else "secondary",
        on_click="ignore",
        icon=":material/download:",
        disabled=disabled,
    )
