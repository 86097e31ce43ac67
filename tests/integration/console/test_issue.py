"""The console's Issue area: one person, a CSV file previewed then issued, a batch's progress
and results."""

from __future__ import annotations

import base64
import csv
import io
import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.db.models import Batch, BatchItem, Credential, IdempotencyKey
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token, issue_over_api
from tests.integration.console.conftest import CONSOLE, HTML, ConsoleClient, csrf_of
from tests.integration.test_batches_api import count, worker

ISSUE = f"{CONSOLE}/issue"
GOOD_CSV = "name,email\nAda,ada@example.org\nGrace,grace@example.org\n"
BAD_CSV = "name,email\nAda,ada@example.org\nNobody,not-an-email\n"


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, html
    return match.group(1)


def one_person(achievement_id: str, csrf: str, key: str, **fields: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "key": key,
        "achievement": achievement_id,
        "kind": "email",
        "recipient": "ada@example.org",
        "name": "Ada Lovelace",
        "notify": "on",
    } | fields


def test_one_person_is_issued_once_however_often_the_form_is_sent(
    console_client: ConsoleClient, session: Session, achievement_id: str
) -> None:
    editor = console_client("editor")
    page = editor.get(ISSUE, headers=HTML)
    assert page.status_code == 200
    form = one_person(achievement_id, hidden(page.text, "csrf"), hidden(page.text, "key"))
    first = editor.post(ISSUE, data=form, headers=HTML, follow_redirects=False)
    assert first.status_code == 303, first.text
    second = editor.post(ISSUE, data=form, headers=HTML, follow_redirects=False)
    assert second.headers["location"] == first.headers["location"]
    credential = session.query(Credential).one()
    assert first.headers["location"].startswith(f"{CONSOLE}/credentials/{credential.id}")
    assert credential.recipient_name == "Ada Lovelace"
    assert count(session, IdempotencyKey) == 1


def test_one_person_with_a_bad_recipient_shows_the_error_next_to_the_field(
    console_client: ConsoleClient, session: Session, achievement_id: str
) -> None:
    editor = console_client("editor")
    csrf = csrf_of(editor, ISSUE)
    form = one_person(achievement_id, csrf, str(uuid.uuid4()), recipient="not-an-email")
    response = editor.post(ISSUE, data=form, headers=HTML)
    assert response.status_code == 422
    assert 'id="recipient-error"' in response.text
    assert "Not a valid email address." in response.text
    assert 'aria-describedby="recipient-error"' in response.text
    assert 'role="alert"' in response.text
    other = one_person(str(uuid.uuid4()), csrf, str(uuid.uuid4()), language="xx")
    assert 'id="achievement-error"' in editor.post(ISSUE, data=other, headers=HTML).text
    assert count(session, Credential) == 0


def upload(client: TestClient, csrf: str, achievement_id: str, text: str, **extra: str) -> Any:
    data = {"csrf": csrf, "achievement": achievement_id, "notify": "on"} | extra
    files = {"file": ("people.csv", text.encode(), "text/csv")}
    return client.post(f"{ISSUE}/preview", data=data, files=files, headers=HTML)


def test_a_csv_with_a_bad_row_is_shown_and_nothing_is_issued(
    console_client: ConsoleClient, session: Session, achievement_id: str
) -> None:
    editor = console_client("editor")
    preview = upload(editor, csrf_of(editor, ISSUE), achievement_id, BAD_CSV)
    assert preview.status_code == 200, preview.text
    assert 'class="row-error"' in preview.text
    assert "Not a valid email address." in preview.text
    assert "not-an-email" in preview.text  # the uploader's own file, shown back
    assert "Nothing can be issued yet" in preview.text
    assert f'action="{ISSUE}/csv"' not in preview.text
    assert 'enctype="multipart/form-data"' in preview.text  # upload a fixed file
    assert count(session, Batch) == 0
    assert count(session, Credential) == 0


def test_a_tampered_csv_with_a_bad_row_is_refused_at_issue(
    console_client: ConsoleClient, session: Session, achievement_id: str
) -> None:
    editor = console_client("editor")
    data = {
        "csrf": csrf_of(editor, ISSUE),
        "key": str(uuid.uuid4()),
        "achievement": achievement_id,
        "csv": base64.b64encode(BAD_CSV.encode()).decode(),
    }
    response = editor.post(f"{ISSUE}/csv", data=data, headers=HTML)
    assert response.status_code == 422
    assert count(session, Batch) == 0


def issue_previewed(client: TestClient, preview_html: str) -> Any:
    names = ("csrf", "key", "csv", "achievement")
    data = {name: hidden(preview_html.split(f'action="{ISSUE}/csv"')[1], name) for name in names}
    data |= {"notify": "on"} if 'name="notify" value="on"' in preview_html else {}
    return client.post(f"{ISSUE}/csv", data=data, headers=HTML, follow_redirects=False)


def test_a_fixed_csv_is_issued_once_and_its_progress_shown(
    app: FastAPI, console_client: ConsoleClient, session: Session, achievement_id: str
) -> None:
    editor = console_client("editor")
    preview = upload(editor, csrf_of(editor, ISSUE), achievement_id, GOOD_CSV)
    assert "Issue 2 credentials" in preview.text
    first = issue_previewed(editor, preview.text)
    assert first.status_code == 303, first.text
    again = issue_previewed(editor, preview.text)
    assert again.headers["location"] == first.headers["location"]
    assert count(session, Batch) == 1
    page_url = first.headers["location"].split("?")[0]
    pending = editor.get(page_url, headers=HTML)
    assert pending.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in pending.text
    assert "0 of 2" in pending.text
    assert "<progress" in pending.text
    worker(app).run(until_idle=True)
    done = editor.get(page_url, headers=HTML)
    assert 'http-equiv="refresh"' not in done.text
    assert "2 of 2" in done.text
    assert done.text.count(f'href="{CONSOLE}/credentials/') == 2
    assert f'href="{page_url}/results.csv"' in done.text
    listing = editor.get(f"{CONSOLE}/batches", headers=HTML)
    assert page_url in listing.text
    assert "2 of 2" in listing.text


def test_warnings_let_the_file_be_issued(
    console_client: ConsoleClient, client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    issue_over_api(client, headers, achievement_id, recipient={"email": "grace@example.org"})
    editor = console_client("editor")
    text = GOOD_CSV + "Ada again,ADA@example.org\n"
    preview = upload(editor, csrf_of(editor, ISSUE), achievement_id, text)
    assert preview.text.count('class="row-warning"') == 2
    assert "The same recipient as an earlier row." in preview.text
    assert "already holds an active credential" in preview.text
    assert "Issue 3 credentials" in preview.text


def test_a_file_that_is_no_csv_batch_shows_the_error_next_to_the_file(
    console_client: ConsoleClient, session: Session, achievement_id: str
) -> None:
    editor = console_client("editor")
    csrf = csrf_of(editor, ISSUE)
    for content in ("colour,size\nred,L\n", "\udcff"):
        files = {"file": ("x.csv", content.encode("utf-8", "surrogateescape"), "text/csv")}
        data = {"csrf": csrf, "achievement": achievement_id}
        response = editor.post(f"{ISSUE}/preview", data=data, files=files, headers=HTML)
        assert response.status_code == 422
        assert 'id="csv-file-error"' in response.text
    assert count(session, Batch) == 0


def test_a_viewer_and_a_bad_csrf_token_cannot_issue(
    console_client: ConsoleClient, session: Session, achievement_id: str
) -> None:
    viewer, editor = console_client("viewer"), console_client("editor", handle="ed")
    assert viewer.get(ISSUE, headers=HTML).status_code == 403
    csrf = csrf_of(viewer, f"{CONSOLE}/batches")
    form = one_person(achievement_id, csrf, str(uuid.uuid4()))
    assert viewer.post(ISSUE, data=form, headers=HTML).status_code == 403
    assert upload(viewer, csrf, achievement_id, GOOD_CSV).status_code == 403
    wrong = one_person(achievement_id, "not-the-token", str(uuid.uuid4()))
    assert editor.post(ISSUE, data=wrong, headers=HTML).status_code == 403
    assert upload(editor, "", achievement_id, GOOD_CSV).status_code == 403
    assert count(session, Credential) == 0
    assert count(session, BatchItem) == 0


def test_the_results_csv_is_escaped_and_another_issuers_batch_is_hidden(
    app: FastAPI,
    console_client: ConsoleClient,
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
) -> None:
    recipients = [
        {"recipient": {"did": "did:example:1", "name": "=cmd|' /C calc'!A0"}},
        {"recipient": {"email": "bad", "name": "@bad"}},
    ]
    body = {"achievementId": achievement_id, "recipients": recipients}
    batch = client.post("/api/v1/issuers/wmde/batches", json=body, headers=headers).json()
    worker(app).run(until_idle=True)
    viewer = console_client("viewer")
    response = viewer.get(f"{CONSOLE}/batches/{batch['id']}/results.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    lines = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert [line[:3] for line in lines[1:]] == [
        ["1", "done", "'=cmd|' /C calc'!A0"],
        ["2", "error", "'@bad"],
    ]
    page = viewer.get(f"{CONSOLE}/batches/{batch['id']}", headers=HTML)
    assert "Not a valid email address." in page.text
    assert 'class="row-error"' in page.text
    for path in (
        f"/batches/{uuid.uuid4()}",
        "/batches/not-an-id",
        f"/batches/{uuid.uuid4()}/results.csv",
    ):
        assert viewer.get(f"{CONSOLE}{path}", headers=HTML).status_code == 404


def test_another_issuers_batch_is_not_found_in_the_console(
    console_client: ConsoleClient, client: TestClient, session: Session
) -> None:
    other = bearer(create_token(session, create_issuer(session, slug="wmfr", name="WMFR")))
    api = "/api/v1/issuers/wmfr"
    achievement = client.post(f"{api}/achievements", json=ACHIEVEMENT, headers=other).json()
    body = {"achievementId": achievement["id"], "recipients": [{"recipient": {"did": "did:x:1"}}]}
    batch = client.post(f"{api}/batches", json=body, headers=other).json()
    owner = console_client("owner")
    for path in (f"/batches/{batch['id']}", f"/batches/{batch['id']}/results.csv"):
        assert owner.get(f"{CONSOLE}{path}", headers=HTML).status_code == 404
    assert batch["id"] not in owner.get(f"{CONSOLE}/batches", headers=HTML).text


@pytest.mark.database_independent
def test_the_issue_page_is_in_the_visitors_language_down_to_the_csv_form(
    console_client: ConsoleClient, achievement_id: str
) -> None:
    page = console_client("editor").get(CONSOLE + "/issue?lang=ja", headers=HTML).text
    assert "ファイルを確認" in page
    assert "Check the file" not in page
