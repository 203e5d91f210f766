"""What a health-check value may be: impossible values (typing errors) are refused, possible
but worrying ones flagged. Change here when the screening standard changes.

Impossible values (typing errors) are refused, nothing is written:
    height 80–200 cm, weight 10–120 kg, vision 3.0–5.3 (five-point scale, 五分记录),
    blood pressure systolic 70–180 / diastolic 40–120 mmHg with systolic > diastolic,
    lung capacity 300–5000 ml, check date not in the future.
Possible but worrying values are flagged (screening hints, not diagnoses):
    vision_mild 4.9, vision_moderate 4.6–4.8, vision_severe ≤ 4.5 (worse eye; normal ≥ 5.0,
    the grading of the national student physical-health standard);
    bmi_low BMI < 13.5, bmi_high BMI > 24; bp_high systolic ≥ 120 or diastolic ≥ 80;
    bp_low systolic < 85 or diastolic < 50; lung_low lung capacity < 700 ml.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from db.models import HealthCheck
from services.errors import Problem
from services.records.specs import ColumnSpec, problem

MEASURES = [
    "height_cm",
    "weight_kg",
    "vision_left",
    "vision_right",
    "bp_systolic",
    "bp_diastolic",
    "lung_capacity_ml",
]
# field → (lowest, highest) possible value; outside is a typing error.
LIMITS: dict[str, tuple[float, float]] = {
    "height_cm": (80, 200),
    "weight_kg": (10, 120),
    "vision_left": (3.0, 5.3),
    "vision_right": (3.0, 5.3),
    "bp_systolic": (70, 180),
    "bp_diastolic": (40, 120),
    "lung_capacity_ml": (300, 5000),
}
FLAGS = [
    "vision_mild",
    "vision_moderate",
    "vision_severe",
    "bmi_low",
    "bmi_high",
    "bp_high",
    "bp_low",
    "lung_low",
]
LOW_VISION = 5.0


def limit_validator(name: str) -> Callable[[Any], str | None]:
    """The column validator: the value lies within LIMITS[name]."""
    low, high = LIMITS[name]

    def check(value: Any) -> str | None:
        return None if low <= value <= high else f"health.reason.{name}"

    return check


def bmi(height_cm: float | None, weight_kg: float | None) -> float | None:
    if not height_cm or not weight_kg:
        return None
    return round(weight_kg / (height_cm / 100) ** 2, 1)


def health_flags(values: dict[str, Any]) -> list[str]:
    """Flag keys (FLAGS) for one check's values; see the module docstring for thresholds."""
    flags = []
    eyes = [v for v in (values.get("vision_left"), values.get("vision_right")) if present(v)]
    if eyes:
        worse = min(eyes)
        if worse <= 4.5:
            flags.append("vision_severe")
        elif worse < 4.9 - 1e-9:
            flags.append("vision_moderate")
        elif worse < LOW_VISION - 1e-9:
            flags.append("vision_mild")
    index = bmi(_num(values.get("height_cm")), _num(values.get("weight_kg")))
    if index is not None:
        if index < 13.5:
            flags.append("bmi_low")
        elif index > 24:
            flags.append("bmi_high")
    systolic, diastolic = _num(values.get("bp_systolic")), _num(values.get("bp_diastolic"))
    if (systolic and systolic >= 120) or (diastolic and diastolic >= 80):
        flags.append("bp_high")
    elif (systolic and systolic < 85) or (diastolic and diastolic < 50):
        flags.append("bp_low")
    lung = _num(values.get("lung_capacity_ml"))
    if lung and lung < 700:
        flags.append("lung_low")
    return flags


def present(value: Any) -> bool:
    """A value was entered (neither None nor NaN)."""
    return value is not None and not (isinstance(value, float) and pd.isna(value))


def _num(value: Any) -> float | None:
    return float(value) if present(value) else None


def row_problems(
    label: str, values: dict[str, Any], check: HealthCheck | None, by_field: dict[str, ColumnSpec]
) -> list[Problem]:
    """Checks across columns: systolic above diastolic; a new check has a measurement."""
    merged = {m: getattr(check, m) if check else None for m in MEASURES} | values
    if check is None and not any(present(merged[m]) for m in MEASURES):
        return [problem(label, by_field["height_cm"], None, "health.reason.no_measure")]
    systolic, diastolic = merged.get("bp_systolic"), merged.get("bp_diastolic")
    in_range = all(
        present(v) and isinstance(v, int | float) and low <= v <= high
        for v, (low, high) in (
            (systolic, LIMITS["bp_systolic"]),
            (diastolic, LIMITS["bp_diastolic"]),
        )
    )
    if in_range and systolic <= diastolic:
        return [problem(label, by_field["bp_systolic"], systolic, "health.reason.bp_order")]
    return []
