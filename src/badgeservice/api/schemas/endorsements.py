"""Bodies of the endorsement endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from badgeservice.api.schemas.common import ApiModel, Moment
from badgeservice.api.schemas.credentials import LongText, ShortText
from badgeservice.api.schemas.issuers import Slug

# An absolute IRI: a scheme, a colon, no spaces or characters IRIs exclude (RFC 3987 §2.2).
IRI_PATTERN = r'^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$'
AbsoluteIri = Annotated[str, StringConstraints(pattern=IRI_PATTERN, max_length=2048)]
TARGETS = {"achievement_id": "achievement", "issuer": "profile", "credential_id": "credential"}


class EndorsedIn(ApiModel):
    """What is endorsed: exactly one of `achievementId` (any achievement we host),
    `issuer` (an issuer's slug: its Profile), `credentialId` (a credential we host) or
    `id` (any absolute IRI). Ours are endorsed by their public ids."""

    achievement_id: uuid.UUID | None = None
    issuer: Slug | None = Field(default=None, examples=["wikimedia-fr"])
    credential_id: uuid.UUID | None = None
    id: AbsoluteIri | None = Field(default=None, examples=["https://example.org/courses/7"])

    @model_validator(mode="after")
    def _exactly_one(self) -> EndorsedIn:
        given = [name for name in (*TARGETS, "id") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of achievementId, issuer, credentialId or id")
        return self

    def target(self) -> tuple[str, str]:
        """(kind, value) for `endorsements.Target`."""
        for name, kind in TARGETS.items():
            if getattr(self, name) is not None:
                return kind, str(getattr(self, name))
        return "iri", str(self.id)


class EndorsementIn(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject": {"achievementId": "6f1c0a52-3b8e-4f5d-9a41-2d7e8c9b0a13"},
                    "comment": "We reviewed this workshop; it teaches editing well.",
                    "name": "Endorsement of the editing workshop",
                    "validUntil": "2027-12-31T00:00:00Z",
                }
            ]
        }
    )

    subject: EndorsedIn
    comment: LongText | None = Field(default=None, description="The endorsementComment (Markdown).")
    name: ShortText | None = Field(
        default=None, description="Default: 'Endorsement by {issuer name}'."
    )
    description: LongText | None = None
    valid_until: Moment | None = Field(default=None, description="Default: no end.")


class EndorsementOut(ApiModel):
    id: uuid.UUID
    issuer: str
    subject_kind: str = Field(description="achievement, profile, credential or iri")
    subject_id: str = Field(description="What credentialSubject.id says.")
    name: str
    url: str = Field(description="The public signed JSON-LD.")
    endorsement: dict[str, Any] = Field(description="The signed EndorsementCredential.")
    issued_at: datetime
    valid_until: datetime | None
    revoked: bool
