"""A local stand-in for a wiki's CampaignEvents REST module, run by uvicorn in a thread on a
free 127.0.0.1 port. It speaks the shapes of ``ListParticipantsHandler`` (WIKIMEDIA.md):
``GET /w/rest.php/campaignevents/v0/event_registration/{id}/participants`` with the required
``include_private`` (``true`` is refused with 403: we are anonymous, not an organizer),
``last_participant_id`` and ``username_filter``; a JSON array of at most ``page_size``
participants ordered by ``participant_id``; 404 with MediaWiki's error body for an unknown event.

Use it::

    wiki.add_event(7, ["Ada Lovelace", "Grace Hopper"])   # participant ids 1, 2, …
    wiki.add_event(8, [...], hidden={"Gone"})            # hidden accounts come back unnamed

Knobs for bad cases: ``body`` (answer these bytes with 200, e.g. not JSON), ``status`` (answer
that status with an HTML body), ``repeat`` (ignore ``last_participant_id``: paging never ends).
``requests`` records each request's query and User-Agent.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.server import serving_in_thread

REST_PATH = "/w/rest.php"
PAGE_SIZE = 20  # ListParticipantsHandler::RES_LIMIT


@dataclass
class CampaignEventsWiki:
    """The wiki's state; ``url`` is set once it listens."""

    events: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    page_size: int = PAGE_SIZE
    body: bytes | None = None
    status: int | None = None
    repeat: bool = False
    url: str = ""
    requests: list[tuple[dict[str, str], str]] = field(default_factory=list)

    @property
    def rest_url(self) -> str:
        return self.url + REST_PATH

    def reset(self) -> None:
        self.events.clear()
        self.page_size, self.body, self.status, self.repeat = PAGE_SIZE, None, None, False
        self.requests.clear()

    def add_event(
        self,
        event_id: int,
        usernames: list[str],
        *,
        hidden: Collection[str] = (),
        private: Collection[str] = (),
    ) -> None:
        """Participants ``usernames`` in order, central ids 1000 + their position."""
        self.events[event_id] = [
            {
                "participant_id": index + 1,
                "user_id": 1000 + index,
                "name": name,
                "hidden": name in hidden,
                "private": name in private,
                "registered_at": f"2031{index % 12 + 1:02d}{index % 28 + 1:02d}093015",
            }
            for index, name in enumerate(usernames)
        ]

    def participants(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.requests.append((query, request.headers.get("user-agent", "")))
        if self.status is not None:
            return HTMLResponse("<h1>Wikimedia Error</h1>", status_code=self.status)
        if self.body is not None:
            return Response(self.body, media_type="application/json")
        if query.get("include_private") not in {"true", "false"}:
            return mediawiki_error(400, "paramvalidator-missingparam")
        if query.get("include_private") == "true":
            return mediawiki_error(403, "campaignevents-rest-list-participants-cannot-see-private")
        event = self.events.get(int(request.path_params["event_id"]))
        if event is None:
            return mediawiki_error(404, "campaignevents-rest-event-not-found")
        last = int(query.get("last_participant_id") or 0)
        after = [p for p in event if self.repeat or p["participant_id"] > last]
        listed = [p for p in after if not p["private"]]
        return JSONResponse([shaped(p) for p in listed[: self.page_size]])

    def app(self) -> Starlette:
        path = REST_PATH + "/campaignevents/v0/event_registration/{event_id:int}/participants"
        return Starlette(routes=[Route(path, self.participants)])


def shaped(participant: dict[str, Any]) -> dict[str, Any]:
    """One entry as ``ListParticipantsHandler::getResponseData`` builds it."""
    entry: dict[str, Any] = {
        "participant_id": participant["participant_id"],
        "user_id": participant["user_id"],
        "user_registered_at": participant["registered_at"],
        "user_registered_at_formatted": "09:30, 17 May 2031",
        "private": participant["private"],
    }
    if participant["hidden"]:
        entry["hidden"] = True
    else:
        name = participant["name"]
        entry["user_name"] = name
        entry["user_page"] = {"path": f"/wiki/User:{name}", "title": f"User:{name}"}
    return entry


def mediawiki_error(status: int, key: str) -> JSONResponse:
    """A MediaWiki REST error body (``LocalizedHttpException``)."""
    body = {"messageTranslations": {"en": key}, "errorKey": key, "httpCode": status}
    return JSONResponse(body, status_code=status)


@contextmanager
def running_wiki(host: str = "127.0.0.1") -> Iterator[CampaignEventsWiki]:
    """The stand-in wiki listening on a free port of ``host`` until the block ends."""
    wiki = CampaignEventsWiki()
    with serving_in_thread(wiki.app(), host) as url:
        wiki.url = url
        yield wiki
