"""Dated records counted in a period: contacts logged (by channel) and aid granted (by kind).

A record counts in the period that contains its date, up to `as_of`: a contact on its
contact_date, aid on the day it was granted (an undated grant on its term's first day). Children
are `children_in_scope`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import AidKind, ContactChannel
from db.models import Aid, Child, Contact, Term
from services import permissions
from services.actor import Actor
from services.care.aid import AID_SUMS
from services.metrics.scope import Period, Scope, children_in_scope
from services.metrics.summary import answers, stale_schools
from services.metrics.summary_facts import stored_contacts
from services.permissions import Action
from services.scope import school_ids_in_view

AID_COLUMNS = ["kind", "records", "children", "amount"]
VISIT_CHANNELS = (ContactChannel.HOME_VISIT.value,)
CALL_CHANNELS = (ContactChannel.PHONE.value, ContactChannel.VIDEO.value)


def contacts_by_channel(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> pd.DataFrame:
    """Contacts logged in the period per channel: channel (value), contacts; most first. Whole
    schools are read from the county facts (services/metrics/summary_facts.py), the stale ones
    and any narrower scope counted here."""
    last = period.cut(as_of)
    live = school_ids_in_view(session, actor)
    counts: dict[str, int] = defaultdict(int)
    if answers(actor, scope, ()):
        stale = stale_schools(session, live)
        counts.update(
            stored_contacts(session, [s for s in live if s not in stale], period.start, last)
        )
        live = stale
    if live:
        query = (
            select(Contact.channel, func.count(Contact.id))
            .join(Child, Child.id == Contact.child_id)
            .where(
                *children_in_scope(session, actor, scope),
                # On the contacts' own school and date too, so the (school_id, contact_date)
                # index serves the range.
                Contact.school_id.in_(live),
                Contact.deleted_at.is_(None),
                Contact.contact_date.between(period.start, last),
            )
            .group_by(Contact.channel)
        )
        for channel, n in session.execute(query):
            counts[getattr(channel, "value", channel)] += int(n)
    rows = sorted(counts.items(), key=lambda row: (-row[1], row[0]))
    return pd.DataFrame(rows, columns=["channel", "contacts"])


def channel_total(frame: pd.DataFrame, channels: tuple[str, ...] | None = None) -> int:
    """Contacts of a contacts_by_channel frame over `channels` (all when None)."""
    chosen = frame if channels is None else frame[frame["channel"].isin(channels)]
    return int(chosen["contacts"].sum())


def aid_by_kind(
    session: Session, actor: Actor, scope: Scope, period: Period, as_of: date
) -> pd.DataFrame:
    """Aid granted in the period per kind: kind (value), records, children, amount (yuan)."""
    permissions.require(actor, Action.VIEW_METRICS)
    granted = func.coalesce(Aid.granted_on, Term.start_date)
    rows = session.execute(
        select(Aid.kind, *AID_SUMS)
        .join(Child, Child.id == Aid.child_id)
        .outerjoin(Term, Term.id == Aid.term_id)
        .where(
            *children_in_scope(session, actor, scope),
            Aid.deleted_at.is_(None),
            granted.between(period.start, period.cut(as_of)),
        )
        .group_by(Aid.kind)
    ).all()
    order = {kind.value: i for i, kind in enumerate(AidKind)}
    data = sorted(
        ((AidKind(k).value, int(r), int(c), float(a)) for k, r, c, a in rows),
        key=lambda row: order[row[0]],
    )
    return pd.DataFrame(data, columns=AID_COLUMNS)
