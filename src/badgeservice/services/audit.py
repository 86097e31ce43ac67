"""Audit trail: one row per change, in the transaction of the change itself."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
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


def list_events(
    session: Session, issuer_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[AuditEvent], int]:
    where = AuditEvent.issuer_id == issuer_id
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(where)) or 0
    query = (
        select(AuditEvent)
        .where(where)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query)), total
