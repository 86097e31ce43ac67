"""A ``format: "jwt"`` credential is never served without its proof: every machine-readable
URL answers the JWT (``text/plain`` unless ``application/vc+jwt`` is asked for), the page
links the JWT, the baked image carries it, and the issuer API says which form is signed."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.vc import baking
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token

API = "/api/v1/issuers/wmde"


@pytest.fixture
def headers(client: TestClient, session: Session) -> dict[str, str]:
    return bearer(create_token(session, create_issuer(session)))


@pytest.fixture
def issued(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    achievement = client.post(f"{API}/achievements", json=ACHIEVEMENT, headers=headers).json()
    payload = {"achievementId": achievement["id"], "recipient": {"email": "a@b.org"}}
    response = client.post(f"{API}/credentials", json=payload | {"format": "jwt"}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.mark.parametrize(
    ("suffix", "accept", "media_type"),
    [
        (".jwt", None, "text/plain"),
        (".jwt", "application/vc+jwt", "application/vc+jwt"),
        (".jwt", "application/ld+json", "text/plain"),
        (".json", None, "text/plain"),
        (".json", "application/vc+jwt, text/plain;q=0.5", "application/vc+jwt"),
        ("", "application/ld+json", "text/plain"),
        ("", "application/vc+ld+json", "text/plain"),
        ("", "application/json, text/html;q=0.8", "text/plain"),
        ("", "application/vc+jwt", "application/vc+jwt"),
        ("", "text/html, application/vc+jwt", "application/vc+jwt"),
    ],
)
def test_every_machine_readable_url_of_a_jwt_credential_serves_the_jwt(
    client: TestClient, issued: dict[str, Any], suffix: str, accept: str | None, media_type: str
) -> None:
    path = urlsplit(issued["url"]).path + suffix
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    assert "Accept" in response.headers["vary"].split(", ")
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.text == issued["jwt"]
    assert "immutable" in response.headers["cache-control"]


def test_each_jwt_media_type_has_its_own_etag(client: TestClient, issued: dict[str, Any]) -> None:
    path = urlsplit(issued["url"]).path + ".jwt"
    plain = client.get(path)
    typed = client.get(path, headers={"Accept": "application/vc+jwt"})
    assert plain.headers["etag"] != typed.headers["etag"]
    again = client.get(path, headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304


def test_the_page_of_a_jwt_credential_links_the_jwt_and_no_json(
    client: TestClient, issued: dict[str, Any]
) -> None:
    path = urlsplit(issued["url"]).path
    page = client.get(path).text
    alternate = re.search(r'<link rel="alternate" type="([^"]+)" href="([^"]+)"', page)
    assert alternate is not None
    assert alternate.groups() == ("application/vc+jwt", issued["url"] + ".jwt")
    assert f'href="{path}.json"' not in page
    assert f'href="{path}.jwt"' in page
    assert "/verify?url=" + quote(issued["url"] + ".jwt", safe="") in page


def test_the_baked_image_of_a_jwt_credential_carries_the_jwt(
    client: TestClient, issued: dict[str, Any]
) -> None:
    png = client.get(urlsplit(issued["url"]).path + ".png")
    assert png.status_code == 200
    assert baking.unbake(png.content) == issued["jwt"]


def test_the_issuer_api_says_which_form_of_a_jwt_credential_is_signed(
    client: TestClient, headers: dict[str, str], issued: dict[str, Any]
) -> None:
    shown = client.get(f"{API}/credentials/{issued['id']}", headers=headers).json()
    assert (shown["format"], shown["jsonUrl"], shown["jwtUrl"]) == (
        "jwt",
        None,
        issued["url"] + ".jwt",
    )
    assert shown["jwt"] == issued["jwt"]
    assert "proof" not in shown["credential"]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["CredentialOut"]
    assert "unsigned" in schema["properties"]["credential"]["description"]


def test_an_ldp_credential_is_still_served_as_json_ld(
    client: TestClient, headers: dict[str, str], issued: dict[str, Any]
) -> None:
    payload = {"achievementId": issued["achievementId"], "recipient": {"email": "a@b.org"}}
    ldp = client.post(f"{API}/credentials", json=payload, headers=headers).json()
    path = urlsplit(ldp["url"]).path
    for url, accept in ((path + ".json", None), (path, "application/ld+json")):
        response = client.get(url, headers={"Accept": accept} if accept else {})
        assert response.headers["content-type"].split(";")[0] == "application/ld+json"
        assert response.json() == ldp["credential"]
    page = client.get(path).text
    assert f'<link rel="alternate" type="application/ld+json" href="{ldp["url"]}.json">' in page
    assert client.get(path + ".jwt").status_code == 404


@pytest.mark.parametrize(
    ("dates", "state"),
    [
        ({"validFrom": "2031-01-01T00:00:00Z"}, "not_yet_valid"),
        ({"validFrom": "2020-01-01T00:00:00Z", "validUntil": "2021-01-01T00:00:00Z"}, "expired"),
    ],
)
def test_a_jwt_credential_outside_its_validity_is_issued_and_verifies_its_signature(
    client: TestClient, headers: dict[str, str], dates: dict[str, str], state: str
) -> None:
    """The self-check proves the signature and our keys; its nbf/exp are judged at a moment
    inside the credential's validity, so a credential valid from next year is no error."""
    achievement = client.post(f"{API}/achievements", json=ACHIEVEMENT, headers=headers).json()
    payload = {"achievementId": achievement["id"], "recipient": {"email": "a@b.org"}}
    body = payload | {"format": "jwt"} | dates
    response = client.post(f"{API}/credentials", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == state
    token = client.get(f"/credentials/{response.json()['id']}.jwt").text
    report = client.post("/api/v1/verify", json={"credential": token}).json()
    assert report["verified"] is False  # not yet valid, or expired: the verdict says so
    [proof] = [check for check in report["checks"] if check["id"] == "proof"]
    # VC-JWT judges nbf/exp as part of the JWT: the signature held, the time did not
    assert proof["code"] == ("jwt_not_yet_valid" if state == "not_yet_valid" else "jwt_expired")
