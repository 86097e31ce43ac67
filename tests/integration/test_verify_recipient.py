"""The optional recipient on POST /api/v1/verify and the /verify form: ``{"credential": …,
"recipient": …}``, ``{"url": …, "recipient": …}``, the form field; never echoed back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.vc import baking
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token, make_png

API = "/api/v1/issuers/wmde"
EMAIL = "Ada@Example.org"


@pytest.fixture
def issued(client: TestClient, session: Session) -> dict[str, Any]:
    headers = bearer(create_token(session, create_issuer(session)))
    achievement = client.post(f"{API}/achievements", json=ACHIEVEMENT, headers=headers).json()
    payload = {"achievementId": achievement["id"], "recipient": {"email": EMAIL, "name": "Ada"}}
    response = client.post(f"{API}/credentials", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def recipient_check(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    report = response.json()
    check = next(check for check in report["checks"] if check["id"] == "recipient")
    assert report["verified"] is (check["outcome"] == "passed")
    return dict(check)


@pytest.mark.parametrize(
    ("given", "outcome"),
    [(" ada@example.org ", "passed"), ("grace@example.org", "failed")],
)
def test_recipient_member_beside_the_credential_or_url(
    client: TestClient, issued: dict[str, Any], given: str, outcome: str
) -> None:
    bodies = [
        {"credential": issued["credential"], "recipient": given},
        {"credential": json.dumps(issued["credential"]), "recipient": given},
        {"url": issued["url"], "recipient": given},
    ]
    for body in bodies:
        response = client.post("/api/v1/verify", json=body)
        assert recipient_check(response)["outcome"] == outcome
        assert given.strip() not in response.text
        assert "the email you gave" in response.text


def test_recipient_form_field_on_the_api_and_the_page(
    client: TestClient, issued: dict[str, Any]
) -> None:
    png = baking.bake_png(make_png(), issued["credential"])
    files = {"file": ("badge.png", png, "image/png")}
    response = client.post("/api/v1/verify", files=files, data={"recipient": "ada@example.org"})
    assert recipient_check(response)["outcome"] == "passed"
    page = client.post(
        "/verify", data={"credential": json.dumps(issued["credential"]), "recipient": "x@y.org"}
    )
    assert page.status_code == 200
    assert "It was awarded to the person you named" in page.text
    assert "is not the recipient of this credential" in page.text
    assert "x@y.org" not in page.text.replace('value="x@y.org"', "")


@pytest.mark.parametrize(
    "body",
    [
        lambda c: c,
        lambda c: {"credential": c},
        lambda c: {"credential": c, "recipient": ""},
        lambda c: {"credential": c, "recipient": None},
    ],
    ids=["bare", "wrapped", "empty", "null"],
)
def test_without_a_recipient_there_is_no_recipient_check(
    client: TestClient, issued: dict[str, Any], body: Any
) -> None:
    response = client.post("/api/v1/verify", json=body(issued["credential"]))
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True
    assert "recipient" not in [check["id"] for check in response.json()["checks"]]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"recipient": "not an address"}, "recipient_invalid"),
        ({"recipient": 42}, "recipient_invalid"),
        ({"recipient": "a@b.org", "extra": 1}, "not_a_credential"),
        ({"recipient": "a@b.org", "url": "https://x.example/c"}, "not_a_credential"),
    ],
    ids=["not-an-address", "number", "extra-member", "url-and-credential"],
)
def test_unusable_recipient_bodies_are_problems(
    client: TestClient, issued: dict[str, Any], body: dict[str, Any], code: str
) -> None:
    response = client.post("/api/v1/verify", json={"credential": issued["credential"], **body})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert "not an address" not in response.text
