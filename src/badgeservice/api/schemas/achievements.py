"""Bodies of the achievements endpoints: multilingual texts as maps of BCP 47 tag → text (the
input bodies, shared with the console, are in ``http/achievement_bodies.py``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from badgeservice.api.schemas.common import ApiModel
from badgeservice.http.achievement_bodies import AchievementIn

__all__ = ["AchievementIn", "AchievementOut"]


class AchievementOut(ApiModel):
    id: uuid.UUID
    issuer: str
    url: str = Field(description="The public Achievement document (JSON-LD or HTML).")
    default_language: str
    languages: list[str]
    name: dict[str, str]
    description: dict[str, str]
    criteria: dict[str, Any]
    image: dict[str, str] | None
    achievement_type: str | None
    tags: list[str]
    alignments: list[dict[str, Any]]
    result_descriptions: list[dict[str, Any]]
    creator: dict[str, Any] | None
    shared: bool = Field(
        default=False, description="In the shared catalogue (`GET /api/v1/catalogue`)."
    )
    revision: int
    created_at: datetime
    updated_at: datetime
