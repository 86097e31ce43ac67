"""Bodies of the skill framework endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from badgeservice.api.schemas.common import ApiModel


class FrameworkOut(ApiModel):
    key: str = Field(examples=["capx"])
    kind: str = Field(examples=["capx"], description="capx, esco or case")
    name: str = Field(examples=["Wikimedia Capacity Exchange"], description="`targetFramework`")
    title: dict[str, str]
    url: str | None
    version: str | None
    item_count: int
    imported_at: datetime


class FrameworkItemOut(ApiModel):
    framework: str = Field(examples=["capx"])
    code: str = Field(examples=["Q7"], description="`targetCode`")
    url: str = Field(description="`targetUrl`")
    parent_code: str | None
    labels: dict[str, str]
    descriptions: dict[str, str]
    item_type: str | None
    human_code: str | None
    depth: int
    retired: bool
    alignment: dict[str, Any] = Field(
        description="An entry for an achievement's `alignments`, named in the asked `lang`."
    )
