"""The class's results sheet to fill in (成绩表.xlsx): a title, the header 学籍号 / 姓名 / subjects,
and one row per enrolled child with the results already entered, so the sheet filled in and
imported again (services/importing/results.py) updates them."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from db.models import Classroom, Term
from locales import t
from services.actor import Actor
from services.growth import results as grid
from services.importing.roster_template import FIRST_DATA_ROW, start_template
from services.reports.xlsx import new_workbook

PREFIX = "growth_results.import"
HEADERS = ("student_no", "name")  # then the subjects, as the import reads them


def results_template(session: Session, actor: Actor, classroom_id: int, term_id: int) -> bytes:
    """The sheet of the class and term: its children and their results (scores as numbers)."""
    frame = grid.class_results_frame(session, actor, classroom_id, term_id)
    subjects = [c for c in frame.columns if c.startswith(grid.SUBJECT_PREFIX)]
    room, term = session.get(Classroom, classroom_id), session.get(Term, term_id)
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    sheet, bold, text_format = start_template(workbook, PREFIX)
    title = t(f"{PREFIX}.template_title", classroom=room.name, term=term.name)  # type: ignore[union-attr]
    sheet.write_string(0, 0, title, workbook.add_format({"bold": True}))
    headers = [t(f"growth_results.field.{h}", lang="zh_CN") for h in HEADERS]
    headers += [s.removeprefix(grid.SUBJECT_PREFIX) for s in subjects]
    for col, header in enumerate(headers):
        sheet.write_string(1, col, header, bold)
    sheet.set_column(0, 0, 22, text_format)
    sheet.set_column(1, 1, 10, text_format)
    sheet.set_column(2, len(headers) - 1, 8)
    for offset, row in enumerate(frame.itertuples(index=False)):
        line = FIRST_DATA_ROW + offset
        sheet.write_string(line, 0, row.student_no, text_format)
        sheet.write_string(line, 1, row.name, text_format)
        for col, name in enumerate(subjects, start=2):
            _write_result(sheet, line, col, frame.at[offset, name])
    sheet.freeze_panes(FIRST_DATA_ROW, 2)
    workbook.close()
    return buffer.getvalue()


def template_file_name(session: Session, classroom_id: int) -> str:
    room = session.get(Classroom, classroom_id)
    return t(f"{PREFIX}.template_file", classroom=room.name if room else "")


def _write_result(sheet: object, line: int, col: int, shown: object) -> None:
    """A score as a number, a grade as its word, nothing for no result."""
    if shown is None or shown == "" or shown != shown:  # None or NaN: no result
        return
    text = str(shown)
    try:
        sheet.write_number(line, col, float(text))  # type: ignore[attr-defined]
    except ValueError:
        sheet.write_string(line, col, text)  # type: ignore[attr-defined]
