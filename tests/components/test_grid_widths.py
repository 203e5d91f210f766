"""Every grid column is wide enough for its header (plus the required star) in either language."""

import unicodedata

import pytest

from components.grid_columns import column_config
from db.enums import Role
from locales import LANGUAGES, set_language
from services.actor import Actor
from services.care.activity_columns import activity_specs
from services.care.aid import aid_specs
from services.care.health import health_specs
from services.records.child_columns import CHILD_COLUMNS
from services.records.contacts import CONTACT_COLUMNS
from services.records.pairings import PAIRING_COLUMNS
from services.records.specs import ColumnSpec

SPEC_LISTS = {
    "children": lambda: CHILD_COLUMNS,
    "contacts": lambda: CONTACT_COLUMNS,
    "pairings": lambda: PAIRING_COLUMNS,
    "activities": lambda: activity_specs(["一年级1班"]),
    "aid": lambda: aid_specs(["张三（G439901201501010010）"]),
    "health": health_specs,
}
EVERYONE = Actor(1, "p", "校长", Role.PRINCIPAL, 1)


def display_units(text: str) -> int:
    """Columns the text takes on screen: a wide (CJK, full-width) character counts double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@pytest.fixture(params=list(LANGUAGES))
def lang(request):
    set_language(request.param)
    yield request.param
    set_language("zh_CN")


@pytest.mark.parametrize("name", list(SPEC_LISTS))
def test_every_column_is_wide_enough_for_its_header(name, lang):
    specs: list[ColumnSpec] = [
        s.__class__(**{**s.__dict__, "view_roles": None}) for s in SPEC_LISTS[name]()
    ]
    config, _ = column_config(specs, EVERYONE, can_edit=True)
    narrow = []
    for spec in specs:
        header = spec.label + (" *" if spec.required else "")
        assert config[spec.field]["label"] == header
        # ~7.5 px a Latin character at the grid's font, plus padding and the sort mark
        if config[spec.field]["width"] < display_units(header) * 7.5 + 36:
            narrow.append((header, config[spec.field]["width"]))
    assert not narrow, f"{name} ({lang}): headers cut {narrow}"


def test_student_numbers_show_whole():
    (spec,) = [s for s in CHILD_COLUMNS if s.field == "student_no"]
    assert spec.display_width >= len("G439901201501010010") * 7.5 + 36
