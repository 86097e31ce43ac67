"""Bodies of the issuers and tokens endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from badgeservice.api.schemas.common import ApiModel, Email, HttpUrl, Moment
from badgeservice.domain.issuer import SLUG_PATTERN
from badgeservice.services.auth import ISSUER_SCOPES

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
JwtAlgorithm = Literal["ES256", "RS256"]
JWT_ALGORITHM = (
    "The JWS algorithm of the issuer's `format: jwt` credentials: ES256 (P-256, the default) "
    "or RS256 (a 3072-bit RSA key, created when first chosen; the OB implementation guide names "
    "RS256 as what every verifier supports). Data Integrity credentials stay eddsa-rdfc-2022."
)


class IssuerCreate(ApiModel):
    slug: Slug = Field(examples=["wmde"])
    name: str = Field(min_length=1, max_length=200, examples=["Wikimedia Deutschland"])
    url: HttpUrl | None = Field(default=None, examples=["https://www.wikimedia.de/"])
    email: Email | None = None
    description: str | None = Field(default=None, max_length=5000)
    image: HttpUrl | None = None
    jwt_algorithm: JwtAlgorithm = Field(default="ES256", description=JWT_ALGORITHM)


class IssuerUpdate(ApiModel):
    """The issuer's settings to change; members left out stay as they are."""

    jwt_algorithm: JwtAlgorithm | None = Field(default=None, description=JWT_ALGORITHM)


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
    created_at: datetime
    profile_url: str
    did_document_url: str


class TokenCreate(ApiModel):
    name: str = Field(default="API token", min_length=1, max_length=200)
    scopes: list[str] | None = Field(
        default=None,
        description=f"Any of {', '.join(ISSUER_SCOPES)}; all of them when omitted.",
    )
    expires_at: Moment | None = Field(
        default=None, description="A date alone means the start of that day (UTC)."
    )


class TokenOut(ApiModel):
    id: uuid.UUID
    name: str
    token: str = Field(description="The secret. Shown once; store it now.")
    prefix: str
    issuer: str | None
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
