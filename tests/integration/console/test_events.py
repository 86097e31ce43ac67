"""The console's "issue to an event's participants" page against the local CampaignEvents
stand-in: the list to tick, one batch for the ticked ones, and every way the form can fail."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Batch, BatchItem, Credential, WebSession
from badgeservice.worker import Worker
from tests.campaign_events_server import CampaignEventsWiki
from tests.factories import BASE_URL, issue_over_api
from tests.integration.conftest import point_at_wiki
from tests.integration.console.conftest import CONSOLE, HTML, ConsoleClient, csrf_of
from tests.server import free_port

PAGE = f"{CONSOLE}/issue/event"
NAMES = ["Ada Lovelace", "Grace Hopper", "Linus"]


def count(session: Session, model: type) -> int:
    session.rollback()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def ticked(html: str) -> dict[str, bool]:
    """username → whether its checkbox is ticked, in the page's order."""
    boxes = re.findall(r'<input type="checkbox"[^>]*name="username" value="([^"]+)"([^>]*)>', html)
    return {name: "checked" in rest for name, rest in boxes}


def listing(client: TestClient, achievement_id: str, event: object = 7) -> str:
    response = client.get(PAGE, params={"event": event, "achievement": achievement_id})
    assert response.status_code == 200, response.text
    return response.text


def post(
    client: TestClient, achievement_id: str, usernames: list[str], **fields: str
) -> httpx.Response:
    csrf = csrf_of(client, f"{PAGE}?event=7&achievement={achievement_id}")
    form: dict[str, str | list[str]] = {"csrf": csrf, "event": "7"}
    form |= {"achievement": achievement_id, "key": "key-1", "username": usernames} | fields
    return client.post(PAGE, data=form, headers=HTML, follow_redirects=False)


def test_the_form_asks_for_the_event_and_the_achievement(
    console_client: ConsoleClient, achievement_id: str
) -> None:
    page = console_client("editor").get(PAGE, headers=HTML)
    assert page.status_code == 200
    assert '<label for="event">' in page.text
    assert f'<option value="{achievement_id}">' in page.text
    assert 'aria-current="page"' in page.text  # the Issue section of the navigation


def test_the_participants_are_listed_and_holders_left_unticked(
    console_client: ConsoleClient,
    events_wiki: CampaignEventsWiki,
    headers: dict[str, str],
    achievement_id: str,
) -> None:
    events_wiki.add_event(7, [*NAMES, "Gone"], hidden={"Gone"})
    issue_over_api(
        console_client("owner"),
        headers,
        achievement_id,
        recipient={"wikimediaUsername": "Grace Hopper"},
    )

    html = listing(console_client("editor"), achievement_id)

    assert ticked(html) == {"Ada Lovelace": True, "Grace Hopper": False, "Linus": True}
    assert "1 of them holds this achievement already" in html
    assert "1 hidden or deleted account was left out." in html
    assert '<th scope="col">' in html


def test_issuing_makes_one_batch_for_the_ticked_participants_only(
    app: FastAPI,
    console_client: ConsoleClient,
    events_wiki: CampaignEventsWiki,
    session: Session,
    achievement_id: str,
) -> None:
    events_wiki.add_event(7, NAMES)
    editor = console_client("editor")

    response = post(editor, achievement_id, ["Ada Lovelace", "Linus"])

    assert response.status_code == 303, response.text
    batch = session.scalars(select(Batch)).one()
    location = response.headers["location"]
    assert location == f"{CONSOLE}/batches/{batch.id}"
    assert (batch.total, count(session, BatchItem)) == (2, 2)
    Worker(app.state.session_factory, BASE_URL, app.state.key_store, clock=app.state.clock).run(
        until_idle=True
    )
    assert count(session, Credential) == 2


def test_sending_the_form_twice_issues_once(
    console_client: ConsoleClient,
    events_wiki: CampaignEventsWiki,
    session: Session,
    achievement_id: str,
) -> None:
    events_wiki.add_event(7, NAMES)
    editor = console_client("editor")

    first = post(editor, achievement_id, ["Ada Lovelace"])
    second = post(editor, achievement_id, ["Ada Lovelace"])

    assert first.headers["location"] == second.headers["location"]
    assert count(session, Batch) == 1


def test_a_viewer_may_neither_list_nor_issue(
    console_client: ConsoleClient,
    events_wiki: CampaignEventsWiki,
    session: Session,
    achievement_id: str,
) -> None:
    events_wiki.add_event(7, NAMES)
    viewer = console_client("viewer")
    csrf = session.scalars(select(WebSession.csrf_token)).one()  # the viewer's own

    page = viewer.get(PAGE, params={"event": 7, "achievement": achievement_id}, headers=HTML)
    form = {"csrf": csrf, "event": "7", "achievement": achievement_id, "username": "Linus"}
    sent = viewer.post(PAGE, data=form, headers=HTML, follow_redirects=False)

    assert (page.status_code, sent.status_code) == (403, 403)
    assert events_wiki.requests == []
    assert count(session, Batch) == 0


def test_a_form_without_this_sessions_csrf_token_is_refused(
    console_client: ConsoleClient,
    events_wiki: CampaignEventsWiki,
    session: Session,
    achievement_id: str,
) -> None:
    events_wiki.add_event(7, NAMES)
    editor = console_client("editor")

    response = post(editor, achievement_id, ["Linus"], csrf="not-the-token")

    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert count(session, Batch) == 0


def test_an_unknown_event_is_said_in_words_next_to_the_field(
    console_client: ConsoleClient, events_wiki: CampaignEventsWiki, achievement_id: str
) -> None:
    page = console_client("editor").get(
        PAGE, params={"event": 404404, "achievement": achievement_id}, headers=HTML
    )
    assert page.status_code == 404
    assert 'id="event-error">The wiki has no event with this number.' in page.text
    assert 'role="alert"' in page.text
    assert 'aria-invalid="true"' in page.text


def test_a_wiki_that_is_down_is_said_in_words(
    app: FastAPI, console_client: ConsoleClient, achievement_id: str
) -> None:
    editor = console_client("editor")
    with point_at_wiki(app, f"http://127.0.0.1:{free_port()}/w/rest.php"):
        page = editor.get(PAGE, params={"event": 7, "achievement": achievement_id})
    assert page.status_code == 502
    assert "The wiki could not be reached" in page.text


@pytest.mark.database_independent
@pytest.mark.parametrize("event", ["seven", "0", "²", "9" * 5000, str(2**63)])
def test_a_bad_event_number_and_achievement_are_shown_next_to_their_fields(
    console_client: ConsoleClient, events_wiki: CampaignEventsWiki, event: str
) -> None:
    page = console_client("editor").get(PAGE, params={"event": event, "achievement": "x"})
    assert page.status_code == 422
    assert 'id="event-error">Enter the event' in page.text
    assert 'id="achievement-error">Choose one of the issuer' in page.text
    assert events_wiki.requests == []


def test_issuing_to_no_one_or_to_an_altered_name_is_refused(
    console_client: ConsoleClient,
    events_wiki: CampaignEventsWiki,
    session: Session,
    achievement_id: str,
) -> None:
    events_wiki.add_event(7, NAMES)
    editor = console_client("editor")

    nobody = post(editor, achievement_id, [])
    altered = post(editor, achievement_id, ["Bad#Name"], key="key-2")

    assert nobody.status_code == 422
    assert "Tick at least one participant." in nobody.text
    assert ticked(nobody.text) == dict.fromkeys(NAMES, True)
    assert altered.status_code == 422
    assert count(session, Batch) == 0
