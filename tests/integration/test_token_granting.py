"""Who may create an issuer's API tokens: admins, and the issuer's own callers with
`tokens:manage`, which grant only scopes they hold themselves."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import ApiToken, AuditEvent
from tests.factories import bearer, create_issuer, create_token

TOKENS = "/api/v1/issuers/wmde/tokens"
MAKER_SCOPES = ["tokens:manage", "issuer:read", "credentials:read"]


def token_count(session: Session) -> int:
    session.rollback()  # a fresh snapshot
    return session.scalar(select(func.count()).select_from(ApiToken)) or 0


def maker(session: Session, scopes: list[str] = MAKER_SCOPES) -> dict[str, str]:
    return bearer(create_token(session, create_issuer(session), scopes=scopes))


def test_token_with_tokens_manage_creates_token_with_its_own_scopes(
    client: TestClient, session: Session
) -> None:
    headers = maker(session)
    body = {"name": "reporting", "scopes": ["issuer:read", "credentials:read"]}
    response = client.post(TOKENS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    made = response.json()
    assert sorted(made["scopes"]) == ["credentials:read", "issuer:read"]
    new = bearer(made["token"])
    assert client.get("/api/v1/issuers/wmde", headers=new).status_code == 200
    assert client.get(f"{TOKENS}", headers=new).status_code == 200
    assert client.get("/api/v1/issuers/wmde/achievements", headers=new).status_code == 403
    assert client.post(TOKENS, json={"scopes": ["issuer:read"]}, headers=new).status_code == 403
    session.rollback()  # a fresh snapshot
    created = select(AuditEvent).where(
        AuditEvent.action == "token.created", AuditEvent.subject_id == made["id"]
    )
    assert session.scalars(created).one().details["scopes"] == ["credentials:read", "issuer:read"]


@pytest.mark.parametrize(
    "body",
    [
        {"scopes": ["issuer:read", "credentials:issue"]},
        {"scopes": ["keys:manage"]},
        {},  # every issuer scope, more than the maker has
    ],
)
def test_token_cannot_grant_a_scope_it_lacks(
    client: TestClient, session: Session, body: dict[str, Any]
) -> None:
    headers = maker(session)
    before = token_count(session)
    response = client.post(TOKENS, json=body, headers=headers)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "permission_denied"
    assert "bst_" not in response.text
    assert token_count(session) == before


def test_token_without_tokens_manage_cannot_create_tokens(
    client: TestClient, session: Session
) -> None:
    headers = maker(session, ["issuer:read", "issuer:write", "keys:manage"])
    before = token_count(session)
    response = client.post(TOKENS, json={"scopes": ["issuer:read"]}, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert token_count(session) == before


def test_token_with_every_scope_creates_token_with_every_scope(
    client: TestClient, session: Session
) -> None:
    headers = bearer(create_token(session, create_issuer(session)))
    response = client.post(TOKENS, json={"name": "all"}, headers=headers)
    assert response.status_code == 201, response.text
    assert "tokens:manage" in response.json()["scopes"]


def test_tokens_manage_of_another_issuer_gets_404(client: TestClient, session: Session) -> None:
    other = create_issuer(session, slug="other", name="Other")
    headers = bearer(create_token(session, other, scopes=MAKER_SCOPES))
    create_issuer(session)
    before = token_count(session)
    response = client.post(TOKENS, json={"scopes": ["issuer:read"]}, headers=headers)
    assert response.status_code == 404
    assert token_count(session) == before


def test_unknown_scope_is_refused_before_the_grant_check(
    client: TestClient, session: Session
) -> None:
    response = client.post(TOKENS, json={"scopes": ["everything"]}, headers=maker(session))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
