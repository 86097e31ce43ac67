"""The issuers API: happy paths, and every kind of bad input leaving the database unchanged."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import ApiToken, AuditEvent, Issuer
from badgeservice.services.auth import ISSUER_SCOPES
from tests.factories import bearer, create_issuer, create_token

PROBLEM = "application/problem+json"


def counts(session: Session) -> tuple[int, int, int]:
    session.rollback()  # a fresh snapshot (SQLite reads see the one they began with)
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model))
        for model in (Issuer, ApiToken, AuditEvent)
    )


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"/problems/{code}"
    assert body["requestId"] == response.headers["x-request-id"]
    return body


def test_admin_creates_issuer_with_did_web(client: TestClient, session: Session) -> None:
    admin = create_token(session)
    body = {"slug": "wmde", "name": "Wikimedia Deutschland", "url": "https://wikimedia.de/"}
    response = client.post("/api/v1/issuers", json=body, headers=bearer(admin))
    assert response.status_code == 201, response.text
    issuer = response.json()
    assert issuer["did"] == "did:web:localhost%3A8000:issuers:wmde"
    assert issuer["profileUrl"] == "http://localhost:8000/issuers/wmde"
    assert issuer["didDocumentUrl"] == "http://localhost:8000/issuers/wmde/did.json"
    assert session.scalar(select(Issuer.name).where(Issuer.slug == "wmde")) == body["name"]
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "issuer.created" in actions


def test_issuer_token_reads_own_issuer(client: TestClient, session: Session) -> None:
    issuer = create_issuer(session)
    token = create_token(session, issuer)
    response = client.get("/api/v1/issuers/wmde", headers=bearer(token))
    assert response.status_code == 200
    assert response.json()["slug"] == issuer.slug


def test_admin_lists_issuers(client: TestClient, session: Session) -> None:
    create_issuer(session, slug="b-group", name="B")
    create_issuer(session, slug="a-chapter", name="A")
    response = client.get("/api/v1/issuers?limit=1", headers=bearer(create_token(session)))
    assert [i["slug"] for i in response.json()] == ["a-chapter"]


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [(None, sorted(ISSUER_SCOPES)), (["credentials:issue"], ["credentials:issue"])],
)
def test_admin_creates_issuer_token_with_scopes(
    client: TestClient, session: Session, scopes: list[str] | None, expected: list[str]
) -> None:
    create_issuer(session)
    body = {"name": "ci"} | ({"scopes": scopes} if scopes else {})
    response = client.post(
        "/api/v1/issuers/wmde/tokens", json=body, headers=bearer(create_token(session))
    )
    assert response.status_code == 201, response.text
    token = response.json()
    assert sorted(token["scopes"]) == expected
    assert token["token"].startswith("bst_")
    stored = session.get(ApiToken, uuid.UUID(token["id"]))
    assert stored is not None
    assert token["token"] not in stored.token_hash
    me = client.get("/api/v1/issuers/wmde", headers=bearer(token["token"]))
    assert me.status_code == (200 if "issuer:read" in expected else 403)


def test_revoked_token_is_refused(client: TestClient, session: Session) -> None:
    create_issuer(session)
    admin = bearer(create_token(session))
    token = client.post("/api/v1/issuers/wmde/tokens", json={}, headers=admin).json()
    revoked = client.delete(f"/api/v1/issuers/wmde/tokens/{token['id']}", headers=admin)
    assert revoked.status_code == 204
    response = client.get("/api/v1/issuers/wmde", headers=bearer(token["token"]))
    assert_problem(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "authentication_required"),
        ({"Authorization": "Bearer bst_not-a-real-token"}, "invalid_token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "authentication_required"),
    ],
)
def test_missing_or_bad_token_gets_401(
    client: TestClient, session: Session, headers: dict[str, str], code: str
) -> None:
    before = counts(session)
    response = client.post("/api/v1/issuers", json={"slug": "x", "name": "X"}, headers=headers)
    assert_problem(response, 401, code)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert counts(session) == before


def test_issuer_token_cannot_create_issuers(client: TestClient, session: Session) -> None:
    token = create_token(session, create_issuer(session))
    before = counts(session)
    response = client.post(
        "/api/v1/issuers", json={"slug": "other", "name": "O"}, headers=bearer(token)
    )
    assert_problem(response, 403, "permission_denied")
    assert counts(session) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/issuers/other", None),
        ("POST", "/api/v1/issuers/other/tokens", {}),
    ],
)
def test_issuer_token_cannot_reach_another_issuer(
    client: TestClient, session: Session, method: str, path: str, body: Any
) -> None:
    create_issuer(session, slug="other", name="Other")
    token = create_token(session, create_issuer(session))
    before = counts(session)
    response = client.request(method, path, json=body, headers=bearer(token))
    assert response.status_code in {403, 404}
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "bst_" not in response.text
    assert counts(session) == before


def test_duplicate_slug_gets_409(client: TestClient, session: Session) -> None:
    create_issuer(session)
    before = counts(session)
    response = client.post(
        "/api/v1/issuers",
        json={"slug": "wmde", "name": "Again"},
        headers=bearer(create_token(session)),
    )
    assert_problem(response, 409, "slug_taken")
    assert counts(session) == (before[0], before[1] + 1, before[2] + 1)  # only the test's token


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"slug": "Not A Slug", "name": "X"}, "/body/slug"),
        ({"slug": "ok", "name": 42}, "/body/name"),
        ({"slug": "ok"}, "/body/name"),
        ({"slug": "ok", "name": "X", "colour": "red"}, "/body/colour"),
        ({"slug": "ok", "name": "X", "url": "not a url"}, "/body/url"),
        ({"slug": "ok", "name": "X", "email": "nobody"}, "/body/email"),
        ([1, 2], "/body"),
    ],
)
def test_invalid_issuer_gets_422_with_field_errors(
    client: TestClient, session: Session, body: Any, pointer: str
) -> None:
    admin = bearer(create_token(session))
    before = counts(session)
    response = client.post("/api/v1/issuers", json=body, headers=admin)
    problem = assert_problem(response, 422, "validation_failed")
    assert pointer in [error["pointer"] for error in problem["errors"]]
    assert counts(session) == before


def test_unknown_scope_gets_422(client: TestClient, session: Session) -> None:
    create_issuer(session)
    admin = bearer(create_token(session))
    before = counts(session)
    response = client.post(
        "/api/v1/issuers/wmde/tokens", json={"scopes": ["everything"]}, headers=admin
    )
    assert_problem(response, 422, "validation_failed")
    assert counts(session) == before


def test_malformed_json_gets_400(client: TestClient, session: Session) -> None:
    admin = bearer(create_token(session))
    before = counts(session)
    response = client.post(
        "/api/v1/issuers",
        content=b'{"slug": "x", "name": ',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert_problem(response, 400, "malformed_request")
    assert counts(session) == before


@pytest.mark.parametrize("chunked", [False, True])
def test_oversize_body_gets_413(client: TestClient, session: Session, chunked: bool) -> None:
    admin = bearer(create_token(session))
    before = counts(session)
    payload = b'{"slug": "big", "name": "' + b"x" * 100_000 + b'"}'
    content: Any = iter([payload[:50_000], payload[50_000:]]) if chunked else payload
    response = client.post(
        "/api/v1/issuers",
        content=content,
        headers={**admin, "Content-Type": "application/json"},
    )
    assert_problem(response, 413, "payload_too_large")
    assert counts(session) == before


def test_unknown_issuer_gets_404(client: TestClient, session: Session) -> None:
    response = client.get("/api/v1/issuers/nobody", headers=bearer(create_token(session)))
    assert_problem(response, 404, "not_found")


def test_unknown_route_gets_problem_404(client: TestClient) -> None:
    assert_problem(client.get("/no/such/page"), 404, "not_found")


def test_request_id_is_echoed_when_safe(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    unsafe = client.get("/healthz", headers={"X-Request-ID": "a b\tc"})
    assert unsafe.headers["x-request-id"] != "a b\tc"


def test_public_profile_json_ld_and_html(client: TestClient, session: Session) -> None:
    create_issuer(session, url="https://wikimedia.de/", description="<b>Chapter</b>")
    document = client.get("/issuers/wmde", headers={"Accept": "application/ld+json"})
    assert document.headers["content-type"].startswith("application/ld+json")
    profile = document.json()
    assert profile["id"] == "did:web:localhost%3A8000:issuers:wmde"
    assert profile["type"] == ["Profile"]
    assert profile["name"] == "Wikimedia Deutschland"
    assert profile["url"] == "https://wikimedia.de/"
    page = client.get("/issuers/wmde")
    assert page.headers["content-type"].startswith("text/html")
    assert "Wikimedia Deutschland" in page.text
    assert "&lt;b&gt;Chapter&lt;/b&gt;" in page.text
    assert client.get("/issuers/nobody").status_code == 404
