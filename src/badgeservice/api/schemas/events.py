"""Bodies of `/api/v1/issuers/{slug}/events`: an on-wiki event's participants."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from badgeservice.api.schemas.common import ApiModel


class EventParticipantOut(ApiModel):
    """One participant: a Wikimedia username to issue to (`wikimediaUsername`)."""

    username: str = Field(examples=["Ada Lovelace"])
    central_id: int = Field(description="The wiki's central user id (stable across renames).")
    registered_at: datetime | None = Field(description="When they registered for the event.")


class EventParticipantsOut(ApiModel):
    event_id: int
    participants: list[EventParticipantOut]
    skipped: int = Field(description="Hidden, deleted or unusable accounts left out.")
