"""The guardian of a one-parent-away child whose roster names none: the parent at home.

County rosters rarely fill guardian columns for a child whose mother (or father) is at home: that
parent is the guardian. The import then takes the guardian from that parent's columns (name,
relation 母亲/父亲, phone), never over a guardian the file or the stored archive already has, and
the preview says which rows were inferred.
"""

from __future__ import annotations

from collections.abc import Mapping

from db.enums import LeftBehindType
from services.records.specs import is_empty

HOME_PARENT = {LeftBehindType.FATHER: "mother", LeftBehindType.MOTHER: "father"}
# Stored data, in the roster's own words (the relation column is free text in Chinese).
RELATION = {"father": "父亲", "mother": "母亲"}
GUARDIAN_FIELDS = ("guardian_name", "guardian_relation", "guardian_phone")


def infer_guardian(values: dict[str, object], stored: Mapping[str, object] | None) -> list[str]:
    """Fill the guardian from the parent at home into `values` when neither the row nor the
    stored child names one; returns the fields filled (none when nothing was inferred)."""

    def known(field: str) -> object:
        value = values.get(field)
        return value if not is_empty(value) or stored is None else stored.get(field)

    home = HOME_PARENT.get(known("left_behind_type"))  # type: ignore[call-overload]
    if home is None or not is_empty(known("guardian_name")):
        return []
    if is_empty(known(f"{home}_name")) and is_empty(known(f"{home}_phone")):
        return []
    guardian = {
        "guardian_name": known(f"{home}_name"),
        "guardian_relation": RELATION[home],
        "guardian_phone": known(f"{home}_phone"),
    }
    filled = [f for f in GUARDIAN_FIELDS if not is_empty(guardian[f]) and is_empty(known(f))]
    values.update({f: guardian[f] for f in filled})
    return filled
