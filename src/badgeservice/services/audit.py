"""Audit trail: one row per change, in the transaction of the change itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import AuditEvent, Issuer
from badgeservice.logs import request_id_var


def record_event(
    session: Session,
    *,
    action: str,
    actor: str,
    subject_type: str,
    subject_id: str,
    issuer_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor=actor,
        subject_type=subject_type,
        subject_id=subject_id,
        issuer_id=issuer_id,
        details=details or {},
        request_id=request_id_var.get(),
    )
    session.add(event)
    return event


def record_issuer_event(
    session: Session, issuer: Issuer, action: str, *, actor: str, details: dict[str, Any]
) -> AuditEvent:
    """An event about the issuer itself (its profile, keys, settings)."""
    return record_event(
        session,
        action=action,
        actor=actor,
        subject_type="issuer",
        subject_id=issuer.slug,
        issuer_id=issuer.id,
        details=details,
    )


@dataclass(frozen=True)
class EventFilter:
    """``action``: an exact action, or a prefix ending in ``.`` (``credential.``); ``since``
    inclusive, ``before`` exclusive."""

    action: str | None = None
    actor: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    since: datetime | None = None
    before: datetime | None = None


def list_events(
    session: Session,
    issuer_id: uuid.UUID,
    *,
    limit: int,
    offset: int,
    where: EventFilter | None = None,
) -> tuple[list[AuditEvent], int]:
    query = _filtered(select(AuditEvent).where(AuditEvent.issuer_id == issuer_id), where)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id).limit(limit)
    return list(session.scalars(page.offset(offset))), total


def seen(session: Session, issuer_id: uuid.UUID) -> tuple[list[str], list[str]]:
    """The actions and the actors in the issuer's trail (for the console's filter choices)."""
    where = AuditEvent.issuer_id == issuer_id
    found = [
        sorted(session.scalars(select(column).where(where).distinct()))
        for column in (AuditEvent.action, AuditEvent.actor)
    ]
    return found[0], found[1]


def _filtered(query: Select[AuditEvent], where: EventFilter | None) -> Select[AuditEvent]:
    if where is None:
        return query
    if where.action:
        if where.action.endswith("."):
            query = query.where(AuditEvent.action.startswith(where.action, autoescape=True))
        else:
            query = query.where(AuditEvent.action == where.action)
    exact = (
        (AuditEvent.actor, where.actor),
        (AuditEvent.subject_type, where.subject_type),
        (AuditEvent.subject_id, where.subject_id),
    )
    for column, value in exact:
        if value:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(AuditEvent.occurred_at >= where.since)
    if where.before is not None:
        query = query.where(AuditEvent.occurred_at < where.before)
    return query
