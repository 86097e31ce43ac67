"""Issued credentials: look-up, listing with filters, revocation and suspension."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session, load_only

from badgeservice.db.models import (
    Achievement,
    Credential,
    Issuer,
    StatusAllocation,
    StatusList,
)
from badgeservice.domain.credential_state import PRECEDENCE, State, credential_state
from badgeservice.errors import ConflictError
from badgeservice.services import status_lists
from badgeservice.services.audit import record_event
from badgeservice.services.tenancy import get_owned


class CredentialRevokedError(ConflictError):
    code, title = "credential_revoked", "The credential is revoked; revocation is final"


class CredentialNotSuspendableError(ConflictError):
    code, title = "credential_not_suspendable", "The credential has no suspension status entry"


@dataclass(frozen=True)
class CredentialFilter:
    """``recipient_lookup``: an email's or username's lookup hash; ``recipient_id``: a DID or
    URL recipient (``credentialSubject.id``). ``services.recipient_search`` sets either from
    what a person typed."""

    achievement_id: uuid.UUID | None = None
    recipient_lookup: str | None = None
    state: State | None = None
    issued_from: datetime | None = None
    issued_to: datetime | None = None
    recipient_id: str | None = None


# How ``issuance`` writes a DID or URL recipient into the stored document (compact JSON, the
# subject's ``type`` first, then its ``id``): DID and URL credentials keep no lookup hash.
_SUBJECT_ID = '"credentialSubject":{"type":["AchievementSubject"],"id":'


def state_of(credential: Credential, now: datetime) -> State:
    """The credential's state at ``now`` (domain.credential_state)."""
    return credential_state(
        revoked_at=credential.revoked_at,
        suspended_at=credential.suspended_at,
        valid_from=credential.valid_from,
        valid_until=credential.valid_until,
        now=now,
    )


def state_clause(state: State, now: datetime) -> ColumnElement[bool]:
    """The SQL twin of ``state_of``: its condition and none of those above it in
    ``PRECEDENCE`` (``active``: none at all). Never NULL, so ``NOT`` is safe."""
    holds: dict[State, ColumnElement[bool]] = {
        "revoked": Credential.revoked_at.is_not(None),
        "suspended": Credential.suspended_at.is_not(None),
        "expired": and_(Credential.valid_until.is_not(None), Credential.valid_until <= now),
        "not_yet_valid": Credential.valid_from > now,
    }
    above = PRECEDENCE[: PRECEDENCE.index(state)] if state in PRECEDENCE else PRECEDENCE
    own = [holds[state]] if state in PRECEDENCE else []
    return and_(*own, *(not_(holds[other]) for other in above))


def find_credential(session: Session, credential_id: uuid.UUID) -> Credential | None:
    return session.get(Credential, credential_id)


def get_credential(session: Session, issuer: Issuer, credential_id: uuid.UUID) -> Credential:
    return get_owned(session, Credential, credential_id, issuer)


def list_credentials(
    session: Session,
    issuer: Issuer,
    where: CredentialFilter,
    *,
    limit: int,
    offset: int,
    now: datetime,
) -> tuple[list[Credential], int]:
    query = _filtered(select(Credential).where(Credential.issuer_id == issuer.id), where, now)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(Credential.issued_at.desc(), Credential.id).limit(limit).offset(offset)
    return list(session.scalars(page)), total


# A recipient still holds a credential valid from a later date (skipExisting, the warning).
HELD: tuple[State, ...] = ("active", "not_yet_valid")


def active_holders(
    session: Session,
    issuer: Issuer,
    achievement: Achievement,
    lookups: Collection[str],
    *,
    now: datetime,
) -> dict[str, uuid.UUID]:
    """recipient lookup hash → the newest credential of ``achievement`` issued by ``issuer``
    that it holds at ``now`` (``HELD``). A shared achievement's holders from other issuers
    are theirs, not this issuer's."""
    found: dict[str, uuid.UUID] = {}
    wanted = sorted(lookups)
    for start in range(0, len(wanted), 500):  # bound the IN list
        chunk = wanted[start : start + 500]
        query = _filtered(
            select(Credential)
            .options(load_only(Credential.id, Credential.recipient_lookup))
            .where(Credential.issuer_id == issuer.id)
            .where(Credential.recipient_lookup.in_(chunk)),
            CredentialFilter(achievement_id=achievement.id),
            now,
        ).where(or_(*(state_clause(s, now) for s in HELD)))
        for credential in session.scalars(query.order_by(Credential.issued_at)):
            found[str(credential.recipient_lookup)] = credential.id
    return found


def _filtered(
    query: Select[Credential], where: CredentialFilter, now: datetime
) -> Select[Credential]:
    """``query`` narrowed by ``where``; its ``state`` is judged at ``now``."""
    if where.achievement_id:
        query = query.where(Credential.achievement_id == where.achievement_id)
    if where.recipient_lookup:
        query = query.where(Credential.recipient_lookup == where.recipient_lookup)
    if where.recipient_id:
        needle = _SUBJECT_ID + json.dumps(where.recipient_id, ensure_ascii=False)
        query = query.where(
            Credential.recipient_type.in_(("did", "url")),
            Credential.document.contains(needle, autoescape=True),
        )
    if where.issued_from:
        query = query.where(Credential.issued_at >= where.issued_from)
    if where.issued_to:
        query = query.where(Credential.issued_at < where.issued_to)
    if where.state is not None:
        query = query.where(state_clause(where.state, now))
    return query


def _allocation(session: Session, credential: Credential, purpose: str) -> StatusList | None:
    query = (
        select(StatusList)
        .join(StatusAllocation, StatusAllocation.status_list_id == StatusList.id)
        .where(StatusAllocation.credential_id == credential.id, StatusList.purpose == purpose)
    )
    return session.scalar(query)


def revoke(
    session: Session,
    credential: Credential,
    reason: str | None,
    *,
    actor: str,
    now: datetime,
    signer: status_lists.ListSigner,
) -> Credential:
    """Final: the revocation bit is set and never cleared; the list is re-signed now."""
    if credential.revoked_at is None:
        credential.revoked_at, credential.revocation_reason = now, reason
        _changed(session, credential, "revocation", "credential.revoked", actor, signer, reason)
    return credential


def suspend(
    session: Session,
    credential: Credential,
    reason: str | None,
    *,
    actor: str,
    now: datetime,
    signer: status_lists.ListSigner,
) -> Credential:
    if credential.revoked_at is not None:
        raise CredentialRevokedError()
    if credential.suspended_at is None:
        credential.suspended_at, credential.suspension_reason = now, reason
        _changed(session, credential, "suspension", "credential.suspended", actor, signer, reason)
    return credential


def unsuspend(
    session: Session, credential: Credential, *, actor: str, signer: status_lists.ListSigner
) -> Credential:
    if credential.revoked_at is not None:
        raise CredentialRevokedError()
    if credential.suspended_at is not None:
        credential.suspended_at, credential.suspension_reason = None, None
        _changed(session, credential, "suspension", "credential.unsuspended", actor, signer, None)
    return credential


def _changed(
    session: Session,
    credential: Credential,
    purpose: str,
    action: str,
    actor: str,
    signer: status_lists.ListSigner,
    reason: str | None,
) -> None:
    status_list = _allocation(session, credential, purpose)
    if status_list is None:
        raise CredentialNotSuspendableError(
            "This credential was issued without a suspension entry; revoke it instead."
        )
    session.flush()  # the credential's new state, before the list reads its bits
    issuer = session.get_one(Issuer, credential.issuer_id)
    status_lists.changed(session, issuer, status_list.id, signer)
    record_event(
        session,
        action=action,
        actor=actor,
        subject_type="credential",
        subject_id=str(credential.id),
        issuer_id=credential.issuer_id,
        details={"reason": reason} if reason else {},
    )
    session.flush()
