"""A person's progress through a pack, computed issuer-side from the credentials they hold
ACTIVE at ``now`` (``domain/credential_state.py`` through ``credentials.state_clause``), never
from what they chose to make public. A ``pack`` step is done when the child pack is complete."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Pack, PackAward
from badgeservice.domain.pack import MAX_NESTING, Progress, progress
from badgeservice.domain.recipient import RecipientError, RecipientKind
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.services import packs
from badgeservice.services.credentials import state_clause
from badgeservice.services.keystore import KeyStore


def active_of(
    session: Session, lookup: str, achievement_ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, Credential]:
    """achievement id → the newest credential of it that ``lookup`` holds active at ``now``."""
    if not achievement_ids:
        return {}
    query = (
        select(Credential)
        .where(Credential.recipient_lookup == lookup)
        .where(Credential.achievement_id.in_(achievement_ids))
        .where(state_clause("active", now))
        .order_by(Credential.issued_at, Credential.id)
    )
    return {c.achievement_id: c for c in session.scalars(query)}


def pack_progress(
    session: Session, pack: Pack, lookup: str, now: datetime, *, depth: int = 0
) -> Progress:
    steps = packs.steps_of(session, pack)
    held = active_of(session, lookup, [s.achievement_id for s in steps if s.achievement_id], now)
    complete: set[str] = set()
    if depth < MAX_NESTING:
        for step in steps:
            child = session.get(Pack, step.child_pack_id) if step.child_pack_id else None
            if (
                child is not None
                and pack_progress(session, child, lookup, now, depth=depth + 1).complete
            ):
                complete.add(str(child.id))
    return progress(
        packs.step_rules(steps), packs.group_rules(pack), {str(a) for a in held}, complete
    )


def recipient_progress(
    session: Session,
    key_store: KeyStore,
    pack: Pack,
    kind: RecipientKind,
    value: str,
    now: datetime,
) -> tuple[Progress, PackAward | None]:
    """An email's or a Wikimedia username's progress through ``pack``, and its award if made."""
    from badgeservice.services.issuance import lookup_of  # issuance → pack_awards → here

    try:
        lookup = lookup_of(key_store, kind, value)
    except RecipientError as exc:
        raise ValidationFailedError(errors=[FieldError("/query/recipient", str(exc))]) from exc
    return pack_progress(session, pack, lookup, now), award_of(session, pack, lookup)


def award_of(session: Session, pack: Pack, lookup: str) -> PackAward | None:
    query = select(PackAward).where(
        PackAward.pack_id == pack.id, PackAward.recipient_lookup == lookup
    )
    return session.scalar(query)
