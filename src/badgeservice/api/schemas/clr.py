"""Bodies of the CLR 2.0 endpoint."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import ConfigDict, Field

from badgeservice.api.schemas.common import ApiModel
from badgeservice.api.schemas.endorsements import AbsoluteIri
from badgeservice.domain.clr import MAX_BUNDLED, AssociationType
from badgeservice.http.credential_bodies import LongText, RecipientIn, ShortText


class AssociationIn(ApiModel):
    """How two bundled achievements relate (CLR 2.0 `Association`), by achievement id."""

    association_type: AssociationType
    source_id: AbsoluteIri
    target_id: AbsoluteIri


class ClrIn(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "credentials": ["3f1c2b7e-0d4a-4e8b-9a51-6c2d7e8f9a10"],
                    "name": "Wikimedia Deutschland: learning record",
                }
            ]
        }
    )

    credentials: Annotated[list[uuid.UUID], Field(min_length=1, max_length=MAX_BUNDLED)]
    name: ShortText
    description: LongText | None = None
    associations: Annotated[
        list[AssociationIn], Field(default_factory=list, max_length=MAX_BUNDLED)
    ]


class PackClrIn(ApiModel):
    """Whose record (an email or a Wikimedia username: the recipients a pack follows) and,
    optionally, its name (by default the pack's name)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"recipient": {"email": "learner@example.org"}}]}
    )

    recipient: RecipientIn
    name: ShortText | None = None
