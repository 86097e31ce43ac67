"""Bodies of the credential and batch endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from badgeservice.api.schemas.common import ApiModel, HttpUrl
from badgeservice.domain.recipient import RecipientError, normalize_email

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
DID_PATTERN = r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$"
Did = Annotated[str, StringConstraints(pattern=DID_PATTERN, max_length=2048)]
ResultStatus = Literal[
    "Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"
]


class RecipientIn(ApiModel):
    """Exactly one of ``email`` (published only as a salted hash), ``did`` or ``url``."""

    email: str | None = Field(default=None, examples=["learner@example.org"])
    did: Did | None = None
    url: HttpUrl | None = None
    name: ShortText | None = Field(default=None, description="Shown on the credential.")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_email(value)
        except RecipientError as exc:
            raise ValueError(str(exc)) from exc

    @model_validator(mode="after")
    def _exactly_one(self) -> RecipientIn:
        given = [k for k in ("email", "did", "url") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of email, did or url")
        return self


class EvidenceIn(ApiModel):
    id: HttpUrl | None = Field(default=None, description="A URL showing the work.")
    name: ShortText | None = None
    description: LongText | None = None
    narrative: LongText | None = None
    genre: ShortText | None = None
    audience: ShortText | None = None


class ResultIn(ApiModel):
    result_description: str | None = Field(default=None, description="id of a ResultDescription")
    value: ShortText | None = None
    status: ResultStatus | None = None
    achieved_level: HttpUrl | None = None


class IssueOptions(ApiModel):
    """What every credential of a request or batch shares."""

    valid_from: datetime | None = Field(default=None, description="Default: now.")
    valid_until: datetime | None = None
    format: Literal["ldp", "jwt"] = Field(
        default="ldp", description="ldp: eddsa-rdfc-2022 Data Integrity proof; jwt: VC-JWT."
    )
    language: str | None = Field(default=None, description="Achievement language; default one.")

    @model_validator(mode="after")
    def _dates(self) -> IssueOptions:
        for name in ("valid_from", "valid_until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a time zone (e.g. 'Z')")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("validUntil must be after validFrom")
        return self


class IssueIn(IssueOptions):
    achievement_id: uuid.UUID
    recipient: RecipientIn
    narrative: LongText | None = None
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    results: list[ResultIn] = Field(default_factory=list, max_length=50)
    suspendable: bool = Field(
        default=False,
        description="Also add a suspension status entry. OB 3.0 allows one credentialStatus, "
        "so such a credential carries an array and fails 1EdTech's strict schema.",
    )


class CredentialOut(ApiModel):
    id: uuid.UUID
    issuer: str
    achievement_id: uuid.UUID
    format: str
    url: str = Field(description="Public page and JSON-LD (content negotiation).")
    json_url: str
    jwt_url: str | None
    credential: dict[str, Any] = Field(description="The signed credential, as stored.")
    jwt: str | None = None
    issued_at: datetime
    revoked: bool
    suspended: bool


class RowIn(ApiModel):
    """One recipient of a batch, with what is particular to them."""

    recipient: RecipientIn
    narrative: LongText | None = None
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    results: list[ResultIn] = Field(default_factory=list, max_length=50)


class BatchQuery(IssueOptions):
    """The batch fields as query parameters, for a CSV body."""

    achievement_id: uuid.UUID | None = None
    suspendable: bool = False


class BatchIn(IssueOptions):
    achievement_id: uuid.UUID
    suspendable: bool = False
    recipients: list[dict[str, Any]] = Field(
        min_length=1, description="Rows, each checked on its own (see RowIn)."
    )


class BatchItemOut(ApiModel):
    row: int
    status: str = Field(description="pending, done or error")
    credential_id: uuid.UUID | None = None
    credential_url: str | None = None
    error: dict[str, Any] | None = None


class BatchOut(ApiModel):
    id: uuid.UUID
    url: str
    achievement_id: uuid.UUID
    total: int
    pending: int
    done: int
    error: int
    finished: bool
    created_at: datetime
    items: list[BatchItemOut]
