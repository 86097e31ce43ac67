"""The credential, batch and status-change input bodies: what the API reads and what the
console's forms are checked with (``web/`` may not import ``api/``; ``api/schemas/credentials``
re-exports them for the OpenAPI document)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError, field_validator, model_validator

from badgeservice.domain.recipient import RecipientError, normalize_email, normalize_username
from badgeservice.errors import FieldError
from badgeservice.http.bodies import ApiModel, HttpUrl, Moment, validate_body
from badgeservice.services import batches
from badgeservice.services.batch_rows import RowCheck

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
DID_PATTERN = r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$"
Did = Annotated[str, StringConstraints(pattern=DID_PATTERN, max_length=2048)]
ResultStatus = Literal[
    "Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"
]


WIKIMEDIA_USERNAME = (
    "A Wikimedia account's username, published only as a salted hash (`identityType: "
    "userName`). Normalised as MediaWiki names accounts: underscores as spaces, runs of spaces "
    "as one, the first letter upper-case; `# < > [ ] | { } / @ :` are refused. Nothing is "
    "looked up at issue time: the learner proves the account by signing in with Wikimedia."
)


class RecipientIn(ApiModel):
    """Exactly one of `email` (published only as a salted hash), `did`, `url` or
    `wikimediaUsername` (published only as a salted hash)."""

    email: str | None = Field(default=None, examples=["learner@example.org"])
    did: Did | None = None
    url: HttpUrl | None = None
    wikimedia_username: str | None = Field(
        default=None, description=WIKIMEDIA_USERNAME, examples=["Ada Lovelace"]
    )
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

    @field_validator("wikimedia_username")
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_username(value)
        except RecipientError as exc:
            raise ValueError(str(exc)) from exc

    @model_validator(mode="after")
    def _exactly_one(self) -> RecipientIn:
        kinds = ("email", "did", "url", "wikimedia_username")
        given = [k for k in kinds if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of email, did, url or wikimediaUsername")
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


SUSPENDABLE = (
    "Also add a suspension status entry, so the credential can be suspended and unsuspended. "
    "Such a credential carries two credentialStatus entries (an array): VC 2.0 allows it, but "
    "it fails 1EdTech's strict AchievementCredential JSON Schema, which wants one object. "
    "The response then carries a `credential_status_array` warning."
)
NOTIFY = (
    "Mail the recipient a link to the credential (when the service has mail configured and "
    "the issuer's `notifyRecipients`, or `notifyAccounts` for a recipient whose account has a "
    "verified email, is on). `false`: no mail for this request. The mail is sent later by "
    "a worker; the credential never waits for it."
)
SKIP_EXISTING = (
    "Do not issue to a recipient who already holds an active credential of this achievement: "
    "such rows are `skipped` and point at that credential. Without it they are issued, with "
    "a `recipient_has_credential` warning. Email and Wikimedia username recipients only (DIDs "
    "and URLs are not looked up)."
)


class IssueOptions(ApiModel):
    """What every credential of a request or batch shares."""

    valid_from: Moment | None = Field(default=None, description="Default: now.")
    valid_until: Moment | None = None
    format: Literal["ldp", "jwt"] = Field(
        default="ldp", description="ldp: eddsa-rdfc-2022 Data Integrity proof; jwt: VC-JWT."
    )
    language: str | None = Field(default=None, description="Achievement language; default one.")

    @model_validator(mode="after")
    def _dates(self) -> IssueOptions:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("validUntil must be after validFrom")
        return self


class IssueIn(IssueOptions):
    achievement_id: uuid.UUID
    recipient: RecipientIn
    narrative: LongText | None = None
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    results: list[ResultIn] = Field(default_factory=list, max_length=50)
    suspendable: bool = Field(default=False, description=SUSPENDABLE)
    skip_existing: bool = Field(
        default=False,
        description="When the (email or username) recipient already holds an active credential "
        "of this achievement, return that one (200, with a `recipient_has_credential` "
        "warning) instead of issuing another. Without it, another is issued, with that warning.",
    )
    notify: bool = Field(default=True, description=NOTIFY)


class RowIn(ApiModel):
    """One recipient of a batch, with what is particular to them."""

    recipient: RecipientIn
    narrative: LongText | None = None
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    results: list[ResultIn] = Field(default_factory=list, max_length=50)


class BatchQuery(IssueOptions):
    """The batch fields as query parameters, for a CSV body."""

    achievement_id: uuid.UUID | None = None
    suspendable: bool = Field(default=False, description=SUSPENDABLE)
    skip_existing: bool = Field(default=False, description=SKIP_EXISTING)
    notify: bool = Field(default=True, description=NOTIFY)
    dry_run: bool = Field(
        default=False, description="Only check the rows and show each as it would be."
    )


class BatchIn(IssueOptions):
    achievement_id: uuid.UUID
    suspendable: bool = Field(default=False, description=SUSPENDABLE)
    skip_existing: bool = Field(default=False, description=SKIP_EXISTING)
    notify: bool = Field(default=True, description=NOTIFY)
    recipients: list[dict[str, Any]] = Field(
        min_length=1, description="Rows, each checked on its own (see RowIn)."
    )


def check_row(row: Any) -> RowCheck:
    """One batch row checked by `RowIn`: its input as the API stores it, or the row's error
    (the API's batches and the CLI's `issue` check rows with this one function)."""
    try:
        parsed = RowIn.model_validate(row)
    except ValidationError as exc:
        errors = [
            FieldError("/" + "/".join(map(str, e["loc"])), e["msg"], e["type"]).to_dict()
            for e in exc.errors()
        ]
        return RowCheck(
            input=row if isinstance(row, dict) else {},
            error={"code": "validation_failed", "errors": errors},
        )
    return RowCheck(input=parsed.model_dump(mode="json", by_alias=True, exclude_none=True))


class StatusChangeIn(ApiModel):
    reason: str | None = Field(default=None, max_length=1000)


def csv_batch_fields(query: dict[str, Any]) -> dict[str, Any]:
    """A CSV batch's fields (achievement and options, as the query or a form gives them),
    checked by `BatchIn` as a JSON batch's are (errors point under `/body`)."""
    options = validate_body(BatchIn, {**query, "recipients": [{}]})
    return options.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"recipients"})


def check_csv(text: str) -> tuple[list[RowCheck], list[dict[str, str]]]:
    """A CSV upload's rows, each checked by `check_row`, and the warnings about the upload
    (a 422 for what refuses the whole file, see `batches.read_csv`)."""
    upload = batches.read_csv(text)
    return [check_row(batches.csv_row_input(row)) for row in upload.rows], upload.warnings


class ResendMailIn(ApiModel):
    email: str | None = Field(
        default=None,
        max_length=320,
        description="The recipient's address (it must be the one the credential was issued "
        "to); without it, the verified email of the account that proved the recipient.",
    )
