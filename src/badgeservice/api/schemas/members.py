"""Bodies of the members endpoints (issuer staff and their roles)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from badgeservice.api.schemas.common import ApiModel

Role = Literal["owner", "editor", "viewer"]
ROLES = (
    "`owner`: everything, including members, the profile, keys and tokens; `editor`: "
    "achievements, issuing, revoking; `viewer`: reads only."
)


class MemberCreate(ApiModel):
    """Invite whoever signs in with this Wikimedia account or verifies this email."""

    kind: Literal["wikimedia", "email"] = Field(
        description="`wikimedia` (a Wikimedia username) or `email`."
    )
    value: Annotated[str, StringConstraints(min_length=1, max_length=320)] = Field(
        description="The username or the email address.", examples=["Jane Example"]
    )
    role: Role = Field(description=ROLES)
    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")] = (
        Field(default="en", description="The language of the invitation mail (email members).")
    )


class MemberPatch(ApiModel):
    role: Role = Field(description=ROLES)


class MemberOut(ApiModel):
    id: uuid.UUID
    kind: str
    value: str = Field(description="The username (normalised) or the address.")
    role: str
    added_by: str
    created_at: datetime
