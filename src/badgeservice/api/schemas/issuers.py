"""Bodies of the issuers and tokens endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from badgeservice.api.schemas.common import ApiModel
from badgeservice.domain.issuer import SLUG_PATTERN
from badgeservice.http.issuer_bodies import IssuerProfileFields, KeyRevoke, TokenCreate

__all__ = [
    "ISSUER_PATCH",
    "AuditEventOut",
    "IssuerCreate",
    "IssuerMailFields",
    "IssuerOut",
    "IssuerProfileFields",
    "IssuerSettings",
    "KeyOut",
    "KeyRevoke",
    "TokenCreate",
    "TokenInfo",
    "TokenOut",
]

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
JwtAlgorithm = Literal["ES256", "RS256"]
JWT_ALGORITHM = (
    "The JWS algorithm of the issuer's `format: jwt` credentials: ES256 (P-256, the default) "
    "or RS256 (a 3072-bit RSA key, created when first chosen; the OB implementation guide names "
    "RS256 as what every verifier supports). Data Integrity credentials stay eddsa-rdfc-2022."
)


NOTIFY_RECIPIENTS = (
    "Mail email recipients a link to each credential issued to them (default true; only "
    "when the service has mail configured; a request can opt out with `notify: false`)."
)
NOTIFY_ACCOUNTS = (
    "Also mail recipients who are not an email (such as a Wikimedia username) when they "
    "have signed in here and verified an email address (default false: they gave that "
    "address to this service, not to the issuer)."
)


class IssuerMailFields(ApiModel):
    """Whether recipients are told by mail (`issuer:write` changes it)."""

    notify_recipients: bool = Field(default=True, description=NOTIFY_RECIPIENTS)
    notify_accounts: bool = Field(default=False, description=NOTIFY_ACCOUNTS)


class IssuerCreate(IssuerProfileFields, IssuerMailFields):
    slug: Slug = Field(examples=["wmde"])
    jwt_algorithm: JwtAlgorithm = Field(default="ES256", description=JWT_ALGORITHM)


class IssuerSettings(IssuerProfileFields, IssuerMailFields):
    """The issuer after a JSON Merge Patch: checked as on creation."""

    jwt_algorithm: JwtAlgorithm = Field(description=JWT_ALGORITHM)


ISSUER_PATCH = (
    "A JSON Merge Patch (RFC 7396) of `name`, `url`, `email`, `description`, `image` (needs "
    "`issuer:write`), `notifyRecipients`, `notifyAccounts` (`issuer:write`) and `jwtAlgorithm` "
    "(needs `keys:manage`); `null` removes a member."
)


class IssuerOut(ApiModel):
    id: uuid.UUID
    slug: str
    name: str
    did: str
    url: str | None
    email: str | None
    description: str | None
    image: str | None
    jwt_algorithm: str = Field(description=JWT_ALGORITHM)
    notify_recipients: bool = Field(description=NOTIFY_RECIPIENTS)
    notify_accounts: bool = Field(description=NOTIFY_ACCOUNTS)
    created_at: datetime
    profile_url: str
    did_document_url: str


class TokenInfo(ApiModel):
    """A token as listed: never its secret or the secret's hash."""

    id: uuid.UUID
    name: str
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(
        description="When it last authenticated a request, to the minute."
    )
    revoked_at: datetime | None


class TokenOut(ApiModel):
    id: uuid.UUID
    name: str
    token: str = Field(description="The secret. Shown once; store it now.")
    prefix: str
    issuer: str | None
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None


class KeyOut(ApiModel):
    id: str = Field(description="The verification method id.")
    key_id: str = Field(description="Its fragment, as the key's URLs name it.")
    algorithm: str
    purpose: str
    status: str = Field(description="`active` (signs), `retired` (verifies) or `revoked`.")
    created_at: datetime
    retired_at: datetime | None
    revoked_at: datetime | None
    revocation_reason: str | None


class AuditEventOut(ApiModel):
    occurred_at: datetime
    action: str
    actor: str
    subject_type: str
    subject_id: str
    request_id: str | None
    details: dict[str, Any]
