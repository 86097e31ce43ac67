"""The shared catalogue in the console: the editor's Share checkbox (Competency only, the
issuer named creator), and the issue pages offering another issuer's shared skills "from the
shared catalogue", issued with this issuer's signature."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Credential
from badgeservice.services.issuers import get_issuer
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token
from tests.integration.console.conftest import CONSOLE, HTML, ConsoleClient, csrf_of
from tests.integration.console.test_achievements import FORM, NEW, post
from tests.integration.console.test_issue import (
    GOOD_CSV,
    hidden,
    issue_previewed,
    one_person,
    upload,
)
from tests.integration.test_batches_api import worker

SKILL = ACHIEVEMENT | {
    "achievementType": "Competency",
    "shared": True,
    "name": {"en": "Organising an edit-a-thon", "fr": "Organiser un édithon"},
    "description": {"en": "Ran an edit-a-thon.", "fr": "A organisé un édithon."},
}


def other_issuers_skill(client: TestClient, session: Session) -> str:
    """A skill ``wmfr`` shares in the catalogue (and one it keeps to itself)."""
    wmfr = bearer(create_token(session, create_issuer(session, slug="wmfr", name="WM France")))
    made = client.post("/api/v1/issuers/wmfr/achievements", json=SKILL, headers=wmfr)
    assert made.status_code == 201, made.text
    kept = client.post("/api/v1/issuers/wmfr/achievements", json=ACHIEVEMENT, headers=wmfr)
    assert kept.status_code == 201, kept.text
    return str(made.json()["id"])


def test_the_editor_shares_a_competency_and_names_its_issuer_creator(
    console_client: ConsoleClient, session: Session
) -> None:
    editor = console_client("editor")
    refused = post(editor, NEW, FORM | {"shared": "1", "action": "save"})
    assert refused.status_code == 422, refused.text
    assert "Competency" in refused.text
    assert session.scalars(select(Achievement)).all() == []
    response = post(editor, NEW, FORM | {"shared": "1", "achievementType": "Competency"})
    assert response.status_code == 303, response.text
    session.rollback()
    [achievement] = session.scalars(select(Achievement)).all()
    wmde = get_issuer(session, "wmde")
    assert achievement.shared is True
    assert achievement.creator == {"id": wmde.did, "name": wmde.name}
    page = editor.get(response.headers["location"], headers=HTML).text
    assert re.search(r'<input id="shared" name="shared" type="checkbox" value="1" checked', page)


def test_the_issue_page_offers_and_issues_a_skill_from_the_shared_catalogue(
    console_client: ConsoleClient,
    client: TestClient,
    session: Session,
    achievement_id: str,
) -> None:
    skill = other_issuers_skill(client, session)
    editor = console_client("editor")
    page = editor.get(f"{CONSOLE}/issue", headers=HTML, params={"lang": "fr"})
    assert page.status_code == 200
    # Both forms (one person, a CSV file): only the shared one of wmfr's two achievements,
    # named with its defining issuer; wmde's own stays outside the group.
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', page.text, re.S)
    assert len(groups) == 2, page.text
    for _label, options in groups:
        assert re.findall(r'<option value="([^"]+)"', options) == [skill]
        assert "WM France" in options
        assert achievement_id not in options
    assert f'<option value="{achievement_id}"' in page.text

    form = one_person(skill, hidden(page.text, "csrf"), hidden(page.text, "key"))
    issued = editor.post(f"{CONSOLE}/issue", data=form, headers=HTML, follow_redirects=False)
    assert issued.status_code == 303, issued.text
    session.rollback()
    credential = session.scalars(select(Credential)).one()
    assert credential.issuer_id == get_issuer(session, "wmde").id
    assert credential.achievement_id == uuid.UUID(skill)
    shown = editor.get(issued.headers["location"], headers=HTML)
    assert shown.status_code == 200


def test_the_event_page_offers_the_catalogue_too(
    console_client: ConsoleClient, client: TestClient, session: Session
) -> None:
    skill = other_issuers_skill(client, session)
    editor = console_client("editor")
    page = editor.get(f"{CONSOLE}/issue/event", headers=HTML)
    assert page.status_code == 200
    assert f'<option value="{skill}"' in page.text
    assert "<optgroup" in page.text
    assert csrf_of(editor, f"{CONSOLE}/issue/event")


def test_a_csv_file_is_previewed_and_issued_with_a_shared_skill(
    app: FastAPI, console_client: ConsoleClient, client: TestClient, session: Session
) -> None:
    skill = other_issuers_skill(client, session)
    editor = console_client("editor")
    preview = upload(editor, csrf_of(editor, f"{CONSOLE}/issue"), skill, GOOD_CSV)
    assert preview.status_code == 200, preview.text
    assert "Issue 2 credentials" in preview.text
    issued = issue_previewed(editor, preview.text)
    assert issued.status_code == 303, issued.text
    worker(app).run(until_idle=True)
    session.rollback()
    wmde = get_issuer(session, "wmde")
    made = session.scalars(select(Credential)).all()
    assert len(made) == 2
    assert all(c.issuer_id == wmde.id and c.achievement_id == uuid.UUID(skill) for c in made)
