"""CLR 2.0: an issuer signs a ClrCredential bundling credentials it issued to one learner;
our verifier checks it, and each bundled credential."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import AuditEvent
from tests.accounts import sign_in_as
from tests.factories import ACHIEVEMENT, ISSUER_API, issue_over_api

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


def _two_credentials(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    issued = []
    for name in ("Editing basics", "Uploading media"):
        body = ACHIEVEMENT | {"name": {"en": name}}
        made = client.post(f"{ISSUER_API}/achievements", json=body, headers=headers)
        assert made.status_code == 201, made.text
        issued.append(issue_over_api(client, headers, made.json()["id"]))
    return issued


def _clr(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"{ISSUER_API}/clr", json=body, headers=headers)


def test_an_issuer_signs_a_clr_that_our_verifier_verifies(
    client: TestClient, headers: dict[str, str]
) -> None:
    first, second = _two_credentials(client, headers)
    achievements = [
        c["credential"]["credentialSubject"]["achievement"]["id"] for c in (first, second)
    ]
    response = _clr(
        client,
        headers,
        credentials=[first["id"].rsplit("/", 1)[-1], second["id"].rsplit("/", 1)[-1]],
        name="Learning record",
        associations=[
            {
                "associationType": "precedes",
                "sourceId": achievements[0],
                "targetId": achievements[1],
            }
        ],
    )
    assert response.status_code == 200, response.text
    clr = response.json()
    assert clr["@context"][:2] == ["https://www.w3.org/ns/credentials/v2", CLR_CONTEXT]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["verifiableCredential"] == [first["credential"], second["credential"]]
    assert [a["id"] for a in subject["achievement"]] == achievements
    assert subject["association"] == [
        {"type": "Association", "associationType": "precedes",
         "sourceId": achievements[0], "targetId": achievements[1]}
    ]  # fmt: skip
    report = _verify(client, clr)
    assert report["verified"] is True, report
    assert _check(report, "bundled")["code"] == "bundled_verified"
    assert _check(report, "schema")["message"] == "conforms to the CLR 2.0 ClrCredential data model"
    page = client.post("/verify", data={"credential": json.dumps(clr)})
    assert "Every credential of the learner record holds" in page.text


def _id(issued: dict[str, Any]) -> str:
    return str(issued["id"]).rsplit("/", 1)[-1]


def _verify(client: TestClient, document: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json=document)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(item for item in report["checks"] if item["id"] == check_id)


def test_a_bundled_credential_revoked_after_the_clr_was_signed_fails_it(
    client: TestClient, headers: dict[str, str]
) -> None:
    first, second = _two_credentials(client, headers)
    clr = _clr(client, headers, credentials=[_id(first), _id(second)], name="Record").json()
    revoked = client.post(
        f"{ISSUER_API}/credentials/{_id(second)}/revoke", json={}, headers=headers
    )
    assert revoked.status_code == 200, revoked.text
    report = _verify(client, clr)
    assert report["verified"] is False
    assert _check(report, "proof")["outcome"] == "passed"
    bundled = _check(report, "bundled")
    assert (bundled["outcome"], bundled["code"]) == ("failed", "bundled_invalid")
    assert second["id"] in bundled["message"]
    assert "status" in bundled["message"]


def test_a_single_credential_reports_the_bundled_step_as_not_applying(
    client: TestClient, headers: dict[str, str]
) -> None:
    first, _ = _two_credentials(client, headers)
    report = _verify(client, first["credential"])
    bundled = _check(report, "bundled")
    assert (bundled["outcome"], bundled["code"]) == ("skipped", "bundled_absent")


def test_what_cannot_be_bundled_is_refused_with_a_problem(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    first, second = _two_credentials(client, headers)
    achievement = first["credential"]["credentialSubject"]["achievement"]["id"]
    other = issue_over_api(
        client,
        headers,
        achievement.rsplit("/", 1)[-1],
        recipient={"email": "x@y.org", "name": "Bo"},
    )
    cases = [
        ({"credentials": [_id(first), _id(other)]}, 422, "one recipient"),
        ({"credentials": []}, 422, None),
        ({"credentials": [_id(first), _id(first)]}, 422, "twice"),
        ({"credentials": [str(uuid.uuid4())]}, 404, None),
        (
            {
                "credentials": [_id(first)],
                "associations": [
                    {"associationType": "precedes", "sourceId": "urn:x:a", "targetId": "urn:x:b"}
                ],
            },
            422,
            "association",
        ),
        (
            {
                "credentials": [_id(first)],
                "associations": [
                    {"associationType": "follows", "sourceId": "urn:x:a", "targetId": "urn:x:b"}
                ],
            },
            422,
            None,
        ),
    ]
    for body, status, words in cases:
        response = _clr(client, headers, name="Record", **body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        if words:
            assert words in response.json()["detail"], response.json()
    revoked = client.post(
        f"{ISSUER_API}/credentials/{_id(second)}/revoke", json={}, headers=headers
    )
    assert revoked.status_code == 200
    response = _clr(client, headers, name="Record", credentials=[_id(second)])
    assert response.status_code == 422
    assert "revoked" in response.json()["detail"]
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "clr.issued")).all() == []


def test_a_learner_downloads_a_signed_learner_record_from_the_backpack(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    first, second = _two_credentials(client, headers)
    achievement = first["credential"]["credentialSubject"]["achievement"]["id"].rsplit("/", 1)[-1]
    issue_over_api(client, headers, achievement, format="jwt")  # a VC-JWT is not bundled
    revoked = issue_over_api(client, headers, achievement)
    client.post(f"{ISSUER_API}/credentials/{_id(revoked)}/revoke", json={}, headers=headers)
    assert client.get("/me/clr/wmde.json", headers={"Accept": "text/html"}).status_code == 401
    sign_in_as(client, session, "a@b.org", "ada")
    page = client.get("/me", headers={"Accept": "text/html"})
    assert 'href="/me/clr/wmde.json"' in page.text
    assert "Learner records (CLR 2.0)" in page.text
    response = client.get("/me/clr/wmde.json")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    assert 'filename="clr-wmde.json"' in response.headers["content-disposition"]
    clr = response.json()
    assert clr["name"] == "Learner record of Ada"
    bundled = clr["credentialSubject"]["verifiableCredential"]
    assert sorted(c["id"] for c in bundled) == sorted(
        c["credential"]["id"] for c in (first, second)
    )
    assert _verify(client, clr)["verified"] is True
    assert client.get("/me/clr/nobody.json", headers={"Accept": "text/html"}).status_code == 404
