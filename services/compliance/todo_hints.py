"""What a to-do asks for, as data: which contact would meet the duty, and why contacts already
logged in its periods did not (another counterpart or channel, 未接通, nothing written).

A hint is a locale key with plain parameters (enum values, dates); `explain` turns it into words
for the page ("需面谈联系儿童本人", "与父亲、母亲、监护人的联系不计入",
"2026-11-10与监护人的家访不计入").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import ContactChannel, ContactOutcome, Counterpart, GrowthScale
from db.models import Contact
from locales import enum_label, t

MAX_NOT_COUNTED = 3  # per to-do: the latest few are enough to explain


@dataclass(frozen=True)
class Hint:
    """A locale key and its parameters (enum values and dates, not words)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    """The unmet periods (first and last day) of one (child, rule) to-do."""

    child_id: int
    spans: tuple[tuple[date, date], ...]


def meets_hint(counterparts: Sequence[str], channels: Sequence[str]) -> Hint:
    """Which contact meets the rule: with whom and how (an empty channel list: any way)."""
    if not channels:
        return Hint("todo.meets.any", {"who": tuple(counterparts)})
    return Hint("todo.meets.rule", {"who": tuple(counterparts), "how": tuple(channels)})


def excludes_hint(counterparts: Sequence[str], channels: Sequence[str]) -> Hint | None:
    """What the rule does not count, from its own sets: the counterparts it leaves out (a talk
    with the child is not met by a visit to the guardian), else the channels it leaves out."""
    if counterparts:
        others = tuple(c.value for c in Counterpart if c.value not in counterparts)
        if others:
            return Hint("todo.excludes.who", {"others": others})
    if channels:
        others = tuple(c.value for c in ContactChannel if c.value not in channels)
        if others:
            return Hint("todo.excludes.how", {"others": others})
    return None


def not_counted_hints(session: Session, windows: Sequence[Window]) -> list[tuple[Hint, ...]]:
    """Per window: the contacts logged in its unmet periods, each with why it did not count."""
    if not windows:
        return []
    first = min(start for w in windows for start, _ in w.spans)
    last = max(end for w in windows for _, end in w.spans)
    rows = session.execute(
        select(
            Contact.child_id,
            Contact.contact_date,
            Contact.counterpart,
            Contact.channel,
            Contact.outcome,
            Contact.substantive,
        )
        .where(
            Contact.child_id.in_(sorted({w.child_id for w in windows})),
            Contact.contact_date >= first,
            Contact.contact_date <= last,
            Contact.deleted_at.is_(None),
        )
        .order_by(Contact.contact_date, Contact.id)
    ).all()
    by_child: dict[int, list[Any]] = {}
    for row in rows:
        by_child.setdefault(row.child_id, []).append(row)
    return [_window_hints(w, by_child.get(w.child_id, [])) for w in windows]


def _window_hints(window: Window, contacts: Iterable[Any]) -> tuple[Hint, ...]:
    inside = [c for c in contacts if any(a <= _day(c.contact_date) <= b for a, b in window.spans)]
    return tuple(_why(c) for c in inside[-MAX_NOT_COUNTED:])


def _why(contact: Any) -> Hint:
    """A contact inside an unmet period did not count: say why."""
    params = {
        "date": _day(contact.contact_date),
        "counterpart": str(contact.counterpart),
        "channel": str(contact.channel),
    }
    if contact.outcome == ContactOutcome.NO_ANSWER:
        return Hint("todo.not_counted.no_answer", params)
    if not contact.substantive:
        return Hint("todo.not_counted.empty", params)
    return Hint("todo.not_counted.other", params)


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def fall_words(measure: str, before: float, after: float, short: bool = False) -> str:
    """An early warning in words: 成绩明显下滑：百分位 72→45, 情绪评价下降 2 级（4→2）; `short`
    under a duty already titled with what fell: 百分位 72→45, 情绪 4→2."""
    form = "short" if short else "reason"
    if measure == "percentile":
        return t(f"growth_warning.{form}.percentile", before=f"{before:.0f}", after=f"{after:.0f}")
    return t(
        f"growth_warning.{form}.scale",
        scale=enum_label(measure, GrowthScale),
        drop=f"{before - after:.0f}",
        before=f"{before:.0f}",
        after=f"{after:.0f}",
    )


def either(items: list[str]) -> str:
    """监护人、父亲或母亲 — a choice of several, in words."""
    if len(items) <= 1:
        return "".join(items)
    return t("todo.list_sep").join(items[:-1]) + t("todo.or") + items[-1]


def explain(hint: Hint) -> str:
    """The hint in words, in the current language."""
    words: dict[str, Any] = dict(hint.params)
    if "who" in words:
        words["who"] = either([enum_label(c, Counterpart) for c in words["who"]])
    if "how" in words:
        words["how"] = either([enum_label(c, ContactChannel) for c in words["how"]])
    if "counterpart" in words:
        words["counterpart"] = enum_label(words["counterpart"], Counterpart)
    if "channel" in words:
        words["channel"] = enum_label(words["channel"], ContactChannel)
    if "falls" in words:  # ((measure, before, after), ...) of a growth warning
        falls = [fall_words(*fall, short=True) for fall in words["falls"]]
        words["falls"] = t("todo.list_sep").join(falls)
    if hint.key == "todo.excludes.who":
        words["others"] = t("todo.list_sep").join(
            enum_label(c, Counterpart) for c in words["others"]
        )
    elif hint.key == "todo.excludes.how":
        words["others"] = t("todo.list_sep").join(
            enum_label(c, ContactChannel) for c in words["others"]
        )
    return t(hint.key, **words)
