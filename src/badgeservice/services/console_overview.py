"""The console's overview of one issuer: how many achievements, credentials by state,
batches still being worked off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Batch, Credential, Issuer, IssuerMember
from badgeservice.services.credentials import state_clause


def counts(session: Session, issuer: Issuer, now: datetime) -> dict[str, int]:
    def count(model: type[object], *where: object) -> int:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return session.scalar(query) or 0

    return {
        "achievements": count(Achievement, Achievement.issuer_id == issuer.id),
        "credentials": count(Credential, Credential.issuer_id == issuer.id),
        "active": count(Credential, Credential.issuer_id == issuer.id, state_clause("active", now)),
        "revoked": count(
            Credential, Credential.issuer_id == issuer.id, state_clause("revoked", now)
        ),
        "pending_batches": count(Batch, Batch.issuer_id == issuer.id, Batch.finished_at.is_(None)),
        "members": count(IssuerMember, IssuerMember.issuer_id == issuer.id),
    }
