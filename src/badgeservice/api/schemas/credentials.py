"""Bodies of the credentials and batches endpoints: the answers here, the inputs in
``http/credential_bodies.py`` (shared with the console's forms)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from badgeservice.api.schemas.common import ApiModel, WarningOut
from badgeservice.domain.credential_state import State
from badgeservice.http.credential_bodies import (
    DID_PATTERN,
    NOTIFY,
    SKIP_EXISTING,
    SUSPENDABLE,
    WIKIMEDIA_USERNAME,
    BatchIn,
    BatchQuery,
    Did,
    EvidenceIn,
    IssueIn,
    IssueOptions,
    LongText,
    RecipientIn,
    ResendMailIn,
    ResultIn,
    ResultStatus,
    RowIn,
    ShortText,
    StatusChangeIn,
    check_csv,
    check_row,
    csv_batch_fields,
)

__all__ = [
    "DID_PATTERN",
    "NOTIFY",
    "SKIP_EXISTING",
    "SUSPENDABLE",
    "WARNINGS",
    "WIKIMEDIA_USERNAME",
    "BatchIn",
    "BatchItemOut",
    "BatchOut",
    "BatchPreviewOut",
    "BatchQuery",
    "BatchSummaryOut",
    "CredentialOut",
    "Did",
    "EvidenceIn",
    "IssueIn",
    "IssueOptions",
    "LongText",
    "PreviewRowOut",
    "RecipientIn",
    "ResendMailIn",
    "ResendMailOut",
    "ResultIn",
    "ResultStatus",
    "RowIn",
    "ShortText",
    "StatusChangeIn",
    "check_csv",
    "check_row",
    "csv_batch_fields",
]


WARNINGS = "What the issuer should know about the credential as issued; empty when none."


class CredentialOut(ApiModel):
    id: uuid.UUID
    issuer: str
    achievement_id: uuid.UUID
    format: str = Field(description="ldp (signed JSON-LD) or jwt (signed VC-JWT).")
    url: str = Field(
        description="Public page, and the signed credential by content negotiation: the JSON-LD "
        "for format ldp, the VC-JWT (text/plain, or application/vc+jwt when asked) for jwt."
    )
    json_url: str | None = Field(
        description="The signed JSON-LD (format ldp); null for jwt, whose URLs serve the JWT."
    )
    jwt_url: str | None = Field(description="The signed VC-JWT (format jwt); else null.")
    credential: dict[str, Any] = Field(
        description="The credential as stored. For ldp this is the signed credential (with "
        "`proof`). For jwt it is the JWT's payload without its registered claims: readable, "
        "but unsigned; the signed form is `jwt`."
    )
    jwt: str | None = Field(
        default=None, description="For jwt: the signed credential (compact JWS); else null."
    )
    issued_at: datetime
    revoked: bool
    suspended: bool
    state: State = Field(
        description="Now: revoked, suspended, expired, not_yet_valid or active (the first "
        "that holds, in that order)."
    )
    warnings: list[WarningOut] = Field(default_factory=list, description=WARNINGS)


class BatchItemOut(ApiModel):
    row: int
    status: Literal["pending", "done", "skipped", "error"] = Field(
        description="skipped: the recipient already held the credential (see skipExisting)"
    )
    credential_id: uuid.UUID | None = Field(
        default=None, description="The issued credential; for skipped rows the existing one."
    )
    credential_url: str | None = None
    error: dict[str, Any] | None = None
    warnings: list[WarningOut] = Field(
        default_factory=list,
        description="About the row (duplicate_recipient, recipient_has_credential) and the "
        "credential as issued; empty when none.",
    )


class BatchSummaryOut(ApiModel):
    id: uuid.UUID
    url: str
    achievement_id: uuid.UUID
    status: Literal["pending", "finished"]
    total: int
    pending: int
    done: int
    skipped: int
    error: int
    finished: bool
    created_at: datetime
    warnings: list[WarningOut] = Field(
        default_factory=list, description="About the upload (csv_columns_ignored)."
    )


class BatchOut(BatchSummaryOut):
    items: list[BatchItemOut]


class PreviewRowOut(ApiModel):
    row: int
    recipient: str = Field(description="As uploaded: the email, username, DID or URL.")
    name: str | None = None
    status: Literal["ok", "warning", "error"]
    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="Why the row would not be issued (pointer, code)."
    )
    warnings: list[dict[str, Any]] = Field(
        default_factory=list,
        description="duplicate_recipient, recipient_has_credential; the row would be issued "
        "(or, with skipExisting, skipped).",
    )


class BatchPreviewOut(ApiModel):
    """What a batch would be (`dryRun=true`): nothing is issued or stored."""

    dry_run: Literal[True] = True
    total: int
    valid: int
    invalid: int
    warnings: int = Field(description="Rows with warnings (counted in `valid` too).")
    upload_warnings: list[WarningOut] = Field(
        default_factory=list, description="About the upload (csv_columns_ignored)."
    )
    rows: list[PreviewRowOut]


class ResendMailOut(ApiModel):
    credential_id: uuid.UUID
    sent_to: Literal["email", "account"] = Field(
        description="`email`: the address given; `account`: the recipient's account address "
        "(never shown)."
    )
