"""RS256 for VC-JWT: an issuer setting (ES256 stays the default), chosen on create or by
PATCH; an RSA key is created when needed, published as a JsonWebKey under
``assertionMethod``, rotated with the others; every credential keeps verifying."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from badgeservice.db.engine import make_engine
from badgeservice.db.migrations import downgrade, upgrade
from badgeservice.db.models import IssuerKey
from tests.factories import ACHIEVEMENT, bearer, create_token

API = "/api/v1/issuers/wmde"


def b64json(part: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


class Tenant:
    """An issuer made over the API (admin token), its token and an achievement."""

    def __init__(self, client: TestClient, session: Session, **create: Any) -> None:
        self.client, self.session = client, session
        self.admin = bearer(create_token(session))
        body = {"slug": "wmde", "name": "Wikimedia Deutschland"} | create
        self.created = client.post("/api/v1/issuers", json=body, headers=self.admin)
        assert self.created.status_code == 201, self.created.text
        issuer_token = client.post(f"{API}/tokens", json={}, headers=self.admin).json()["token"]
        self.headers = bearer(issuer_token)
        response = client.post(f"{API}/achievements", json=ACHIEVEMENT, headers=self.headers)
        self.achievement = response.json()["id"]

    def issue_jwt(self) -> str:
        payload = {"achievementId": self.achievement, "recipient": {"email": "a@b.org"}}
        response = self.client.post(
            f"{API}/credentials", json=payload | {"format": "jwt"}, headers=self.headers
        )
        assert response.status_code == 201, response.text
        return str(response.json()["jwt"])

    def switch(self, algorithm: str, expect: int = 200) -> Any:
        response = self.client.patch(API, json={"jwtAlgorithm": algorithm}, headers=self.headers)
        assert response.status_code == expect, response.text
        return response.json()

    def verify(self, token: str) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/verify", content=token, headers={"Content-Type": "text/plain"}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def key_count(self) -> int:
        self.session.rollback()
        return self.session.scalar(select(func.count()).select_from(IssuerKey)) or 0

    def did_document(self) -> dict[str, Any]:
        return dict(self.client.get("/issuers/wmde/did.json").json())


def header(token: str) -> dict[str, Any]:
    return b64json(token.split(".")[0])


def assert_verified(tenant: Tenant, token: str) -> None:
    report = tenant.verify(token)
    assert report["verified"] is True, report
    assert report["format"] == "jwt"


def test_default_stays_es256(client: TestClient, session: Session) -> None:
    tenant = Tenant(client, session)
    assert tenant.created.json()["jwtAlgorithm"] == "ES256"
    token = tenant.issue_jwt()
    assert header(token)["alg"] == "ES256"
    assert_verified(tenant, token)
    assert tenant.key_count() == 2  # Ed25519 and P-256, no RSA key


def test_rs256_issuer_signs_jwts_that_verify_and_whose_kid_resolves(
    client: TestClient, session: Session
) -> None:
    tenant = Tenant(client, session, jwtAlgorithm="RS256")
    assert tenant.created.json()["jwtAlgorithm"] == "RS256"
    token = tenant.issue_jwt()
    jose = header(token)
    assert (jose["alg"], jose["typ"]) == ("RS256", "JWT")
    document = tenant.did_document()
    [method] = [m for m in document["verificationMethod"] if m["id"] == jose["kid"]]
    assert method["type"] == "JsonWebKey"
    assert method["controller"] == document["id"]
    assert method["publicKeyJwk"]["kty"] == "RSA"
    assert "d" not in method["publicKeyJwk"]
    modulus = base64.urlsafe_b64decode(method["publicKeyJwk"]["n"] + "==")
    assert len(modulus) * 8 == 3072
    assert jose["kid"] in document["assertionMethod"]
    assert_verified(tenant, token)
    keys = client.get(f"{API}/keys", headers=tenant.headers).json()
    assert sorted((k["purpose"], k["algorithm"]) for k in keys) == [
        ("data_integrity", "Ed25519"),
        ("jwt", "RSA"),
    ]


def test_switching_back_and_forth_reuses_keys_and_every_credential_verifies(
    client: TestClient, session: Session
) -> None:
    tenant = Tenant(client, session)
    tokens = [tenant.issue_jwt()]
    assert tenant.switch("RS256")["jwtAlgorithm"] == "RS256"
    assert tenant.key_count() == 3  # the RSA key, created now
    tokens.append(tenant.issue_jwt())
    assert tenant.switch("ES256")["jwtAlgorithm"] == "ES256"
    tokens.append(tenant.issue_jwt())
    tenant.switch("RS256")
    tokens.append(tenant.issue_jwt())
    assert tenant.key_count() == 3  # switching back used the keys it had
    assert [header(t)["alg"] for t in tokens] == ["ES256", "RS256", "ES256", "RS256"]
    assert header(tokens[0])["kid"] == header(tokens[2])["kid"]
    assert header(tokens[1])["kid"] == header(tokens[3])["kid"]
    for token in tokens:
        assert_verified(tenant, token)
    actions = [
        e["action"] for e in client.get(f"{API}/audit", headers=tenant.headers).json()["items"]
    ]
    assert actions.count("issuer.updated") == 3


def test_rotation_keeps_old_rs256_credentials_verifying(
    client: TestClient, session: Session
) -> None:
    tenant = Tenant(client, session, jwtAlgorithm="RS256")
    before = tenant.issue_jwt()
    rotated = client.post(f"{API}/keys/rotate", headers=tenant.headers)
    assert rotated.status_code == 200, rotated.text
    states = sorted((k["algorithm"], k["status"]) for k in rotated.json())
    assert states == [
        ("Ed25519", "active"),
        ("Ed25519", "retired"),
        ("RSA", "active"),
        ("RSA", "retired"),
    ]
    after = tenant.issue_jwt()
    assert header(after)["alg"] == "RS256"
    assert header(after)["kid"] != header(before)["kid"]
    published = [m["id"] for m in tenant.did_document()["verificationMethod"]]
    assert {header(before)["kid"], header(after)["kid"]} <= set(published)
    for token in (before, after):
        assert_verified(tenant, token)


def test_rotation_after_a_switch_rotates_every_active_key(
    client: TestClient, session: Session
) -> None:
    tenant = Tenant(client, session)
    tenant.switch("RS256")
    rotated = client.post(f"{API}/keys/rotate", headers=tenant.headers).json()
    active = sorted(k["algorithm"] for k in rotated if k["status"] == "active")
    assert active == ["Ed25519", "P-256", "RSA"]
    tenant.switch("ES256")
    assert tenant.key_count() == 6  # the new P-256 key was there already
    assert_verified(tenant, tenant.issue_jwt())


@pytest.mark.parametrize("algorithm", ["HS256", "none", "EdDSA", "rs256", ""])
def test_unknown_algorithm_is_refused_and_changes_nothing(
    client: TestClient, session: Session, algorithm: str
) -> None:
    tenant = Tenant(client, session)
    problem = tenant.switch(algorithm, expect=422)
    assert problem["code"] == "validation_failed"
    refused = client.post(
        "/api/v1/issuers",
        json={"slug": "other", "name": "Other", "jwtAlgorithm": algorithm},
        headers=tenant.admin,
    )
    assert refused.status_code == 422
    assert client.get(API, headers=tenant.headers).json()["jwtAlgorithm"] == "ES256"
    assert tenant.key_count() == 2


def test_changing_the_algorithm_needs_keys_manage(client: TestClient, session: Session) -> None:
    tenant = Tenant(client, session)
    reader = client.post(f"{API}/tokens", json={"scopes": ["issuer:read"]}, headers=tenant.admin)
    response = client.patch(
        API, json={"jwtAlgorithm": "RS256"}, headers=bearer(reader.json()["token"])
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert tenant.key_count() == 2
    assert tenant.switch("RS256")["jwtAlgorithm"] == "RS256"
    admin = client.patch(API, json={"jwtAlgorithm": "ES256"}, headers=tenant.admin)
    assert admin.json()["jwtAlgorithm"] == "ES256"


def test_issuers_from_before_the_migration_keep_es256(backend: str, new_database: object) -> None:
    """Migration 0005 fills ``jwt_algorithm`` of existing issuers with ES256, both ways."""
    url = new_database(backend)  # type: ignore[operator]
    upgrade(url, "0004")
    engine = make_engine(url)
    row = {"id": uuid.uuid4(), "slug": "old", "name": "Old", "did": "did:web:example.org:old"}
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO issuers (id, slug, name, did, created_at, updated_at)"
                " VALUES (:id, :slug, :name, :did, :now, :now)"
            ),
            row
            | {"id": row["id"].hex if backend == "sqlite" else row["id"]}
            | {"now": datetime.now(UTC)},
        )
    upgrade(url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT jwt_algorithm FROM issuers")) == "ES256"
    downgrade(url, "0004")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT slug FROM issuers")) == "old"
    engine.dispose()
