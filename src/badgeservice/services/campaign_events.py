"""Who took part in an on-wiki event: the participants list of the CampaignEvents extension's
REST module (``campaignevents/v0``), read anonymously from the wiki of
``settings.events_rest_url`` through ``remote.ProviderClient`` (time and size caps, no
redirects, our User-Agent as Wikimedia's policy asks).

``GET {rest}/campaignevents/v0/event_registration/{id}/participants?include_private=false``
answers a JSON array of at most 20 participants ordered by ``participant_id``; the next page
is asked with ``last_participant_id`` = the last one seen, until a page comes back empty.
Private registrations are shown only to the event's organizers, so an anonymous reader never
gets them. A participant whose account is hidden or gone comes back with ``hidden`` or
``not_found`` and no ``user_name`` (older releases leave it out): it is skipped and counted.

    ServiceError
    └── CampaignEventsError (502 campaign_events_error)
        ├── EventNotFoundError (404 event_not_found)          the wiki has no such event
        ├── EventsUnreachableError (502 events_unreachable)   down, too slow, or an error status
        ├── EventsBadAnswerError (502 events_bad_answer)      not JSON, too large, wrong shape
        └── TooManyParticipantsError (422 too_many_participants)

See: https://www.mediawiki.org/wiki/Extension:CampaignEvents
See: mediawiki-extensions-CampaignEvents ``src/Rest/ListParticipantsHandler.php``
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

from badgeservice.domain.recipient import RecipientError, normalize_username
from badgeservice.errors import ServiceError
from badgeservice.remote import (
    ProviderClient,
    RemoteBadStatusError,
    RemoteError,
    RemoteNotJsonError,
    RemoteTooLargeError,
)
from badgeservice.settings import Settings

MAX_PARTICIPANTS = 5_000
# All pages of one event (250 pages of 20 at the cap) within this many seconds.
MAX_SECONDS = 60.0
PARTICIPANTS_PATH = "/campaignevents/v0/event_registration/{event_id}/participants"
MAX_EVENT_ID = 2**63 - 1  # a PHP integer


class CampaignEventsError(ServiceError):
    status, code, title = 502, "campaign_events_error", "The event could not be read"


class EventNotFoundError(CampaignEventsError):
    status, code, title = 404, "event_not_found", "The wiki has no such event"


class EventsUnreachableError(CampaignEventsError):
    code, title = "events_unreachable", "The wiki could not be reached"


class EventsBadAnswerError(CampaignEventsError):
    code, title = "events_bad_answer", "The wiki's answer could not be read"


class TooManyParticipantsError(CampaignEventsError):
    status, code, title = 422, "too_many_participants", "The event has too many participants"


@dataclass(frozen=True)
class Participant:
    """One participant: the username as the wiki gives it (normalised), the central user id
    (stable across renames) and when they registered for the event, if the wiki said."""

    username: str
    central_id: int
    registered_at: datetime | None


@dataclass(frozen=True)
class EventParticipants:
    event_id: int
    participants: tuple[Participant, ...]
    skipped: int  # hidden, deleted or unusable accounts left out


def fetch_participants(
    settings: Settings,
    client: ProviderClient,
    event_id: int,
    *,
    max_participants: int = MAX_PARTICIPANTS,
) -> EventParticipants:
    """Every public participant of event ``event_id``, page after page; raises a
    ``CampaignEventsError`` when the event is unknown, the wiki fails, or it has more than
    ``max_participants`` (counting skipped ones)."""
    deadline = time.monotonic() + MAX_SECONDS
    found: dict[int, Participant] = {}
    skipped, seen, last = 0, 0, None
    while True:
        page = _page(settings, client, event_id, last)
        if not page:
            return EventParticipants(event_id, tuple(found.values()), skipped)
        seen += len(page)
        if seen > max_participants:
            raise TooManyParticipantsError(
                f"Event {event_id} has more than {max_participants} participants."
            )
        for entry in page:
            participant = participant_of(entry)
            if participant is None:
                skipped += 1
            else:
                found.setdefault(participant.central_id, participant)
        last = _next_after(page, last)
        if time.monotonic() > deadline:
            raise EventsUnreachableError("The wiki took too long to list the participants.")


def _page(
    settings: Settings, client: ProviderClient, event_id: int, last: int | None
) -> list[dict[str, Any]]:
    url = settings.events_rest_url + PARTICIPANTS_PATH.format(event_id=event_id)
    params = {"include_private": "false"}
    if last is not None:
        params["last_participant_id"] = str(last)
    try:
        status, value = client.get(url, params=params)
    except RemoteBadStatusError as exc:
        status, value = exc.upstream_status, None
    except (RemoteNotJsonError, RemoteTooLargeError) as exc:
        raise EventsBadAnswerError("The wiki's answer is not a participants list.") from exc
    except RemoteError as exc:
        raise EventsUnreachableError("The wiki could not be reached.") from exc
    if status == 404:
        raise EventNotFoundError(f"The wiki has no event {event_id}.")
    if not 200 <= status < 300:
        raise EventsUnreachableError(f"The wiki answered {status}.")
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise EventsBadAnswerError("The wiki's answer is not a participants list.")
    return value


def _next_after(page: list[dict[str, Any]], last: int | None) -> int:
    """The ``last_participant_id`` of the next page; the ids must grow, else paging would
    never end."""
    ids = [entry.get("participant_id") for entry in page]
    if not all(_is_int(i) for i in ids):
        raise EventsBadAnswerError("A participant has no participant_id.")
    highest = max(i for i in ids if _is_int(i))
    if last is not None and highest <= last:
        raise EventsBadAnswerError("The wiki repeated a page of participants.")
    return highest


def participant_of(entry: dict[str, Any]) -> Participant | None:
    """The participant an entry names, or ``None`` when its account is hidden, gone or has a
    name MediaWiki would not give; raises when the entry has no usable central user id."""
    central_id = entry.get("user_id")
    if not _is_int(central_id):
        raise EventsBadAnswerError("A participant has no user_id.")
    name = entry.get("user_name")
    if entry.get("hidden") or entry.get("not_found") or not isinstance(name, str):
        return None
    try:
        username = normalize_username(name)
    except RecipientError:
        return None
    return Participant(username, central_id, registered_at_of(entry.get("user_registered_at")))


def registered_at_of(value: object) -> datetime | None:
    """A MediaWiki timestamp (``TS_MW``, ``YYYYMMDDHHMMSS`` in UTC) as a moment, else ``None``."""
    if not isinstance(value, str) or len(value) != 14 or not value.isdigit():
        return None
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
