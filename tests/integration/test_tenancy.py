"""Tenant scoping over HTTP: `IssuerDep(scope)` answers 404 for an unknown issuer or another
tenant's, 403 for a missing scope, on a route of every router; `get_owned` makes another
issuer's resource id a 404 on every resource kind."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Batch, Credential, Endorsement, StatusList
from badgeservice.errors import NotFoundError
from badgeservice.services.issuers import get_issuer
from badgeservice.services.tenancy import get_owned
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token

WMDE = "/api/v1/issuers/wmde"
WMFR = "/api/v1/issuers/wmfr"
MISSING = str(uuid.uuid4())
ADA = {"email": "ada@example.org", "name": "Ada"}

# (method, path under the issuer, JSON body, the scope the route needs)
ROUTES = [
    ("get", "/achievements", None, "achievements:read"),
    ("post", "/credentials", {"achievementId": MISSING, "recipient": ADA}, "credentials:issue"),
    ("get", "/batches", None, "credentials:read"),
    ("get", "/endorsements", None, "credentials:read"),
    ("get", "/keys", None, "issuer:read"),
    ("get", "", None, "issuer:read"),
]
ROUTE_IDS = [f"{method} {path or '/'}" for method, path, _body, _scope in ROUTES]


def call(client: TestClient, method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    return client.request(method.upper(), url, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES, ids=ROUTE_IDS)
def test_another_tenants_issuer_is_not_found(
    client: TestClient, session: Session, method: str, path: str, body: Any, scope: str
) -> None:
    create_issuer(session)
    other = bearer(create_token(session, create_issuer(session, slug="wmfr", name="WMFR")))
    for url in (f"{WMDE}{path}", f"/api/v1/issuers/nobody{path}"):
        response = call(client, method, url, body, other)
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES, ids=ROUTE_IDS)
def test_missing_scope_is_forbidden(
    client: TestClient, session: Session, method: str, path: str, body: Any, scope: str
) -> None:
    issuer = create_issuer(session)
    others = [s for s in ("achievements:read", "credentials:read", "issuer:write") if s != scope]
    narrow = bearer(create_token(session, issuer, scopes=others))
    response = call(client, method, f"{WMDE}{path}", body, narrow)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "permission_denied"
    assert scope in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES, ids=ROUTE_IDS)
def test_scoped_token_reaches_its_issuer(
    client: TestClient, session: Session, method: str, path: str, body: Any, scope: str
) -> None:
    issuer = create_issuer(session)
    token = bearer(create_token(session, issuer, scopes=[scope]))
    response = call(client, method, f"{WMDE}{path}", body, token)
    # the issuer is found and the scope suffices: what is left is the route's own answer
    # (the credential's random achievement does not exist: its own 404 names the achievement)
    if method == "post":
        assert response.status_code == 404, response.text
        assert "Achievement" in response.json()["detail"]
    else:
        assert response.status_code == 200, response.text


def wmde_resources(client: TestClient, session: Session) -> dict[str, str]:
    """One achievement, credential, batch and endorsement of `wmde`, made over the API."""
    wmde = bearer(create_token(session, create_issuer(session)))
    achievement = client.post(f"{WMDE}/achievements", json=ACHIEVEMENT, headers=wmde).json()["id"]
    recipient = {"email": "ada@example.org", "name": "Ada"}
    credential = client.post(
        f"{WMDE}/credentials",
        json={"achievementId": achievement, "recipient": recipient},
        headers=wmde,
    ).json()["id"]
    body = {"achievementId": achievement, "recipients": [{"recipient": recipient}]}
    batch = client.post(f"{WMDE}/batches", json=body, headers=wmde).json()["id"]
    endorsement = client.post(
        f"{WMDE}/endorsements",
        json={"subject": {"achievementId": achievement}, "comment": "Sound."},
        headers=wmde,
    ).json()["id"]
    return {
        "achievements": achievement,
        "credentials": credential,
        "batches": batch,
        "endorsements": endorsement,
    }


@pytest.mark.parametrize(
    ("kind", "name", "method", "action"),
    [
        ("achievements", "Achievement", "get", ""),
        ("achievements", "Achievement", "patch", ""),
        ("credentials", "Credential", "get", ""),
        ("credentials", "Credential", "post", "/revoke"),
        ("batches", "Batch", "get", ""),
        ("batches", "Batch", "get", "/results.csv"),
        ("endorsements", "Endorsement", "get", ""),
        ("endorsements", "Endorsement", "post", "/revoke"),
    ],
)
def test_another_issuers_resource_id_is_not_found(
    client: TestClient, session: Session, kind: str, name: str, method: str, action: str
) -> None:
    ids = wmde_resources(client, session)
    wmfr = bearer(create_token(session, create_issuer(session, slug="wmfr", name="WMFR")))
    body = {} if method == "patch" else None
    url = f"{WMFR}/{kind}/{ids[kind]}{action}"
    response = client.request(method.upper(), url, json=body, headers=wmfr)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"
    assert response.json()["detail"] == f"{name} {ids[kind]} not found."
    # the owner still reaches it
    wmde = bearer(create_token(session, get_issuer(session, "wmde"), name="owner"))
    assert client.get(f"{WMDE}/{kind}/{ids[kind]}", headers=wmde).status_code == 200


def test_another_issuers_status_list_is_not_found(client: TestClient, session: Session) -> None:
    wmde_resources(client, session)
    create_issuer(session, slug="wmfr", name="WMFR")
    row = session.query(StatusList).filter_by(issuer_id=get_issuer(session, "wmde").id).first()
    assert row is not None
    assert client.get(f"/issuers/wmde/status/{row.id}").status_code == 200
    response = client.get(f"/issuers/wmfr/status/{row.id}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("model", "name"),
    [
        (Achievement, "Achievement"),
        (Credential, "Credential"),
        (Batch, "Batch"),
        (Endorsement, "Endorsement"),
        (StatusList, "Status list"),
    ],
)
def test_get_owned_refuses_another_issuer(
    client: TestClient, session: Session, model: type[Any], name: str
) -> None:
    wmde_resources(client, session)
    wmde = get_issuer(session, "wmde")
    wmfr = create_issuer(session, slug="wmfr", name="WMFR")
    row = session.query(model).filter_by(issuer_id=wmde.id).first()
    assert row is not None
    assert get_owned(session, model, row.id, wmde) is row
    for issuer, resource_id in ((wmfr, row.id), (wmde, uuid.uuid4())):
        with pytest.raises(NotFoundError) as caught:
            get_owned(session, model, resource_id, issuer)
        assert caught.value.detail == f"{name} {resource_id} not found."


@pytest.mark.parametrize("tenant", ["other", "narrow"])
def test_issuer_is_checked_before_the_body(
    client: TestClient, session: Session, tenant: str
) -> None:
    issuer = create_issuer(session)
    if tenant == "other":
        wmfr = create_issuer(session, slug="wmfr", name="WMFR")
        token, expect = bearer(create_token(session, wmfr)), 404
    else:
        token, expect = bearer(create_token(session, issuer, scopes=["credentials:read"])), 403
    bad_body = {"achievementId": "not a uuid"}
    response = client.post(f"{WMDE}/credentials", json=bad_body, headers=token)
    assert response.status_code == expect, response.text
    image = client.put(
        f"{WMDE}/achievements/{uuid.uuid4()}/image",
        content=b"not an image",
        headers=token | {"Content-Type": "text/plain"},
    )
    assert image.status_code == expect, image.text
