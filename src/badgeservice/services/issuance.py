"""Issuing one credential (DESIGN.md §2): build → safe mode → status entries → sign → verify
our own result → store exactly as signed. A credential failing any step is never stored."""

from __future__ import annotations

import hashlib
import json
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Credential, Issuer, StatusList
from badgeservice.domain.achievement import (
    AchievementDefinition,
    achievement_languages,
    build_achievement,
)
from badgeservice.domain.credential import CredentialContent, build_credential, build_status_entry
from badgeservice.domain.languages import LanguageTagError, match_language, normalize_language
from badgeservice.domain.recipient import (
    HASHED_KINDS,
    Recipient,
    RecipientKind,
    normalize_email,
    normalize_username,
)
from badgeservice.domain.urls import credential_url, status_list_url
from badgeservice.errors import FieldError, ServiceError, ValidationFailedError
from badgeservice.services import (
    achievements,
    credential_alignments,
    credentials,
    keys,
    pack_awards,
    status,
    status_lists,
)
from badgeservice.services.audit import record_event
from badgeservice.services.issuers import profile
from badgeservice.services.keystore import KeyStore
from badgeservice.services.resolution import LocalDocuments
from badgeservice.vc import (
    ReportWarning,
    VcError,
    check_safe_mode,
    parse_datetime,
    sign_jwt,
    verify_jwt,
    verify_proofs,
)


class CredentialSelfCheckError(ServiceError):
    code, title = "credential_self_check_failed", "The signed credential did not verify"


class LanguageNotOfferedError(ValidationFailedError):
    code, title = "language_not_offered", "The achievement has no text in this language"


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


def held_warning(credential_id: uuid.UUID) -> ReportWarning:
    """A recipient already holds an active credential of the achievement: one more is not
    wrong (a re-run workshop), but is often a re-sent upload."""
    return ReportWarning(
        "recipient_has_credential",
        f"The recipient already holds an active credential of this achievement ({credential_id}).",
    )


def find_held(
    session: Session,
    key_store: KeyStore,
    issuer: Issuer,
    achievement: Achievement,
    recipient: Recipient,
    *,
    now: datetime,
) -> uuid.UUID | None:
    """An active credential of ``achievement`` an email or username recipient holds at
    ``now`` (the newest); ``None`` for DID and URL recipients (their credentials carry no
    lookup hash)."""
    lookup = recipient_lookup(key_store, recipient)
    if lookup is None:
        return None
    return credentials.active_holders(session, issuer, achievement, {lookup}, now=now).get(lookup)


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
    # given when the email or username is already hashed (batch rows)
    recipient_lookup: str | None = None


@dataclass(frozen=True)
class IssueContext:
    """Who issues, for which site, with which keys, and when: ``now`` is the one moment of
    the issuing (``issued_at``, the default ``validFrom``, the proof's ``created``, the JWT's
    ``iat``/``nbf`` and the self-check's time)."""

    base_url: str
    key_store: KeyStore
    actor: str
    now: datetime


def request_from_fields(fields: dict[str, Any]) -> IssueRequest:
    """An IssueRequest from validated wire fields (camelCase, JSON types): one API request,
    or one batch row merged with the batch's options."""
    recipient = fields["recipient"]
    return IssueRequest(
        recipient=_recipient(recipient),
        recipient_lookup=recipient.get("lookup"),
        format=fields.get("format", "ldp"),
        valid_from=_parse_time(fields.get("validFrom")),
        valid_until=_parse_time(fields.get("validUntil")),
        language=fields.get("language"),
        narrative=fields.get("narrative"),
        evidence=fields.get("evidence", []),
        results=fields.get("results", []),
        suspendable=fields.get("suspendable", False),
    )


# Wire member → kind (the API's camelCase); a kept row names its hashed kind in ``kind``.
WIRE_KINDS: dict[str, RecipientKind] = {
    "email": "email",
    "did": "did",
    "url": "url",
    "wikimediaUsername": "wikimedia_username",
}


def _recipient(fields: dict[str, Any]) -> Recipient:
    """A wire recipient: ``email``/``did``/``url``/``wikimediaUsername``, or an email or
    username kept hashed (``identityHash``, ``salt`` and ``kind``, see ``stored_recipient``;
    rows kept before usernames existed have no ``kind``: emails)."""
    if "identityHash" in fields:
        kind: RecipientKind = next((k for k in HASHED_KINDS if k == fields.get("kind")), "email")
        return Recipient(kind, fields["identityHash"], fields.get("name"), fields["salt"])
    member = next(k for k in WIRE_KINDS if k in fields)
    return Recipient(WIRE_KINDS[member], str(fields[member]), fields.get("name"))


def stored_recipient(key_store: KeyStore, fields: dict[str, Any]) -> dict[str, Any]:
    """A validated wire recipient in the form to keep until it is issued: an email or a
    username becomes what an issued credential keeps of it (its salted IdentityHash, and the
    keyed lookup hash of ``recipient_lookup``), never the value itself. The inverse of
    ``_recipient``."""
    recipient = _recipient(fields)
    if recipient.kind not in HASHED_KINDS or recipient.hashed:
        return fields
    hashed = recipient.with_hashed_email()
    kept: dict[str, Any] = {"identityHash": hashed.value, "salt": hashed.salt}
    if recipient.kind != "email":
        kept["kind"] = recipient.kind
    kept["lookup"] = recipient_lookup(key_store, recipient)
    return kept | ({"name": recipient.name} if recipient.name else {})


def check_language(achievement: Achievement, language: str | None, pointer: str) -> str | None:
    """The achievement's language tag that serves ``language`` (``de`` for ``de-CH``), or a
    422 naming the languages it has: a credential never silently falls back to another
    language. ``None`` (no language asked) means the default language."""
    if language is None:
        return None
    offered = achievement_languages(achievement.default_language, achievement.name)
    try:
        matched = match_language(offered, normalize_language(language))
    except LanguageTagError:
        matched = None
    if matched is None:
        message = (
            f"'{language}' is not a language of this achievement; use one of {', '.join(offered)}"
        )
        raise LanguageNotOfferedError(message + ".", errors=[FieldError(pointer, message)])
    return matched


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def issue_credential(
    session: Session,
    issuer: Issuer,
    achievement: Achievement,
    request: IssueRequest,
    context: IssueContext,
) -> Credential:
    now = context.now.replace(microsecond=0)
    valid_from = request.valid_from or now
    if request.valid_until is not None and request.valid_until <= valid_from:
        raise ValidationFailedError(
            errors=[FieldError("/body/validUntil", "validUntil must be after validFrom")]
        )
    language = check_language(achievement, request.language, "/body/language")
    request = replace(request, language=language)
    credential_id = uuid.uuid4()
    purposes = ["revocation", "suspension"] if request.suspendable else ["revocation"]
    allocations = _allocate(session, issuer, purposes, context)
    entries = [
        build_status_entry(status_list_url(context.base_url, issuer.slug, lst.id), index, purpose)
        for (lst, index), purpose in zip(allocations, purposes, strict=True)
    ]
    unsigned = _build(issuer, achievement, request, context, credential_id, valid_from)
    # OB 3.0 allows one credentialStatus (and 1EdTech's schema wants an object); a second,
    # suspension entry is VC 2.0 and OB 3.1-proposal territory, so only on request.
    unsigned["credentialStatus"] = entries if request.suspendable else entries[0]
    signed, jwt = _sign(session, issuer, unsigned, request.format, replace(context, now=now))
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
        recipient_lookup=request.recipient_lookup
        or recipient_lookup(context.key_store, request.recipient),
        recipient_name=request.recipient.name,
        language=signed["credentialSubject"]["achievement"]["inLanguage"],
        issued_at=now,
        valid_from=valid_from,
        valid_until=request.valid_until,
    )
    session.add(credential)
    session.flush()
    status.bind_indexes(session, credential.id, allocations)
    credential_alignments.record(session, credential.id, signed)
    record_event(
        session,
        action="credential.issued",
        actor=context.actor,
        subject_type="credential",
        subject_id=str(credential.id),
        issuer_id=issuer.id,
        details={"achievement": str(achievement.id), "format": request.format},
    )
    # The one call site for every issuing path (single, batch rows, events, pack awards).
    pack_awards.after_issue(session, issuer, credential, replace(context, now=now))
    return credential


def _allocate(
    session: Session, issuer: Issuer, purposes: list[str], context: IssueContext
) -> list[tuple[StatusList, int]]:
    """A status index per purpose. A list just opened is signed here, once (its bits are all
    0); a new index changes no bit, so issuing into a signed list signs nothing."""
    allocations = [status.allocate_index(session, issuer, purpose) for purpose in purposes]
    signer = status_lists.ListSigner(context.base_url, context.key_store, context.now)
    for status_list, _index in allocations:
        status_lists.ensure_signed(session, issuer, status_list, signer)
    return allocations


def _build(
    issuer: Issuer,
    achievement: Achievement,
    request: IssueRequest,
    context: IssueContext,
    credential_id: uuid.UUID,
    valid_from: datetime,
) -> dict[str, Any]:
    definition = achievements.definition(achievement, context.base_url)
    url = credential_url(context.base_url, credential_id)
    return unsigned_credential(issuer, definition, request, url, valid_from)


def unsigned_credential(
    issuer: Issuer,
    definition: AchievementDefinition,
    request: IssueRequest,
    url: str,
    valid_from: datetime,
) -> dict[str, Any]:
    """The credential as it goes to be signed, before its status entries (an issue, or the
    preview of an achievement not saved yet)."""
    content = CredentialContent(
        url=url,
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


def _within_validity(unsigned: dict[str, Any], now: datetime) -> datetime:
    """A moment the credential is valid at, for the VC-JWT self-check (its ``nbf``/``exp`` are
    ``validFrom``/``validUntil``): the signing time, or ``validFrom`` when that is later, or
    the last second before ``validUntil`` when that has passed. What the self-check proves is
    the signature and our published keys; a credential valid from next month is no error."""
    valid_from = parse_datetime(unsigned.get("validFrom"))
    valid_until = parse_datetime(unsigned.get("validUntil"))
    moment = max(now, valid_from) if valid_from is not None else now
    if valid_until is not None:
        moment = min(moment, valid_until - timedelta(seconds=1))
    return moment


def _sign(
    session: Session,
    issuer: Issuer,
    unsigned: dict[str, Any],
    fmt: str,
    context: IssueContext,
) -> tuple[dict[str, Any], str | None]:
    documents = LocalDocuments(lambda: nullcontext(session), context.base_url)
    resolver = documents.resolver()
    if fmt == "jwt":
        token = _sign_jwt(session, issuer, unsigned, context)
        try:  # the self-check: our own verifier, our published keys, within the validity
            verify_jwt(
                token,
                lambda kid, _header: resolver.resolve_verification_method(kid)[1],
                now=_within_validity(unsigned, context.now),
            )
        except VcError as exc:
            documents.database_errors.raise_first()  # a dropped database is no failed check
            raise CredentialSelfCheckError(exc.message) from exc
        return unsigned, token
    try:
        # Safe mode is part of the signing transformation: one JSON-LD expansion, not two.
        signed = keys.sign_data_integrity(
            session, issuer, unsigned, context.key_store, now=context.now
        )
    except VcError as exc:
        raise ValidationFailedError(f"The credential cannot be signed: {exc.message}") from exc
    results = verify_proofs(signed, resolver, now=context.now)
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
        return sign_jwt(unsigned, key, vm_id, now=context.now)
    except VcError as exc:
        raise ValidationFailedError(f"The credential cannot be signed: {exc.message}") from exc


USERNAME_LOOKUP_PREFIX = "wikimedia-username:"


def recipient_lookup(key_store: KeyStore, recipient: Recipient) -> str | None:
    """``credentials.recipient_lookup``: a keyed hash of the normalised email, or of
    ``wikimedia-username:`` + the normalised username (prefixed, so it never equals an email's),
    so an issuer and a signed-in learner find credentials without the value being stored.
    ``None`` for DID and URL recipients (and for a value hashed already: its lookup was
    computed then, see ``stored_recipient``). The one rule: sign-in, the backpack and mail
    call this (or ``lookup_of``), never their own."""
    if recipient.kind not in HASHED_KINDS or recipient.hashed:
        return None
    return lookup_of(key_store, recipient.kind, recipient.value)


def lookup_of(key_store: KeyStore, kind: RecipientKind, value: str) -> str:
    """The lookup hash of an email or a Wikimedia username (normalised here)."""
    if kind == "email":
        return key_store.lookup_hash(normalize_email(value))
    if kind == "wikimedia_username":
        return key_store.lookup_hash(USERNAME_LOOKUP_PREFIX + normalize_username(value))
    raise ValueError(f"{kind} recipients have no lookup hash")
