"""Endorsements: an issuer's signed EndorsementCredential about an achievement, an issuer's
Profile, a credential or anything with an IRI; look-up, listing, revocation, and the
endorsements that the public Achievement and Profile documents embed.

Issuing follows credentials (DESIGN.md §2): build → status entry → sign (safe mode is part
of signing) → verify our own result → store exactly as signed. ``proof`` is an array (the
strict 1EdTech schema wants one) and the revocation entry comes from the issuer's status list,
so revoking flips its bit there.

See: https://www.imsglobal.org/spec/ob/v3p0/#endorsementcredential
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Endorsement, Issuer, StatusAllocation
from badgeservice.domain.credential import build_status_entry
from badgeservice.domain.endorsement import EndorsementContent, build_endorsement
from badgeservice.domain.urls import (
    achievement_url,
    credential_url,
    endorsement_url,
    status_list_url,
)
from badgeservice.errors import FieldError, NotFoundError, ValidationFailedError
from badgeservice.services import achievements, credentials, issuers, keys, status, status_lists
from badgeservice.services.audit import record_event
from badgeservice.services.issuance import CredentialSelfCheckError, IssueContext
from badgeservice.services.resolution import local_resolver
from badgeservice.services.tenancy import get_owned
from badgeservice.vc import VcError, verify_proofs

MAX_EMBEDDED = 16  # per document: what a verifier checks per credential (vc._endorsements)


@dataclass(frozen=True)
class Target:
    """What is endorsed, as the request names it: ``achievement`` (our achievement's uuid),
    ``profile`` (an issuer's slug), ``credential`` (our credential's uuid) or ``iri``."""

    kind: str
    value: str


@dataclass(frozen=True)
class EndorsementRequest:
    target: Target
    name: str | None = None
    comment: str | None = None
    description: str | None = None
    valid_until: datetime | None = None


def resolve_target(session: Session, base_url: str, target: Target) -> str:
    """The endorsed thing's public id, exactly as its own document says it (an Achievement's
    URL, a Profile's DID, a credential's URL); NotFoundError for an unknown one of ours."""
    if target.kind == "iri":
        return target.value
    if target.kind == "profile":
        return issuers.get_issuer(session, target.value).did
    found_id = uuid.UUID(target.value)
    if target.kind == "achievement":
        achievement = achievements.find_public_achievement(session, found_id)
        if achievement is not None:
            return achievement_url(base_url, achievement.id)
    elif target.kind == "credential":
        credential = credentials.find_credential(session, found_id)
        if credential is not None:
            return credential_url(base_url, credential.id)
    raise NotFoundError(f"The {target.kind} {target.value} to endorse was not found.")


def issue_endorsement(
    session: Session, issuer: Issuer, request: EndorsementRequest, context: IssueContext
) -> Endorsement:
    now = context.now.replace(microsecond=0)
    if request.valid_until is not None and request.valid_until <= now:
        raise ValidationFailedError(
            errors=[FieldError("/body/validUntil", "validUntil must be in the future")]
        )
    subject_id = resolve_target(session, context.base_url, request.target)
    endorsement_id = uuid.uuid4()
    status_list, index = status.allocate_index(session, issuer, "revocation")
    signer = status_lists.ListSigner(context.base_url, context.key_store, context.now)
    status_lists.ensure_signed(session, issuer, status_list, signer)
    list_url = status_list_url(context.base_url, issuer.slug, status_list.id)
    content = EndorsementContent(
        url=endorsement_url(context.base_url, endorsement_id),
        issuer=issuers.profile(issuer),
        subject_id=subject_id,
        name=request.name or f"Endorsement by {issuer.name}",
        valid_from=now,
        comment=request.comment,
        description=request.description,
        valid_until=request.valid_until,
        status=build_status_entry(list_url, index, "revocation"),
    )
    signed = sign_checked(session, issuer, build_endorsement(content), context, now)
    document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    endorsement = Endorsement(
        id=endorsement_id,
        issuer_id=issuer.id,
        subject_kind=request.target.kind,
        subject_id=subject_id,
        name=content.name,
        document=document,
        sha256=hashlib.sha256(document.encode()).hexdigest(),
        issued_at=now,
        valid_from=now,
        valid_until=request.valid_until,
    )
    session.add(endorsement)
    session.flush()
    status.bind_indexes(session, endorsement.id, [(status_list, index)], holder="endorsement")
    _audit(session, endorsement, "endorsement.issued", context.actor, {"subject": subject_id})
    return endorsement


def sign_checked(
    session: Session,
    issuer: Issuer,
    unsigned: dict[str, Any],
    context: IssueContext,
    now: datetime,
    what: str = "endorsement",
) -> dict[str, Any]:
    """Sign a document that is not an issued credential (an endorsement, a CLR) with the
    issuer's Data Integrity key, then verify the result with our published keys; ``proof`` as
    a one-element array (1EdTech's strict schema requires arrays)."""
    try:
        signed = keys.sign_data_integrity(session, issuer, unsigned, context.key_store, now=now)
    except VcError as exc:
        raise ValidationFailedError(f"The {what} cannot be signed: {exc.message}") from exc
    results = verify_proofs(signed, local_resolver(session, context.base_url), now=now)
    if not results or not all(r.ok for r in results):
        raise CredentialSelfCheckError("; ".join(r.message for r in results))
    return signed


def find_endorsement(session: Session, endorsement_id: uuid.UUID) -> Endorsement | None:
    return session.get(Endorsement, endorsement_id)


def get_endorsement(session: Session, issuer: Issuer, endorsement_id: uuid.UUID) -> Endorsement:
    return get_owned(session, Endorsement, endorsement_id, issuer)


def list_endorsements(
    session: Session, issuer: Issuer, *, limit: int, offset: int
) -> tuple[list[Endorsement], int]:
    where = Endorsement.issuer_id == issuer.id
    total = session.scalar(select(func.count()).select_from(Endorsement).where(where)) or 0
    query = (
        select(Endorsement)
        .where(where)
        .order_by(Endorsement.issued_at.desc(), Endorsement.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query)), total


def revoke_endorsement(
    session: Session,
    endorsement: Endorsement,
    reason: str | None,
    *,
    actor: str,
    now: datetime,
    signer: status_lists.ListSigner,
) -> Endorsement:
    """Final, like a credential's revocation: its status bit is set and never cleared; the
    list is re-signed now."""
    if endorsement.revoked_at is not None:
        return endorsement
    endorsement.revoked_at, endorsement.revocation_reason = now, reason
    session.flush()
    list_ids = session.scalars(
        select(StatusAllocation.status_list_id).where(
            StatusAllocation.endorsement_id == endorsement.id
        )
    )
    issuer = session.get_one(Issuer, endorsement.issuer_id)
    for list_id in list(list_ids):
        status_lists.changed(session, issuer, list_id, signer)
    _audit(session, endorsement, "endorsement.revoked", actor, {"reason": reason} if reason else {})
    session.flush()
    return endorsement


def embedded_endorsements(
    session: Session, subject_id: str, *, now: datetime
) -> list[dict[str, Any]]:
    """The signed endorsements of ``subject_id`` that are neither revoked nor expired at
    ``now``, newest first, at most :data:`MAX_EMBEDDED`: what its public document carries in
    ``endorsement``.

    See: https://www.imsglobal.org/spec/ob/v3p0/#achievement
    """
    query = (
        select(Endorsement.document)
        .where(
            Endorsement.subject_id == subject_id,
            Endorsement.revoked_at.is_(None),
            or_(Endorsement.valid_until.is_(None), Endorsement.valid_until > now),
        )
        .order_by(Endorsement.issued_at.desc(), Endorsement.id)
        .limit(MAX_EMBEDDED)
    )
    return [json.loads(document) for document in session.scalars(query)]


def _audit(
    session: Session,
    endorsement: Endorsement,
    action: str,
    actor: str,
    details: dict[str, Any],
) -> None:
    record_event(
        session,
        action=action,
        actor=actor,
        subject_type="endorsement",
        subject_id=str(endorsement.id),
        issuer_id=endorsement.issuer_id,
        details=details,
    )
