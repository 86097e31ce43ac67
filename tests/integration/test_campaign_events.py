"""An on-wiki event's participants over the API, read from the local CampaignEvents stand-in
(a real HTTP server on 127.0.0.1): paging, skipped accounts, and each way the wiki can fail."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.remote import ProviderClient
from badgeservice.services import campaign_events
from badgeservice.settings import Settings
from tests.campaign_events_server import CampaignEventsWiki
from tests.factories import ISSUER_API, bearer, create_issuer, create_token
from tests.integration.conftest import point_at_wiki
from tests.server import free_port

EVENTS_API = f"{ISSUER_API}/events"


def participants(client: TestClient, headers: dict[str, str], event_id: object) -> dict:
    response = client.get(f"{EVENTS_API}/{event_id}/participants", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def problem(client: TestClient, headers: dict[str, str], event_id: object) -> tuple[int, str]:
    response = client.get(f"{EVENTS_API}/{event_id}/participants", headers=headers)
    assert response.headers["content-type"] == "application/problem+json", response.text
    return response.status_code, str(response.json()["code"])


def test_participants_are_read_across_pages(
    client: TestClient, headers: dict[str, str], events_wiki: CampaignEventsWiki
) -> None:
    names = [f"Editor {n}" for n in range(45)]
    events_wiki.add_event(7, names, hidden={"Editor 3", "Editor 30"}, private={"Editor 44"})

    body = participants(client, headers, 7)

    listed = [p["username"] for p in body["participants"]]
    assert listed == [n for n in names if n not in {"Editor 3", "Editor 30", "Editor 44"}]
    assert body["eventId"] == 7
    assert body["skipped"] == 2
    assert body["participants"][0] == {
        "username": "Editor 0",
        "centralId": 1000,
        "registeredAt": "2031-01-01T09:30:15Z",
    }
    queries = [query for query, _agent in events_wiki.requests]
    assert [q.get("last_participant_id") for q in queries] == [None, "20", "40", "44"]
    assert {q["include_private"] for q in queries} == {"false"}
    assert all(agent.startswith("badgeservice/") for _query, agent in events_wiki.requests)


def test_usernames_are_normalised_and_unusable_ones_skipped(
    client: TestClient, headers: dict[str, str], events_wiki: CampaignEventsWiki
) -> None:
    events_wiki.add_event(8, ["ada_lovelace", "Bad#Name", "Grace  Hopper"])

    body = participants(client, headers, 8)

    assert [p["username"] for p in body["participants"]] == ["Ada lovelace", "Grace Hopper"]
    assert body["skipped"] == 1


def test_an_event_without_participants_is_an_empty_list(
    client: TestClient, headers: dict[str, str], events_wiki: CampaignEventsWiki
) -> None:
    events_wiki.add_event(9, [])

    assert participants(client, headers, 9) == {"eventId": 9, "participants": [], "skipped": 0}


def test_an_unknown_event_is_a_404_problem(
    client: TestClient, headers: dict[str, str], events_wiki: CampaignEventsWiki
) -> None:
    assert problem(client, headers, 404404) == (404, "event_not_found")


def test_a_wiki_that_is_down_is_a_502_problem(
    app: FastAPI, client: TestClient, headers: dict[str, str]
) -> None:
    with point_at_wiki(app, f"http://127.0.0.1:{free_port()}/w/rest.php"):
        assert problem(client, headers, 7) == (502, "events_unreachable")


def test_a_wiki_error_status_is_a_502_problem(
    client: TestClient, headers: dict[str, str], events_wiki: CampaignEventsWiki
) -> None:
    events_wiki.status = 503

    assert problem(client, headers, 7) == (502, "events_unreachable")


@pytest.mark.parametrize(
    "body",
    [
        b"<html>not json</html>",
        b'{"participants": []}',
        b"[1, 2]",
        b'[{"participant_id": 1, "user_name": "Ada"}]',
        b'[{"participant_id": "1", "user_id": 5, "user_name": "Ada"}]',
    ],
)
def test_a_malformed_answer_is_a_502_problem(
    client: TestClient, headers: dict[str, str], events_wiki: CampaignEventsWiki, body: bytes
) -> None:
    events_wiki.body = body

    assert problem(client, headers, 7) == (502, "events_bad_answer")


def test_paging_that_does_not_advance_is_a_502_problem(
    client: TestClient, headers: dict[str, str], events_wiki: CampaignEventsWiki
) -> None:
    events_wiki.add_event(7, [f"Editor {n}" for n in range(25)])
    events_wiki.repeat = True

    assert problem(client, headers, 7) == (502, "events_bad_answer")
    assert len(events_wiki.requests) == 2


def test_more_than_5000_participants_is_a_422_problem(
    client: TestClient, headers: dict[str, str], events_wiki: CampaignEventsWiki
) -> None:
    events_wiki.add_event(7, [f"Editor {n}" for n in range(5001)])
    events_wiki.page_size = 200  # fewer round trips; each page stays under the size cap

    assert problem(client, headers, 7) == (422, "too_many_participants")


@pytest.mark.database_independent
@pytest.mark.parametrize("event_id", ["0", "-1", "abc", str(2**63)])
def test_an_event_id_that_is_not_a_positive_integer_is_refused(
    client: TestClient, headers: dict[str, str], events_wiki: CampaignEventsWiki, event_id: str
) -> None:
    assert problem(client, headers, event_id) == (422, "validation_failed")
    assert events_wiki.requests == []


def test_reading_participants_needs_the_issue_scope(
    client: TestClient, session: Session, events_wiki: CampaignEventsWiki
) -> None:
    reader = bearer(create_token(session, create_issuer(session), scopes=["credentials:read"]))
    events_wiki.add_event(7, ["Ada"])

    assert problem(client, reader, 7) == (403, "permission_denied")
    assert events_wiki.requests == []


@pytest.mark.database_independent
@pytest.mark.parametrize(("count", "refused"), [(40, False), (41, True)])
def test_the_participant_cap_counts_skipped_accounts_too(
    settings: Settings, events_wiki_server: CampaignEventsWiki, count: int, refused: bool
) -> None:
    events_wiki_server.reset()
    events_wiki_server.add_event(7, [f"Editor {n}" for n in range(count)], hidden={"Editor 0"})
    pointed = settings.model_copy(update={"campaignevents_url": events_wiki_server.rest_url})
    client = ProviderClient(user_agent="badgeservice-test")

    if refused:
        with pytest.raises(campaign_events.TooManyParticipantsError):
            campaign_events.fetch_participants(pointed, client, 7, max_participants=40)
    else:
        found = campaign_events.fetch_participants(pointed, client, 7, max_participants=40)
        assert (len(found.participants), found.skipped) == (count - 1, 1)
    client.close()
