"""The console's audit trail: who by name, what, filters."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.services import issuers
from badgeservice.services.audit import record_issuer_event
from tests.factories import issue_over_api
from tests.integration.console.conftest import CONSOLE, HTML, ConsoleClient, csrf_of

PAGE = f"{CONSOLE}/audit"


def actions(page: str) -> list[str]:
    return re.findall(r"<td><code>([a-z_.]+)</code></td>", page)


def revoke_in_console(console_client: ConsoleClient, credential: str) -> None:
    editor = console_client("editor", handle="edith")
    path = f"{CONSOLE}/credentials/{credential}"
    response = editor.post(
        f"{path}/revoke",
        data={"csrf": csrf_of(editor, path), "confirm": "yes", "reason": "Wrong person"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_the_trail_names_the_member_who_acted_in_the_console(
    console_client: ConsoleClient,
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    session: Session,
) -> None:
    credential = issue_over_api(client, headers, achievement_id)["id"]
    revoke_in_console(console_client, credential)
    issuer = issuers.get_issuer(session, "wmde")
    record_issuer_event(session, issuer, "issuer.updated", actor="cli", details={})
    session.commit()
    viewer = console_client("viewer")
    page = viewer.get(PAGE, headers=HTML)
    assert page.status_code == 200
    row = next(r for r in page.text.split("<tr>") if "<code>credential.revoked</code>" in r)
    assert "<td>Edith</td>" in row  # the member's display name, not user:<id>
    assert f'href="/console/wmde/credentials/{credential}"' in row
    assert "reason: Wrong person" in row
    assert "<td>test</td>" in page.text  # the API token's name
    assert "<td>Command line</td>" in page.text
    assert '<option value="credential.">credential.*</option>' in page.text


def test_the_filters_narrow_the_trail(
    console_client: ConsoleClient, client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    credential = issue_over_api(client, headers, achievement_id)["id"]
    revoke_in_console(console_client, credential)
    viewer = console_client("viewer")
    by_action = viewer.get(PAGE, params={"action": "credential.revoked"}, headers=HTML).text
    assert actions(by_action) == ["credential.revoked"]
    assert '<option value="credential.revoked" selected>' in by_action
    by_prefix = viewer.get(PAGE, params={"action": "credential."}, headers=HTML).text
    assert actions(by_prefix) == ["credential.revoked", "credential.issued"]
    everything = viewer.get(PAGE, headers=HTML).text
    edith = re.search(r'<option value="(user:[0-9a-f-]+)">Edith</option>', everything)
    assert edith, everything
    by_actor = viewer.get(PAGE, params={"actor": edith.group(1)}, headers=HTML).text
    assert actions(by_actor) == ["credential.revoked"]
    past = viewer.get(PAGE, params={"before": "2000-01-01"}, headers=HTML).text
    assert actions(past) == []
    assert "No event matches this filter." in past
    since = viewer.get(PAGE, params={"since": "2000-01-01"}, headers=HTML).text
    assert actions(since) == actions(everything)


def test_a_bad_date_is_shown_next_to_its_field(console_client: ConsoleClient) -> None:
    page = console_client("viewer").get(PAGE, params={"since": "soon"}, headers=HTML)
    assert page.status_code == 422
    assert 'id="audit-since-error"' in page.text
    assert 'role="alert"' in page.text


def test_the_trail_needs_membership(console_client: ConsoleClient, client: TestClient) -> None:
    assert client.get(PAGE, headers=HTML).status_code == 401
    assert console_client(None).get(PAGE, headers=HTML).status_code == 404
