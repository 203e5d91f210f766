"""Is a due row met? The EXISTS path (SQLite, a school): one index-only look-up per due row.

The covering index ix_contacts_child_date_match (migration 0002_compliance) holds every column
the look-up reads, so each due (child, rule, period) costs one short index range scan.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, exists, literal, select

from db.models import Child, Contact
from services.compliance.rule_periods import CHANNEL_BITS, COUNTERPART_BITS


def _bit_of(col: Any, bits: dict[str, int]) -> Any:
    return case(*((col == value, bit) for value, bit in bits.items()), else_=0)


def met_exists(rp: Any, p_start: Any, p_end: Any) -> Any:
    """1 when a contact with the row's child matches the rule-period `rp`, else 0.

    Only a contact that said something counts (`substantive`: a summary or an outcome, not 未接通).
    The rule's counterpart and channel sets are bit masks, so the match is arithmetic."""
    matching = exists(
        select(literal(1))
        .select_from(Contact)
        .where(
            Contact.child_id == Child.id,
            Contact.contact_date >= p_start,
            Contact.contact_date <= p_end,
            Contact.deleted_at.is_(None),
            Contact.substantive.is_(True),
            rp.c.cp_mask.op("&")(_bit_of(Contact.counterpart, COUNTERPART_BITS)) != 0,
            rp.c.ch_mask.op("&")(_bit_of(Contact.channel, CHANNEL_BITS)) != 0,
        )
    )
    return case((matching, 1), else_=0)
