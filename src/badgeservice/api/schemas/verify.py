"""Bodies of the verification endpoint: the report of every check."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic.config import JsonDict

from badgeservice.api.schemas.common import ApiModel, WarningOut
from badgeservice.vc import STEP_IDS, OutcomeName

# The step ids are documented as an enum but read as plain strings: a report is never refused
# for a step id the documentation does not list yet.
STEP_ID_SCHEMA: JsonDict = {"enum": list(STEP_IDS)}


class ReportWarningOut(WarningOut):
    check: str = Field(
        description="The id of the check that raised it.",
        examples=["issuer_key"],
        json_schema_extra=STEP_ID_SCHEMA,
    )


class CheckOut(ApiModel):
    id: str = Field(
        description="The step's stable id; the checks come in this order.",
        examples=["proof"],
        json_schema_extra=STEP_ID_SCHEMA,
    )
    outcome: OutcomeName = Field(description="passed, failed, error (could not check) or skipped")
    code: str
    message: str
    warnings: list[WarningOut] = Field(
        default_factory=list, description="What a reader should know; never changes the verdict."
    )


class VerifyOut(ApiModel):
    verified: bool
    format: str = Field(description="json-ld, jwt, png or svg")
    credential: dict[str, Any] | None = Field(description="What can be shown of it.")
    checks: list[CheckOut]
    warnings: list[ReportWarningOut] = Field(
        default_factory=list, description="Every check's warnings, in order."
    )
    checked_at: str = Field(description="When the checks ran (UTC), e.g. 2026-12-02T10:00:00Z.")
