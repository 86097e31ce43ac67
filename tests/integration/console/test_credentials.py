"""The console's credentials: search, the credential's page, and its forms (revoke, suspend,
lift the suspension, mail again), through the services the API calls."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import AuditEvent, Credential, MailMessage
from tests.factories import ISSUER_API, issue_over_api
from tests.integration.console.conftest import (
    CONSOLE,
    HTML,
    ConsoleClient,
    add_member,
    csrf_of,
    sign_in_as,
)

PAGES = f"{CONSOLE}/credentials"


def issue(client: TestClient, headers: dict[str, str], achievement: str, **body: Any) -> str:
    return str(issue_over_api(client, headers, achievement, notify=False, **body)["id"])


def rows(page: str) -> list[str]:
    """The credential ids linked from the result table."""
    return re.findall(r'href="/console/wmde/credentials/([0-9a-f-]{36})"', page)


def post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    return client.post(path, data=data, headers=HTML, follow_redirects=False)


@pytest.fixture
def issued(client: TestClient, headers: dict[str, str], achievement_id: str) -> dict[str, str]:
    return {
        "email": issue(client, headers, achievement_id, recipient={"email": "ada@example.org"}),
        "username": issue(
            client, headers, achievement_id, recipient={"wikimediaUsername": "Grace Hopper"}
        ),
        "did": issue(
            client, headers, achievement_id, recipient={"did": "did:example:linus", "name": "Linus"}
        ),
        "suspendable": issue(
            client, headers, achievement_id, recipient={"email": "s@example.org"}, suspendable=True
        ),
    }


def test_search_finds_by_email_username_did_and_state(
    console_client: ConsoleClient, headers: dict[str, str], issued: dict[str, str]
) -> None:
    viewer = console_client("viewer")
    everything = viewer.get(PAGES, headers=HTML)
    assert everything.status_code == 200
    assert set(rows(everything.text)) == set(issued.values())
    assert "email (hidden)" in everything.text
    assert "Wikimedia username (hidden)" in everything.text
    assert "did:example:linus" in everything.text
    assert "Linus" in everything.text
    for typed, kind in [
        ("ADA@example.org", "email"),
        ("Grace_Hopper", "username"),
        ("User:Grace Hopper", "username"),
        ("did:example:linus", "did"),
    ]:
        assert rows(viewer.get(PAGES, params={"recipient": typed}, headers=HTML).text) == [
            issued[kind]
        ]
    client = console_client("editor")
    path = f"{PAGES}/{issued['did']}"
    done = post(client, f"{path}/revoke", {"csrf": csrf_of(client, path), "confirm": "yes"})
    assert done.status_code == 303, done.text
    revoked = viewer.get(PAGES, params={"state": "revoked"}, headers=HTML).text
    assert rows(revoked) == [issued["did"]]
    active = viewer.get(PAGES, params={"state": "active"}, headers=HTML).text
    assert set(rows(active)) == set(issued.values()) - {issued["did"]}


def test_search_filters_by_achievement_and_dates(
    console_client: ConsoleClient, issued: dict[str, str], achievement_id: str
) -> None:
    viewer = console_client("viewer")
    page = viewer.get(PAGES, params={"achievement": achievement_id}, headers=HTML).text
    assert len(rows(page)) == 4
    assert f'<option value="{achievement_id}" selected>' in page
    assert rows(viewer.get(PAGES, params={"issued_to": "2000-01-01"}, headers=HTML).text) == []
    later = viewer.get(PAGES, params={"issued_from": "2000-01-01"}, headers=HTML).text
    assert len(rows(later)) == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [({"recipient": "ada@"}, "recipient"), ({"issued_from": "yesterday"}, "issued_from")],
)
def test_bad_search_input_is_shown_next_to_the_field(
    console_client: ConsoleClient, params: dict[str, str], field: str
) -> None:
    page = console_client("viewer").get(PAGES, params=params, headers=HTML)
    assert page.status_code == 422
    assert f'id="search-{field}-error"' in page.text
    assert 'role="alert"' in page.text


def test_search_pages_through_many_results(
    console_client: ConsoleClient, client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    for number in range(27):
        issue(client, headers, achievement_id, recipient={"email": f"p{number}@example.org"})
    viewer = console_client("viewer")
    first = viewer.get(PAGES, params={"state": "active"}, headers=HTML).text
    assert len(rows(first)) == 25
    assert "Page 1 of 2" in first
    following = re.search(r'href="([^"]+)" rel="next"', first)
    assert following
    second = viewer.get(html.unescape(following.group(1)), headers=HTML).text
    assert len(rows(second)) == 2
    assert "state=active" in html.unescape(following.group(1))
    assert viewer.get(PAGES, params={"page": "x"}, headers=HTML).status_code == 200


def test_the_credential_page_shows_it_and_its_links(
    console_client: ConsoleClient, issued: dict[str, str]
) -> None:
    page = console_client("viewer").get(f"{PAGES}/{issued['did']}", headers=HTML)
    assert page.status_code == 200
    assert "Wikipedia editing basics" in page.text
    assert f'href="/credentials/{issued["did"]}"' in page.text
    assert f'href="/credentials/{issued["did"]}.json"' in page.text
    assert "/revoke" not in page.text  # a viewer gets no forms
    editor = console_client("editor").get(f"{PAGES}/{issued['did']}", headers=HTML).text
    assert "/revoke" in editor
    assert "/resend-mail" in editor
    assert "/suspend" not in editor  # issued without a suspension entry
    assert console_client("viewer").get(f"{PAGES}/nonsense", headers=HTML).status_code == 404


def test_revoking_needs_the_confirmation_and_then_changes_the_status_list_and_public_page(
    console_client: ConsoleClient,
    client: TestClient,
    headers: dict[str, str],
    issued: dict[str, str],
    session: Session,
) -> None:
    editor = console_client("editor")
    path = f"{PAGES}/{issued['email']}"
    document = client.get(f"/credentials/{issued['email']}.json").json()
    list_path = urlsplit(document["credentialStatus"]["statusListCredential"]).path
    before = client.get(list_path).content
    unconfirmed = post(editor, f"{path}/revoke", {"csrf": csrf_of(editor, path), "reason": "x"})
    assert unconfirmed.status_code == 422
    assert 'id="revoke-confirm-error"' in unconfirmed.text
    assert ">x</textarea>" in unconfirmed.text  # the reason typed is kept
    assert client.get(list_path).content == before
    data = {"csrf": csrf_of(editor, path), "reason": "Issued by mistake", "confirm": "yes"}
    done = post(editor, f"{path}/revoke", data)
    assert done.status_code == 303
    assert done.headers["location"] == f"{path}?notice=revoked"
    shown = editor.get(done.headers["location"], headers=HTML).text
    assert "The credential is revoked." in shown
    assert "Issued by mistake" in shown
    assert client.get(list_path).content != before
    assert "Revoked." in client.get(f"/credentials/{issued['email']}", headers=HTML).text
    api = client.get(f"{ISSUER_API}/credentials/{issued['email']}", headers=headers).json()
    assert api["state"] == "revoked"
    session.rollback()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "credential.revoked"))
    assert event is not None
    assert event.actor.startswith("user:")
    assert event.details == {"reason": "Issued by mistake"}


def test_suspend_and_lift_the_suspension(
    console_client: ConsoleClient,
    client: TestClient,
    headers: dict[str, str],
    issued: dict[str, str],
) -> None:
    editor = console_client("editor")
    path = f"{PAGES}/{issued['suspendable']}"
    assert "/suspend" in editor.get(path, headers=HTML).text
    suspended = post(editor, f"{path}/suspend", {"csrf": csrf_of(editor, path), "reason": "Check"})
    assert suspended.status_code == 303
    api = f"{ISSUER_API}/credentials/{issued['suspendable']}"
    assert client.get(api, headers=headers).json()["state"] == "suspended"
    page = editor.get(path, headers=HTML).text
    assert "/unsuspend" in page
    assert "Check" in page
    lifted = post(editor, f"{path}/unsuspend", {"csrf": csrf_of(editor, path)})
    assert lifted.status_code == 303
    assert lifted.headers["location"].endswith("notice=unsuspended")
    assert client.get(api, headers=headers).json()["state"] == "active"


def test_suspending_what_cannot_be_suspended_says_so(
    console_client: ConsoleClient, issued: dict[str, str]
) -> None:
    editor = console_client("editor")
    path = f"{PAGES}/{issued['email']}"
    refused = post(editor, f"{path}/suspend", {"csrf": csrf_of(editor, path)})
    assert refused.status_code == 409
    assert "it can only be revoked" in refused.text


@pytest.mark.parametrize("action", ["revoke", "suspend", "unsuspend", "resend-mail"])
def test_a_viewers_post_is_403_and_a_bad_csrf_is_403(
    console_client: ConsoleClient, issued: dict[str, str], action: str, session: Session
) -> None:
    path = f"{PAGES}/{issued['suspendable']}"
    viewer = console_client("viewer")
    data = {"csrf": csrf_of(viewer, "/me"), "confirm": "yes"}  # the viewer's page has no form
    assert post(viewer, f"{path}/{action}", data).status_code == 403
    editor = console_client("editor")
    for csrf in ("wrong", None):
        forged = {"confirm": "yes"} | ({"csrf": csrf} if csrf else {})
        response = post(editor, f"{path}/{action}", forged)
        assert response.status_code == 403
        assert "This form has expired" in response.text
    session.rollback()
    changes = select(AuditEvent).where(
        AuditEvent.subject_id == issued["suspendable"], AuditEvent.action != "credential.issued"
    )
    assert session.scalars(changes).all() == []


# -- mailing again: an app that sends mail ----------------------------------------------------


@pytest.fixture
def mail_editor(
    sign_in_app: FastAPI, session: Session, headers: dict[str, str]
) -> Iterator[TestClient]:
    """An editor of ``wmde`` in a browser on the app that sends mail (the outbox only)."""
    with TestClient(sign_in_app, raise_server_exceptions=False) as browser:
        add_member(session, "mailer@example.org", "editor")
        sign_in_as(browser, session, "mailer@example.org", "mailer", "Mia Mailer")
        yield browser


def outbox(session: Session) -> list[tuple[str | None, str]]:
    session.rollback()
    return [(m.to_address, m.context["credential"]) for m in session.scalars(select(MailMessage))]


def test_resend_mail_puts_a_message_in_the_outbox(
    mail_editor: TestClient,
    client: TestClient,
    headers: dict[str, str],
    issued: dict[str, str],
    session: Session,
) -> None:
    path = f"{PAGES}/{issued['email']}"
    sent = post(
        mail_editor,
        f"{path}/resend-mail",
        {"csrf": csrf_of(mail_editor, path), "email": "Ada@Example.org"},
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].endswith("notice=mail_resent")
    assert "on its way" in mail_editor.get(sent.headers["location"], headers=HTML).text
    assert outbox(session) == [("ada@example.org", issued["email"])]


@pytest.mark.parametrize(
    ("kind", "email", "status", "words"),
    [
        ("email", "eve@example.org", 422, "not the email address the credential was issued to"),
        ("email", "eve", 422, "This is not an email address."),
        ("did", "", 409, "No email address is known for this recipient"),
    ],
)
def test_resend_mail_refused_says_why_next_to_the_field(
    mail_editor: TestClient,
    issued: dict[str, str],
    session: Session,
    kind: str,
    email: str,
    status: int,
    words: str,
) -> None:
    path = f"{PAGES}/{issued[kind]}"
    refused = post(
        mail_editor, f"{path}/resend-mail", {"csrf": csrf_of(mail_editor, path), "email": email}
    )
    assert refused.status_code == status
    assert words in refused.text
    if status == 422:
        assert 'id="resend-email-error"' in refused.text
    assert outbox(session) == []


class Controls(HTMLParser):
    """Every id on a page, the form controls' ids and the labels' targets."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.controls: list[str | None] = []
        self.labelled: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))
        if tag in {"input", "select", "textarea"} and found.get("type") != "hidden":
            self.controls.append(found.get("id"))


@pytest.mark.parametrize("language", ["en", "de", "ar"])
def test_the_pages_label_every_field_with_unique_ids_in_every_language(
    console_client: ConsoleClient, issued: dict[str, str], language: str
) -> None:
    owner = console_client("owner")
    path = f"{PAGES}/{issued['suspendable']}"
    post(owner, f"{path}/suspend", {"csrf": csrf_of(owner, path)})
    for shown in (
        PAGES,
        f"{PAGES}?recipient=ada@",
        path,
        f"{PAGES}/{issued['email']}",
        f"{CONSOLE}/audit",
    ):
        response = owner.get(shown, params={"lang": language}, headers=HTML)
        assert response.status_code in (200, 422), response.text
        assert f'<html lang="{language}"' in response.text
        page = Controls(response.text)
        assert len(page.ids) == len(set(page.ids)), shown
        assert page.controls, shown
        assert all(control in page.labelled for control in page.controls), shown


def test_a_nul_in_a_form_field_is_refused_and_changes_nothing(
    console_client: ConsoleClient, issued: dict[str, str], session: Session
) -> None:
    editor = console_client("editor")
    path = f"{PAGES}/{issued['email']}"
    data = {"csrf": csrf_of(editor, path), "reason": "a\x00b", "confirm": "yes"}
    refused = post(editor, f"{path}/revoke", data)
    assert refused.status_code == 422
    session.rollback()
    credential = session.get(Credential, uuid.UUID(issued["email"]))
    assert credential is not None
    assert credential.revoked_at is None
