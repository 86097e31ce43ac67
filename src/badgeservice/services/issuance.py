"""Issuing one credential (DESIGN.md §2): build → safe mode → status entries → sign → verify
our own result → store exactly as signed. A credential failing any step is never stored."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.base import utcnow
from badgeservice.db.models import Achievement, Credential, Issuer
from badgeservice.domain.achievement import build_achievement
from badgeservice.domain.credential import CredentialContent, build_credential, build_status_entry
from badgeservice.domain.recipient import KINDS, Recipient, normalize_email
from badgeservice.errors import FieldError, ServiceError, ValidationFailedError
from badgeservice.services import achievements, keys, status, status_lists
from badgeservice.services.audit import record_event
from badgeservice.services.issuers import profile
from badgeservice.services.keystore import KeyStore
from badgeservice.services.resolution import LocalDocuments
from badgeservice.vc import ReportWarning
from badgeservice.vc.errors import VcError
from badgeservice.vc.jwt import sign_jwt, verify_jwt
from badgeservice.vc.proofs import verify_proofs
from badgeservice.vc.safemode import check_safe_mode


class CredentialSelfCheckError(ServiceError):
    code, title = "credential_self_check_failed", "The signed credential did not verify"


STATUS_ARRAY_WARNING = ReportWarning(
    "credential_status_array",
    "This credential can be suspended, so it carries two credentialStatus entries (an array). "
    "VC 2.0 allows that, but it fails 1EdTech's strict AchievementCredential JSON Schema, "
    "which wants one credentialStatus object; 1EdTech's validator will report it.",
)


def issue_warnings(*, suspendable: bool) -> tuple[ReportWarning, ...]:
    """What the issuer should know about a credential as issued, without it being an error:
    a suspendable credential's status array fails 1EdTech's strict schema.

    See: https://www.imsglobal.org/spec/ob/v3p0/#credentialstatus
    """
    return (STATUS_ARRAY_WARNING,) if suspendable else ()


def credential_warnings(document: dict[str, Any]) -> tuple[ReportWarning, ...]:
    """``issue_warnings`` of a stored credential, read from its shape."""
    return issue_warnings(suspendable=isinstance(document.get("credentialStatus"), list))


@dataclass(frozen=True)
class IssueRequest:
    recipient: Recipient
    format: str = "ldp"
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    language: str | None = None
    narrative: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    suspendable: bool = False


@dataclass(frozen=True)
class IssueContext:
    base_url: str
    key_store: KeyStore
    actor: str


def request_from_fields(fields: dict[str, Any]) -> IssueRequest:
    """An IssueRequest from validated wire fields (camelCase, JSON types): one API request,
    or one batch row merged with the batch's options."""
    recipient = fields["recipient"]
    kind = next(k for k in KINDS if k in recipient)
    return IssueRequest(
        recipient=Recipient(kind, str(recipient[kind]), recipient.get("name")),
        format=fields.get("format", "ldp"),
        valid_from=_parse_time(fields.get("validFrom")),
        valid_until=_parse_time(fields.get("validUntil")),
        language=fields.get("language"),
        narrative=fields.get("narrative"),
        evidence=fields.get("evidence", []),
        results=fields.get("results", []),
        suspendable=fields.get("suspendable", False),
    )


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def credential_url(base_url: str, credential_id: uuid.UUID) -> str:
    return f"{base_url}/credentials/{credential_id}"


def issue_credential(
    session: Session,
    issuer: Issuer,
    achievement: Achievement,
    request: IssueRequest,
    context: IssueContext,
) -> Credential:
    now = utcnow().replace(microsecond=0)
    valid_from = request.valid_from or now
    if request.valid_until is not None and request.valid_until <= valid_from:
        raise ValidationFailedError(
            errors=[FieldError("/body/validUntil", "validUntil must be after validFrom")]
        )
    credential_id = uuid.uuid4()
    purposes = ["revocation", "suspension"] if request.suspendable else ["revocation"]
    allocations = [status.allocate_index(session, issuer, purpose) for purpose in purposes]
    entries = [
        build_status_entry(status_lists.list_url(context.base_url, issuer, lst.id), index, purpose)
        for (lst, index), purpose in zip(allocations, purposes, strict=True)
    ]
    unsigned = _build(issuer, achievement, request, context, credential_id, valid_from)
    # OB 3.0 allows one credentialStatus (and 1EdTech's schema wants an object); a second,
    # suspension entry is VC 2.0 and OB 3.1-proposal territory, so only on request.
    unsigned["credentialStatus"] = entries if request.suspendable else entries[0]
    signed, jwt = _sign(session, issuer, unsigned, request.format, context)
    document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    credential = Credential(
        id=credential_id,
        issuer_id=issuer.id,
        achievement_id=achievement.id,
        achievement_revision=achievement.revision,
        format=request.format,
        document=document,
        jwt=jwt,
        sha256=hashlib.sha256((jwt or document).encode()).hexdigest(),
        recipient_type=request.recipient.kind,
        recipient_lookup=recipient_lookup(context.key_store, request.recipient),
        recipient_name=request.recipient.name,
        language=signed["credentialSubject"]["achievement"]["inLanguage"],
        issued_at=now,
        valid_from=valid_from,
        valid_until=request.valid_until,
    )
    session.add(credential)
    session.flush()
    status.bind_indexes(session, credential.id, allocations)
    record_event(
        session,
        action="credential.issued",
        actor=context.actor,
        subject_type="credential",
        subject_id=str(credential.id),
        issuer_id=issuer.id,
        details={"achievement": str(achievement.id), "format": request.format},
    )
    return credential


def _build(
    issuer: Issuer,
    achievement: Achievement,
    request: IssueRequest,
    context: IssueContext,
    credential_id: uuid.UUID,
    valid_from: datetime,
) -> dict[str, Any]:
    definition = achievements.definition(achievement, context.base_url)
    content = CredentialContent(
        url=credential_url(context.base_url, credential_id),
        issuer=profile(issuer),
        achievement=build_achievement(definition, request.language),
        recipient=request.recipient,
        valid_from=valid_from,
        valid_until=request.valid_until,
        narrative=request.narrative,
        evidence=request.evidence,
        results=request.results,
    )
    return build_credential(content)


def _sign(
    session: Session,
    issuer: Issuer,
    unsigned: dict[str, Any],
    fmt: str,
    context: IssueContext,
) -> tuple[dict[str, Any], str | None]:
    documents = LocalDocuments(session, context.base_url)
    resolver = documents.resolver()
    if fmt == "jwt":
        token = _sign_jwt(session, issuer, unsigned, context)
        try:  # the self-check: our own verifier, our published keys
            verify_jwt(token, lambda kid, _header: resolver.resolve_verification_method(kid)[1])
        except VcError as exc:
            documents.database_errors.raise_first()  # a dropped database is no failed check
            raise CredentialSelfCheckError(exc.message) from exc
        return unsigned, token
    try:
        # Safe mode is part of the signing transformation: one JSON-LD expansion, not two.
        signed = keys.sign_data_integrity(session, issuer, unsigned, context.key_store)
    except VcError as exc:
        raise ValidationFailedError(f"The credential cannot be signed: {exc.message}") from exc
    results = verify_proofs(signed, resolver)
    if not results or not all(r.ok for r in results):
        documents.database_errors.raise_first()
        raise CredentialSelfCheckError("; ".join(r.message for r in results))
    return signed, None


def _sign_jwt(
    session: Session, issuer: Issuer, unsigned: dict[str, Any], context: IssueContext
) -> str:
    try:
        check_safe_mode(unsigned)  # a VC-JWT is never canonicalised, so check it here
        vm_id, key = keys.signing_key(session, issuer, "jwt", context.key_store)
        return sign_jwt(unsigned, key, vm_id)
    except VcError as exc:
        raise ValidationFailedError(f"The credential cannot be signed: {exc.message}") from exc


def recipient_lookup(key_store: KeyStore, recipient: Recipient) -> str | None:
    """A keyed hash of the normalised email, so an issuer can find a learner's credentials
    without the email being stored; ``None`` for DID and URL recipients."""
    if recipient.kind != "email":
        return None
    return key_store.lookup_hash(normalize_email(recipient.value))
