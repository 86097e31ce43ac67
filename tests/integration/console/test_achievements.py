"""The console's achievements: the list, the editor (texts per language side by side, image,
alignments, results), its preview of the credential page, and who may do what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement
from tests.factories import ISSUER_API, bearer, create_issuer, create_token, make_png
from tests.integration.console.conftest import CONSOLE, HTML, ConsoleClient, csrf_of
from tests.integration.test_reads_do_not_write import snapshot

NEW = f"{CONSOLE}/achievements/new"
FORM = {
    "languages": "en de",
    "defaultLanguage": "en",
    "name[en]": "Editing basics",
    "name[de]": "Grundlagen",
    "description[en]": "Edited an article.",
    "description[de]": "Einen Artikel bearbeitet.",
    "narrative[en]": "Attend the workshop.",
    "narrative[de]": "Am Workshop teilnehmen.",
    "achievementType": "Badge",
    "tags": "wikipedia\nediting",
    "alignments[0][targetName]": "edit wikis",
    "alignments[0][targetUrl]": "http://data.europa.eu/esco/skill/x",
    "alignments[0][targetFramework]": "ESCO",
}
PNG = ("badge.png", make_png(), "image/png")


def post(
    client: TestClient, path: str, fields: dict[str, str], files: dict[str, Any] | None = None
) -> Any:
    data = {"csrf": csrf_of(client, NEW if path == NEW else path)} | fields
    return client.post(path, data=data, files=files, headers=HTML, follow_redirects=False)


def stored(session: Session) -> list[Achievement]:
    session.rollback()
    return list(session.scalars(select(Achievement)))


def test_an_editor_creates_a_two_language_achievement_with_an_image(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    editor = console_client("editor")
    response = post(editor, NEW, FORM | {"action": "save"}, files={"image": PNG})
    assert response.status_code == 303, response.text
    [achievement] = stored(session)
    assert response.headers["location"].startswith(f"{CONSOLE}/achievements/{achievement.id}")
    assert achievement.name == {"en": "Editing basics", "de": "Grundlagen"}
    assert achievement.image_id is not None
    api = client.get(f"{ISSUER_API}/achievements/{achievement.id}", headers=headers).json()
    assert api["languages"] == ["en", "de"]
    assert api["alignments"][0]["targetFramework"] == "ESCO"
    page = editor.get(response.headers["location"], headers=HTML)
    assert page.status_code == 200
    assert "The achievement is saved." in page.text
    assert 'value="Grundlagen"' in page.text
    listing = editor.get(f"{CONSOLE}/achievements", headers=HTML)
    assert "Editing basics" in listing.text
    assert f"/console/wmde/achievements/{achievement.id}" in listing.text


def test_an_editor_edits_an_achievement_made_through_the_api(
    console_client: ConsoleClient, session: Session, achievement_id: str
) -> None:
    editor = console_client("editor")
    path = f"{CONSOLE}/achievements/{achievement_id}"
    page = editor.get(path, headers=HTML).text
    assert 'value="Wikipedia editing basics"' in page
    fields = FORM | {"name[en]": "Renamed", "action": "save"}
    response = post(editor, path, fields)
    assert response.status_code == 303, response.text
    [achievement] = stored(session)
    assert achievement.name["en"] == "Renamed"
    assert achievement.revision == 2


def test_preview_shows_the_credential_page_and_writes_nothing(
    console_client: ConsoleClient, test_engine: Engine
) -> None:
    editor = console_client("editor")
    csrf = csrf_of(editor, NEW)
    before = snapshot(test_engine, skip=("web_sessions", "last_seen_at"))
    data = {"csrf": csrf, "action": "preview", "previewLanguage": "de"} | FORM
    response = editor.post(NEW, data=data, files={"image": PNG}, headers=HTML)
    assert response.status_code == 200, response.text
    assert "Preview of the credential page" in response.text
    preview = response.text.split('id="preview"', 1)[1]
    assert "<h2" in preview
    assert "Grundlagen" in preview
    assert "Am Workshop teilnehmen." in preview
    assert "data:image/png;base64," in preview
    assert "edit wikis" in preview
    assert snapshot(test_engine, skip=("web_sessions", "last_seen_at")) == before


def test_a_bad_image_is_refused_with_the_apis_message(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    bad = make_png()[:-8]
    api = client.post(f"{ISSUER_API}/achievements", json=_body(), headers=headers).json()
    refused = client.put(
        f"{ISSUER_API}/achievements/{api['id']}/image",
        content=bad,
        headers=headers | {"Content-Type": "image/png"},
    ).json()["errors"][0]["detail"]
    editor = console_client("editor")
    response = post(editor, NEW, FORM | {"action": "save"}, files={"image": ("b.png", bad)})
    assert response.status_code == 422
    assert f'<p class="field-error" id="image-error">{refused}</p>' in response.text
    assert 'aria-describedby="image-error"' in response.text
    assert len(stored(session)) == 1  # the API's; the console saved nothing


def _body() -> dict[str, Any]:
    return {"name": {"en": "x"}, "description": {"en": "y"}, "criteria": {"url": "https://e.org"}}


def test_errors_are_shown_next_to_their_fields_and_at_the_top(
    console_client: ConsoleClient, session: Session
) -> None:
    fields = FORM | {"alignments[0][targetUrl]": "not a url", "action": "save"}
    response = post(console_client("editor"), NEW, fields)
    assert response.status_code == 422
    assert 'id="alignments-0-targetUrl" name="alignments[0][targetUrl]"' in response.text
    assert 'id="alignments-0-targetUrl-error"' in response.text
    assert 'role="alert"' in response.text
    assert 'href="#alignments-0-targetUrl"' in response.text
    assert 'value="not a url"' in response.text
    assert stored(session) == []


def test_the_editor_says_what_each_language_lacks_and_adds_a_language(
    console_client: ConsoleClient,
) -> None:
    fields = FORM | {"description[de]": "", "action": "add-language", "addLanguage": "fr"}
    response = post(console_client("editor"), NEW, fields)
    assert response.status_code == 200
    assert "Missing in Deutsch: description" in response.text
    assert "Missing in Français: name, description, criteria" in response.text
    assert 'id="name-fr"' in response.text
    assert 'name="languages" value="en de fr"' in response.text


def test_alignment_rows_are_added_and_removed(console_client: ConsoleClient) -> None:
    editor = console_client("editor")
    added = post(editor, NEW, FORM | {"action": "add-alignment"})
    assert 'id="alignments-1-targetName"' in added.text
    removed = post(editor, NEW, FORM | {"action": "remove-alignment:0"})
    assert 'id="alignments-0-targetName"' not in removed.text


def test_a_viewer_sees_the_achievements_but_cannot_save(
    console_client: ConsoleClient, session: Session, achievement_id: str
) -> None:
    viewer = console_client("viewer")
    assert viewer.get(f"{CONSOLE}/achievements", headers=HTML).status_code == 200
    path = f"{CONSOLE}/achievements/{achievement_id}"
    page = viewer.get(path, headers=HTML)
    assert page.status_code == 200
    assert " disabled" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    for target in (path, NEW):
        data = {"csrf": csrf.group(1), "action": "save"} | FORM
        assert viewer.post(target, data=data, headers=HTML).status_code == 403
    assert viewer.get(NEW, headers=HTML).status_code == 403
    assert stored(session)[0].revision == 1


@pytest.mark.parametrize("csrf", [None, "wrong"])
def test_a_form_without_this_sessions_csrf_token_is_refused(
    console_client: ConsoleClient, session: Session, csrf: str | None
) -> None:
    editor = console_client("editor")
    data = FORM | {"action": "save"} | ({"csrf": csrf} if csrf else {})
    response = editor.post(NEW, data=data, headers=HTML)
    assert response.status_code == 403
    assert stored(session) == []


def test_another_issuers_achievement_is_not_found(
    console_client: ConsoleClient, session: Session, client: TestClient
) -> None:
    other = create_issuer(session, slug="other", name="Other chapter")
    other_headers = bearer(create_token(session, other))
    made = client.post("/api/v1/issuers/other/achievements", json=_body(), headers=other_headers)
    path = f"{CONSOLE}/achievements/{made.json()['id']}"
    editor = console_client("editor")
    assert editor.get(path, headers=HTML).status_code == 404
    csrf = csrf_of(editor, NEW)
    response = editor.post(path, data={"csrf": csrf, "action": "save"} | FORM, headers=HTML)
    assert response.status_code == 404
