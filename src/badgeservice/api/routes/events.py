"""`/api/v1/issuers/{slug}/events`: who took part in an on-wiki event (the CampaignEvents
extension of the wiki at `BADGESERVICE_CAMPAIGNEVENTS_URL`), to issue to them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from badgeservice.api.schemas.events import EventParticipantOut, EventParticipantsOut
from badgeservice.db.models import Issuer
from badgeservice.http.deps import IssuerDep, ProviderDep, SessionDep, SettingsDep
from badgeservice.http.problems import problem_responses
from badgeservice.services import campaign_events

router = APIRouter(prefix="/api/v1/issuers/{slug}/events", tags=["events"])
_ERRORS = problem_responses(401, 403, 404, 422, 502)
EventId = Annotated[int, Path(ge=1, le=campaign_events.MAX_EVENT_ID, description="The event id.")]


@router.get("/{event_id}/participants", responses=_ERRORS)
def list_participants(
    issuer: Annotated[Issuer, IssuerDep("credentials:issue")],
    event_id: EventId,
    session: SessionDep,
    settings: SettingsDep,
    client: ProviderDep,
) -> EventParticipantsOut:
    """The event's public participants as the wiki lists them (all pages, at most 5,000),
    each a Wikimedia username to issue to; `skipped` counts hidden or deleted accounts.
    Errors: `event_not_found` (404), `too_many_participants` (422), `events_unreachable` and
    `events_bad_answer` (502)."""
    session.close()  # no database connection is held while the wiki answers
    found = campaign_events.fetch_participants(settings, client, event_id)
    participants = [EventParticipantOut.model_validate(p) for p in found.participants]
    return EventParticipantsOut(
        event_id=found.event_id, participants=participants, skipped=found.skipped
    )
