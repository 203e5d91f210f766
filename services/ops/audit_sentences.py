"""The audit log read as sentences (#16 item 3):

    王老师（班主任）修改了 儿童档案 张阳 的 监护人电话：138****5678→139****1234

Who (display name and role), a verb per action, the kind of record and its name, and what changed
field by field, all through locale keys ("audit.verb.*", "audit.entity.*", "audit.detail.*" and
the tables' own column labels). Phones are masked as everywhere (services/masking.py); secrets
(password hashes, tokens) are never shown, only that they changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import Base
from db.enums import AuditAction, Role
from db.models import AuditEntry, Child, User
from locales import CN_NUMERALS, catalogue, current_language, enum_label, t
from services.masking import mask_name, mask_phone

# Never shown, whatever the entry holds: only "已修改".
SECRETS = frozenset({"password", "password_hash", "cookie_key", "secret", "token"})
SECRET_ENDINGS = ("_hash", "_secret", "_token")
# A table's fields are labelled like its grid's headers ("<feature>.col.<field>"); the feature
# is the table's name but for these.
FEATURE_OF = {"child": "children", "health_checks": "health", "counselling_notes": "counselling"}
CHILD_ENTITIES = frozenset({"children", "child"})
USER_ENTITIES = frozenset({"users", "user"})
MAX_CHANGES = 6


@cache
def enum_fields() -> dict[str, type[Enum]]:
    """Fields whose values are enum members (shown by their labels), from the models' columns."""
    fields = {}
    for mapper in Base.registry.mappers:
        for column in mapper.columns:
            if isinstance(column.type, SAEnum) and column.type.enum_class is not None:
                fields[column.key] = column.type.enum_class
    return fields


def is_secret(field: str) -> bool:
    return field in SECRETS or field.endswith(SECRET_ENDINGS)


def without_secrets(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The entry's before/after with every secret replaced by a mark (for exports)."""
    if not values:
        return None
    return {k: ("***" if is_secret(k) else v) for k, v in values.items()}


def names_for(session: Session, entries: Iterable[AuditEntry]) -> dict[tuple[str, int], str]:
    """Display names of the users and children the entries name (two queries)."""
    entries = list(entries)
    user_ids = {e.user_id for e in entries if e.user_id}
    user_ids |= {e.entity_id for e in entries if e.entity in USER_ENTITIES and e.entity_id}
    child_ids = {e.entity_id for e in entries if e.entity in CHILD_ENTITIES and e.entity_id}
    names: dict[tuple[str, int], str] = {}
    if user_ids:
        rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
        names.update({("user", uid): name for uid, name in rows})
    if child_ids:
        rows = session.execute(select(Child.id, Child.name).where(Child.id.in_(child_ids)))
        names.update({("child", cid): name for cid, name in rows})
    return names


def who(entry: AuditEntry, names: Mapping[tuple[str, int], str]) -> str:
    """王老师（班主任）; the username when the account is gone; 系统 for the system."""
    user_id = entry.user_id
    if user_id is None and entry.entity in USER_ENTITIES:
        user_id = entry.entity_id  # a failed sign-in names the account it tried
    name = names.get(("user", user_id)) if user_id else None
    name = name or entry.username or t("audit.system")
    role = enum_label(entry.role, Role) if entry.role else ""
    return t("audit.who", name=name, role=role) if role else name


def sentence(entry: AuditEntry, names: Mapping[tuple[str, int], str], masked: bool) -> str:
    """What the entry records, after who did it: 修改了 儿童档案 张阳 的 监护人电话：… → …"""
    action = AuditAction(entry.action)
    refused = f"audit.verb.{action.value}_refused"  # a refused view: 被拒绝查看
    verb = t(refused) if not entry.ok and _has(refused) else t(f"audit.verb.{action.value}")
    if action == AuditAction.VIEW_RESTRICTED and entry.after and "note_ids" in entry.after:
        return t("audit.viewed_notes", verb=verb, n=len(entry.after["note_ids"]))
    target = _target(entry, names, masked)
    changes = (
        _changes(entry, masked) if action in (AuditAction.UPDATE, AuditAction.SETTINGS) else ""
    )
    text = " ".join(part for part in (verb, target) if part)
    if changes:
        text = t("audit.changed_fields", text=text, changes=changes)
    detail = _detail(entry.detail)
    return f"{text}{detail}" if detail else text


def _target(entry: AuditEntry, names: Mapping[tuple[str, int], str], masked: bool) -> str:
    if entry.action in (AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.LOGOUT):
        return ""  # the verb says it all: 登录了系统
    kind = entity_label(entry.entity)
    name = ""
    if entry.entity_id and entry.entity in CHILD_ENTITIES:
        name = names.get(("child", entry.entity_id), "")
        name = str(mask_name(name)) if masked else name
    elif entry.entity_id and entry.entity in USER_ENTITIES:
        name = names.get(("user", entry.entity_id), "")
    if not name and entry.entity_id:
        name = t("audit.number", id=entry.entity_id)
    return " ".join(part for part in (kind, name) if part)


def entity_label(entity: str | None) -> str:
    if not entity:
        return ""
    """The kind of record in words (儿童档案, 账号…); `report:bureau_docx` is a report."""
    base = entity.split(":", 1)[0]
    key = f"audit.entity.{base}"
    return t(key) if _has(key) else t("audit.entity.other")


def _changes(entry: AuditEntry, masked: bool) -> str:
    before, after = entry.before or {}, entry.after or {}
    fields = [f for f in sorted(set(before) | set(after)) if before.get(f) != after.get(f)]
    parts = []
    for field in fields[:MAX_CHANGES]:
        label = _field_label(entry.entity, field)
        if is_secret(field):
            parts.append(t("audit.secret_changed", field=label))
            continue
        old = _value(field, before.get(field), masked)
        new = _value(field, after.get(field), masked)
        parts.append(t("audit.change", field=label, old=old, new=new))
    if len(fields) > MAX_CHANGES:
        parts.append(t("audit.more_changes", n=len(fields) - MAX_CHANGES))
    return t("audit.separator").join(parts)


def _field_label(entity: str | None, field: str) -> str:
    feature = FEATURE_OF.get(entity or "", entity)
    for key in (f"{feature}.col.{field}", f"audit.field.{field}"):
        if _has(key):
            return t(key)
    if field.endswith("_id") and _has(f"audit.field.{field[:-3]}"):
        return t(f"audit.field.{field[:-3]}")
    return t("audit.field.other")


def _value(field: str, value: Any, masked: bool) -> str:
    if value is None or value == "" or value == []:
        return t("audit.empty")
    if isinstance(value, bool):
        return t("audit.yes") if value else t("audit.no")
    enum_cls = enum_fields().get(field)
    # A name can be an enum in one table and a number in another (年级 3, 等级 good).
    if enum_cls is not None and str(value) in {m.value for m in enum_cls}:  # type: ignore[attr-defined]
        return enum_label(str(value), enum_cls) or str(value)
    if field == "grade" and isinstance(value, int) and 0 < value < len(CN_NUMERALS):
        return t("audit.grade", n=value)
    if field.endswith("phone"):
        return str(mask_phone(value))
    if field.endswith("id_card_no"):
        return "*" * 6
    if masked and field.endswith("name"):
        return str(mask_name(value))
    if isinstance(value, list):
        return t("audit.separator").join(_value(field, v, masked) for v in value)
    if isinstance(value, dict):
        return t("audit.some_values", n=len(value))
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _detail(detail: str | None) -> str:
    """A known detail code through its locale key; a detail written in the user's language as it
    is; technical notes (English file names, filters) stay in the export only."""
    if not detail:
        return ""
    key = f"audit.detail.{detail}"
    if _has(key):
        return t(key)
    if any("\u3400" <= ch <= "\u9fff" for ch in detail) and current_language() != "en":
        return t("audit.detail_text", detail=detail)
    return ""


def _has(key: str) -> bool:
    return key in catalogue(current_language()) or key in catalogue("zh_CN")
