"""The console's API tokens page: a token made here works against the API with exactly its
scopes, its secret is shown once, and tokens are revoked here."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.clock import SystemClock
from badgeservice.db.models import ApiToken, AuditEvent
from badgeservice.services import issuers
from tests.factories import ISSUER_API, bearer, create_issuer, create_token
from tests.integration.console.conftest import CONSOLE, HTML, ConsoleClient
from tests.integration.console.forms import post_form

TOKENS = f"{CONSOLE}/tokens"
SECRET = re.compile(r"bst_[\w-]{20}")  # more than a listed prefix
FORM = {"name": "Reporting", "scope:issuer:read": "1", "scope:credentials:read": "1"}


def token_count(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(ApiToken)) or 0


def secret_of(page: str) -> str:
    match = re.search(r'id="secret" class="secret" value="(bst_[^"]+)"', page)
    assert match, page
    return match.group(1)


def test_a_token_made_in_the_console_works_with_exactly_its_scopes(
    console_client: ConsoleClient, client: TestClient, session: Session
) -> None:
    owner = console_client("owner")
    response = post_form(session, owner, TOKENS, FORM | {"expires": "2099-01-31"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "This is the only time the token is shown" in response.text
    token = bearer(secret_of(response.text))
    assert client.get(ISSUER_API, headers=token).status_code == 200
    assert client.get(f"{ISSUER_API}/credentials", headers=token).status_code == 200
    assert client.get(f"{ISSUER_API}/achievements", headers=token).status_code == 403
    assert client.post(f"{ISSUER_API}/keys/rotate", headers=token).status_code == 403
    session.rollback()
    row = session.scalars(select(ApiToken).where(ApiToken.name == "Reporting")).one()
    assert sorted(row.scopes) == ["credentials:read", "issuer:read"]
    assert row.expires_at is not None
    assert row.expires_at.date().isoformat() == "2099-01-31"
    created = select(AuditEvent).where(
        AuditEvent.action == "token.created", AuditEvent.subject_id == str(row.id)
    )
    assert session.scalars(created).one().actor.startswith("user:")


def test_the_secret_is_shown_once_and_never_again(
    console_client: ConsoleClient, session: Session
) -> None:
    owner = console_client("owner")
    secret = secret_of(post_form(session, owner, TOKENS, FORM).text)
    listed = owner.get(TOKENS, headers=HTML)
    assert listed.status_code == 200
    assert "Reporting" in listed.text
    assert secret[:12] in listed.text  # the prefix, to recognise it
    assert secret not in listed.text
    session.rollback()
    hashes = list(session.scalars(select(ApiToken.token_hash)))
    assert all(secret not in stored for stored in hashes)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": " ", "scope:issuer:read": "1"}, "name", "Give a name."),
        ({"name": "x" * 201, "scope:issuer:read": "1"}, "name", "at most 200 characters"),
        ({"name": "CI"}, "scopes", "Tick at least one permission."),
        (FORM | {"expires": "2031-13-40"}, "expires", "Give a date such as 2031-12-31"),
        (FORM | {"expires": "tomorrow"}, "expires", "Give a date such as 2031-12-31"),
    ],
)
def test_bad_token_input_is_shown_next_to_its_field(
    console_client: ConsoleClient, session: Session, data: dict[str, str], field: str, words: str
) -> None:
    before = token_count(session)
    response = post_form(session, console_client("owner"), TOKENS, data)
    assert response.status_code == 422
    assert f'<p class="field-error" id="{field}-error">' in response.text
    assert words in response.text
    assert f'href="#{field}"' in response.text
    assert not SECRET.search(response.text)
    assert token_count(session) == before
    if "scope:issuer:read" in data:
        assert 'name="scope:issuer:read" value="1" checked' in response.text  # kept


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_staff_without_tokens_manage_see_the_list_but_cannot_make_or_revoke(
    console_client: ConsoleClient, session: Session, role: str
) -> None:
    issuer = issuers.get_issuer(session, "wmde")
    existing = create_token(session, issuer, name="Existing")
    browser = console_client(role)
    page = browser.get(TOKENS, headers=HTML)
    assert page.status_code == 200
    assert "Existing" in page.text
    assert "Create the token" not in page.text
    before = token_count(session)
    assert post_form(session, browser, TOKENS, FORM).status_code == 403
    token_id = session.scalars(select(ApiToken.id).where(ApiToken.name == "Existing")).one()
    revoke = post_form(session, browser, f"{TOKENS}/{token_id}/revoke", {})
    assert revoke.status_code == 403
    assert token_count(session) == before
    assert browser.get("/api/v1/issuers/wmde", headers=bearer(existing)).status_code == 200


@pytest.mark.parametrize("csrf", [None, "wrong"])
def test_token_forms_without_this_sessions_csrf_token_are_refused(
    console_client: ConsoleClient, client: TestClient, session: Session, csrf: str | None
) -> None:
    existing = create_token(session, issuers.get_issuer(session, "wmde"), name="Existing")
    token_id = session.scalars(select(ApiToken.id).where(ApiToken.name == "Existing")).one()
    owner = console_client("owner")
    before = token_count(session)
    extra = {"csrf": csrf} if csrf else {}
    for path in (TOKENS, f"{TOKENS}/{token_id}/revoke"):
        response = owner.post(path, data=FORM | extra, headers=HTML, follow_redirects=False)
        assert response.status_code == 403
        assert not SECRET.search(response.text)
    assert token_count(session) == before
    assert client.get(ISSUER_API, headers=bearer(existing)).status_code == 200


def test_an_owner_revokes_a_token_and_it_stops_working(
    console_client: ConsoleClient, client: TestClient, session: Session
) -> None:
    owner = console_client("owner")
    secret = secret_of(post_form(session, owner, TOKENS, FORM).text)
    session.rollback()
    token_id = session.scalars(select(ApiToken.id).where(ApiToken.name == "Reporting")).one()
    response = post_form(session, owner, f"{TOKENS}/{token_id}/revoke", {})
    assert response.status_code == 303
    assert response.headers["location"] == f"{TOKENS}?notice=revoked"
    assert client.get(ISSUER_API, headers=bearer(secret)).status_code == 401
    page = owner.get(f"{TOKENS}?notice=revoked", headers=HTML).text
    assert "The token is revoked" in page
    assert "Revoked " in page
    assert f"{TOKENS}/{token_id}/revoke" not in page


def test_another_issuers_token_cannot_be_revoked_here(
    console_client: ConsoleClient, client: TestClient, session: Session
) -> None:
    other = create_token(session, create_issuer(session, slug="other", name="Other"), name="Theirs")
    token_id = session.scalars(select(ApiToken.id).where(ApiToken.name == "Theirs")).one()
    owner = console_client("owner")
    response = post_form(session, owner, f"{TOKENS}/{token_id}/revoke", {})
    assert response.status_code == 404
    assert client.get("/api/v1/issuers/other", headers=bearer(other)).status_code == 200
    assert "Theirs" not in owner.get(TOKENS, headers=HTML).text


def test_a_bad_token_id_is_a_page_not_a_500(
    console_client: ConsoleClient, session: Session
) -> None:
    response = post_form(session, console_client("owner"), f"{TOKENS}/not-a-uuid/revoke", {})
    assert 400 <= response.status_code < 500
    assert "<html" in response.text


def test_an_expired_token_is_listed_as_expired(
    console_client: ConsoleClient, session: Session
) -> None:
    owner = console_client("owner")  # signed in on the wall clock, as the app's clock runs
    issuer = issuers.get_issuer(session, "wmde")
    create_token(session, issuer, name="Old", expires_at=SystemClock().now() - timedelta(hours=1))
    page = owner.get(TOKENS, headers=HTML).text
    assert re.search(r"<td dir=\"auto\">Old</td>.*?<td>Expired</td>", page, re.DOTALL)
