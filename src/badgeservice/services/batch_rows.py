"""What each row of a batch is before anything is stored: the one set of rules that both
``batches.create_batch`` (which stores the rows) and ``preview_batch`` (which only shows them,
never issuing or writing) apply. A row is an error (it failed ``check_row``), carries
warnings (a recipient of an earlier row; a recipient already holding an active credential of
the achievement), or is ok."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Issuer
from badgeservice.domain.recipient import HASHED_KINDS
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.services import achievements, credentials, issuance
from badgeservice.services.keystore import KeyStore
from badgeservice.vc import ReportWarning

MAX_ROWS = 10_000
# Recipient members kept only as hashes (``issuance.stored_recipient``).
HASHED_MEMBERS = tuple(m for m, k in issuance.WIRE_KINDS.items() if k in HASHED_KINDS)
RowStatus = Literal["ok", "warning", "error"]


@dataclass(frozen=True)
class RowCheck:
    """A row after validation: its issue input, or what is wrong with it."""

    input: dict[str, Any] | None
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class BatchFields:
    """A batch request's validated wire fields (camelCase) split into what picks the
    achievement and the rows' handling, and the options every credential shares."""

    achievement_id: uuid.UUID
    options: dict[str, Any]
    skip_existing: bool = False
    notify: bool = True


def split_fields(fields: dict[str, Any]) -> BatchFields:
    options = dict(fields)
    achievement_id = uuid.UUID(str(options.pop("achievementId")))
    skip_existing = bool(options.pop("skipExisting", False))
    notify = bool(options.pop("notify", True))
    return BatchFields(achievement_id, options, skip_existing, notify)


@dataclass(frozen=True)
class RowFinding:
    """What the rules found about one row: its error, its warnings, and the active credential
    of the achievement its recipient already holds."""

    error: dict[str, Any] | None = None
    warnings: list[dict[str, str]] = field(default_factory=list)
    held: uuid.UUID | None = None

    @property
    def status(self) -> RowStatus:
        if self.error is not None:
            return "error"
        return "warning" if self.warnings else "ok"


def check_batch(
    achievement: Achievement, options: dict[str, Any], rows: list[RowCheck], pointer: str
) -> dict[str, Any]:
    """The options with the achievement's language that serves theirs, or a 422 that refuses
    the whole batch (a language it lacks, the error at ``pointer``; no rows; too many)."""
    language = issuance.check_language(achievement, options.get("language"), pointer)
    if not rows:
        raise ValidationFailedError(errors=[FieldError("/body", "the batch has no rows")])
    if len(rows) > MAX_ROWS:
        raise ValidationFailedError(errors=[FieldError("/body", f"more than {MAX_ROWS} rows")])
    return options if language is None else options | {"language": language}


def kept_row(key_store: KeyStore, row: RowCheck) -> RowCheck:
    """The row as stored: a valid row's email or username as its hashes, an invalid row
    without it."""
    recipient = (row.input or {}).get("recipient")
    if not isinstance(recipient, dict) or not any(m in recipient for m in HASHED_MEMBERS):
        return row
    if row.error is not None:
        kept = {k: v for k, v in recipient.items() if k not in HASHED_MEMBERS}
    else:
        kept = issuance.stored_recipient(key_store, recipient)
    return RowCheck({**(row.input or {}), "recipient": kept}, row.error)


def row_findings(
    session: Session, issuer: Issuer, achievement: Achievement, kept: list[RowCheck], now: datetime
) -> list[RowFinding]:
    """Each kept row's finding, in order (one query for the holders of the whole batch)."""
    keys = [None if row.error else _recipient_key(row.input or {}) for row in kept]
    lookups = {key for key in keys if key is not None and not key.startswith(("did:", "url:"))}
    holders = credentials.active_holders(session, issuer, achievement, lookups, now=now)
    first_row: dict[str, int] = {}
    findings = []
    for number, (row, key) in enumerate(zip(kept, keys, strict=True), start=1):
        if row.error is not None or key is None:
            findings.append(RowFinding(error=row.error or _no_recipient()))
            continue
        found = []
        if key in first_row:
            message = f"Same recipient as row {first_row[key]}."
            found.append(ReportWarning("duplicate_recipient", message).to_dict())
        first_row.setdefault(key, number)
        holder = holders.get(key)
        if holder is not None:
            found.append(issuance.held_warning(holder).to_dict())
        findings.append(RowFinding(warnings=found, held=holder))
    return findings


def _no_recipient() -> dict[str, Any]:
    error = FieldError("/recipient", "the row names no recipient", "missing")
    return {"code": "validation_failed", "errors": [error.to_dict()]}


def _recipient_key(row: dict[str, Any]) -> str | None:
    """Who a kept row is for: an email's or username's lookup hash, ``did:…`` or ``url:…``."""
    recipient = row.get("recipient", {})
    if "lookup" in recipient:
        return str(recipient["lookup"])
    if "did" in recipient:
        return str(recipient["did"])
    return f"url:{recipient['url']}" if "url" in recipient else None


@dataclass(frozen=True)
class PreviewRow:
    """One row as the uploader sees it: the recipient in clear (their own upload; never
    logged nor stored), its status, and what the rules found."""

    row: int
    recipient: str
    name: str | None
    status: RowStatus
    errors: list[dict[str, str]]
    warnings: list[dict[str, str]]


@dataclass(frozen=True)
class BatchPreview:
    rows: list[PreviewRow]
    warnings: list[dict[str, str]]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def invalid(self) -> int:
        return sum(row.status == "error" for row in self.rows)

    @property
    def valid(self) -> int:
        return self.total - self.invalid

    @property
    def warned(self) -> int:
        return sum(row.status == "warning" for row in self.rows)


def preview_batch(
    session: Session,
    issuer: Issuer,
    fields: dict[str, Any],
    rows: list[RowCheck],
    *,
    key_store: KeyStore,
    now: datetime,
    warnings: list[dict[str, str]] | None = None,
    language_pointer: str = "/query/language",
) -> BatchPreview:
    """What ``batches.new_batch`` would make of the same request, without issuing or writing
    anything: the same batch checks (a 422 for the whole upload) and the same row findings."""
    split = split_fields(fields)
    achievement = achievements.get_issuable(session, issuer, split.achievement_id)
    check_batch(achievement, split.options, rows, language_pointer)
    kept = [kept_row(key_store, row) for row in rows]
    findings = row_findings(session, issuer, achievement, kept, now)
    shown = [
        _preview_row(number, row, found)
        for number, (row, found) in enumerate(zip(rows, findings, strict=True), start=1)
    ]
    return BatchPreview(shown, list(warnings or []))


def _preview_row(number: int, row: RowCheck, found: RowFinding) -> PreviewRow:
    recipient = (row.input or {}).get("recipient")
    recipient = recipient if isinstance(recipient, dict) else {}
    shown = next((str(recipient[m]) for m in issuance.WIRE_KINDS if m in recipient), "")
    name = recipient.get("name")
    errors = list((found.error or {}).get("errors") or [])
    if found.error is not None and not errors:
        errors = [{"code": found.error.get("code", "invalid"), "pointer": "", "detail": ""}]
    warnings = [w | {"pointer": "/recipient"} for w in found.warnings]
    return PreviewRow(number, shown, str(name) if name else None, found.status, errors, warnings)
