"""Bodies the API and the console share: the issuer's Profile, a new token, a key's
revocation (a console form is validated as the API validates the body it stands for)."""

from __future__ import annotations

from pydantic import Field

from badgeservice.http.bodies import ApiModel, Email, HttpUrl, Moment
from badgeservice.services.auth import ISSUER_SCOPES


class IssuerProfileFields(ApiModel):
    """What the issuer's public Profile says about it (`issuer:write` changes it)."""

    name: str = Field(min_length=1, max_length=200, examples=["Wikimedia Deutschland"])
    url: HttpUrl | None = Field(default=None, examples=["https://www.wikimedia.de/"])
    email: Email | None = None
    description: str | None = Field(default=None, max_length=5000)
    image: HttpUrl | None = Field(default=None, description="The logo's URL.")


class TokenCreate(ApiModel):
    name: str = Field(default="API token", min_length=1, max_length=200)
    scopes: list[str] | None = Field(
        default=None,
        description=f"Any of {', '.join(ISSUER_SCOPES)}; all of them when omitted.",
    )
    expires_at: Moment | None = Field(
        default=None, description="A date alone means the start of that day (UTC)."
    )


class KeyRevoke(ApiModel):
    reason: str = Field(min_length=1, max_length=500, examples=["The key file was leaked."])
