"""Issuing over the API: signed credentials that verify, idempotency, bad input, status."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft201909Validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import AuditEvent, Credential, StatusAllocation
from badgeservice.vc import verify_credential
from badgeservice.vc.statuslist import StatusList
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token

API = "/api/v1/issuers/wmde"


class Issuing:
    """An issuer with an achievement, and helpers to issue and to verify through the app."""

    def __init__(self, client: TestClient, session: Session) -> None:
        self.client = client
        self.session = session
        self.headers = bearer(create_token(session, create_issuer(session)))
        response = client.post(f"{API}/achievements", json=ACHIEVEMENT, headers=self.headers)
        self.achievement = response.json()

    def issue(self, expect: int = 201, headers: dict[str, str] | None = None, **body: Any) -> Any:
        payload = {"achievementId": self.achievement["id"], "recipient": {"email": "a@b.org"}}
        response = self.client.post(
            f"{API}/credentials", json=payload | body, headers=self.headers | (headers or {})
        )
        assert response.status_code == expect, response.text
        return response.json()

    def fetch(self, url: str) -> dict[str, Any]:
        """Documents by URL, served by the app under test (no network)."""
        response = self.client.get(urlsplit(url).path, headers={"Accept": "application/ld+json"})
        response.raise_for_status()
        return dict(response.json())

    def verify(self, source: Any) -> dict[str, Any]:
        return verify_credential(source, fetch_json=self.fetch).to_dict()

    def count(self, model: type) -> int:
        self.session.rollback()  # a fresh snapshot
        return self.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def issuing(client: TestClient, session: Session) -> Issuing:
    return Issuing(client, session)


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {check["id"]: check["outcome"] for check in report["checks"]}


def test_issued_credential_verifies(issuing: Issuing, shared_data: Path) -> None:
    issued = issuing.issue(recipient={"email": "Ada@Example.org", "name": "Ada"})
    credential = issued["credential"]
    assert credential["id"] == issued["url"]
    assert credential["issuer"]["id"] == "did:web:localhost%3A8000:issuers:wmde"
    [proof] = credential["proof"]  # a proof set of one: 1EdTech's strict schema wants the array
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"].startswith(credential["issuer"]["id"] + "#")
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    report = issuing.verify(credential)
    assert report["verified"], report
    schema = json.loads((shared_data / "schemas" / "achievementcredential.json").read_text())
    assert [e.message for e in Draft201909Validator(schema).iter_errors(credential)] == []


def test_public_credential_is_served_as_stored(issuing: Issuing) -> None:
    issued = issuing.issue()
    path = urlsplit(issued["url"]).path
    as_json = issuing.client.get(f"{path}.json")
    assert as_json.json() == issued["credential"]
    stored = issuing.session.get(Credential, uuid.UUID(issued["id"]))
    assert stored is not None
    assert as_json.content == stored.document.encode()
    negotiated = issuing.client.get(path, headers={"Accept": "application/vc+ld+json"})
    assert negotiated.headers["content-type"].startswith("application/vc+ld+json")
    assert "immutable" in as_json.headers["cache-control"]
    assert issuing.client.get(
        path, headers={"If-None-Match": as_json.headers["etag"]}
    ).status_code in {200, 304}
    page = issuing.client.get(path)
    assert page.headers["content-type"].startswith("text/html")
    assert ACHIEVEMENT["name"]["en"] in page.text
    assert issuing.client.get(f"{path}.jwt").status_code == 404


def test_jwt_credential_verifies(issuing: Issuing) -> None:
    issued = issuing.issue(format="jwt")
    token = issued["jwt"]
    assert token.count(".") == 2
    served = issuing.client.get(urlsplit(issued["url"]).path + ".jwt")
    assert served.text == token
    report = issuing.verify(token)
    assert report["verified"], report


def test_language_choice_is_embedded(issuing: Issuing) -> None:
    issued = issuing.issue(language="de")
    achievement = issued["credential"]["credentialSubject"]["achievement"]
    assert achievement["inLanguage"] == "de"
    assert achievement["name"] == ACHIEVEMENT["name"]["de"]
    assert issued["credential"]["name"] == ACHIEVEMENT["name"]["de"]


@pytest.mark.parametrize("language", ["japanese", "pt", "ja", "de_", "fr-CA"])
def test_language_the_achievement_lacks_is_refused(issuing: Issuing, language: str) -> None:
    problem = issuing.issue(expect=422, language=language)
    assert problem["code"] == "language_not_offered"
    assert "use one of en, de" in problem["errors"][0]["detail"]
    assert problem["errors"][0]["pointer"] == "/body/language"
    assert issuing.count(Credential) == 0


@pytest.mark.parametrize(("language", "shown"), [("DE", "de"), ("de-AT", "de"), ("en", "en")])
def test_language_is_matched_to_the_achievement(
    issuing: Issuing, language: str, shown: str
) -> None:
    issued = issuing.issue(language=language)
    assert issued["credential"]["credentialSubject"]["achievement"]["inLanguage"] == shown


def test_issuing_again_to_a_holder_warns_and_skip_existing_returns_the_held_one(
    issuing: Issuing,
) -> None:
    first = issuing.issue(recipient={"email": "ada@example.org"})
    assert first["warnings"] == []
    second = issuing.issue(recipient={"email": " ADA@example.org"})
    assert [w["code"] for w in second["warnings"]] == ["recipient_has_credential"]
    assert first["id"] in second["warnings"][0]["message"]
    held = issuing.issue(expect=200, recipient={"email": "ada@example.org"}, skipExisting=True)
    assert held["id"] in {first["id"], second["id"]}  # issued within one second: a tie
    assert [w["code"] for w in held["warnings"]] == ["recipient_has_credential"]
    assert issuing.count(Credential) == 2
    other = issuing.issue(recipient={"email": "grace@example.org"}, skipExisting=True)
    assert other["warnings"] == []
    assert issuing.count(Credential) == 3


def test_editing_the_achievement_leaves_issued_credentials_alone(issuing: Issuing) -> None:
    issued = issuing.issue()
    path = f"{API}/achievements/{issuing.achievement['id']}"
    issuing.client.patch(path, json={"name": {"en": "Renamed"}}, headers=issuing.headers)
    again = issuing.client.get(urlsplit(issued["url"]).path + ".json").json()
    assert again == issued["credential"]
    assert issuing.verify(again)["verified"]
    assert issuing.issue()["credential"]["name"] == "Renamed"


def test_idempotency_key_returns_the_first_credential(issuing: Issuing) -> None:
    key = {"Idempotency-Key": "batch-7-row-1"}
    first = issuing.issue(headers=key)
    second = issuing.issue(expect=200, headers=key)
    assert second["id"] == first["id"]
    assert issuing.count(Credential) == 1
    other = issuing.issue(expect=422, headers=key, recipient={"email": "other@b.org"})
    assert other["code"] == "idempotency_key_mismatch"
    assert issuing.count(Credential) == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"achievementId": str(uuid.uuid4())}, 404, "not_found"),
        ({"recipient": {"email": "not-an-email"}}, 422, "validation_failed"),
        ({"recipient": {"email": "a@b.org", "did": "did:key:z6Mk"}}, 422, "validation_failed"),
        ({"recipient": {}}, 422, "validation_failed"),
        (
            {"validFrom": "2026-01-02T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"},
            422,
            "validation_failed",
        ),
        ({"validUntil": "2000-01-01T00:00:00Z"}, 422, "validation_failed"),
        ({"validFrom": "2026-01-01T00:00:00"}, 422, "validation_failed"),
        ({"format": "pdf"}, 422, "validation_failed"),
        ({"surprise": True}, 422, "validation_failed"),
    ],
)
def test_bad_issue_requests_change_nothing(
    issuing: Issuing, body: dict[str, Any], status: int, code: str
) -> None:
    before = (issuing.count(Credential), issuing.count(StatusAllocation), issuing.count(AuditEvent))
    problem = issuing.issue(expect=status, **body)
    assert problem["code"] == code
    after = (issuing.count(Credential), issuing.count(StatusAllocation), issuing.count(AuditEvent))
    assert after == before


def test_other_issuer_and_wrong_scope_are_refused(issuing: Issuing, session: Session) -> None:
    issued = issuing.issue()
    other = bearer(create_token(session, create_issuer(session, slug="other", name="Other")))
    path = f"{API}/credentials/{issued['id']}"
    assert issuing.client.get(path, headers=other).status_code == 404
    assert issuing.client.post(f"{path}/revoke", headers=other).status_code == 404
    reader = bearer(create_token(session, issuing_issuer(session), scopes=["credentials:read"]))
    assert issuing.client.post(f"{path}/revoke", headers=reader).status_code == 403
    body = {"achievementId": issuing.achievement["id"], "recipient": {"email": "x@y.org"}}
    other_issue = issuing.client.post("/api/v1/issuers/other/credentials", json=body, headers=other)
    assert other_issue.status_code == 404  # the achievement is not theirs
    assert issuing.count(Credential) == 1


def issuing_issuer(session: Session) -> Any:
    from badgeservice.services.issuers import get_issuer

    return get_issuer(session, "wmde")


def status_bit(issuing: Issuing, entry: dict[str, Any]) -> int:
    listed = issuing.fetch(entry["statusListCredential"])
    assert issuing.verify(listed)["checks"][3]["outcome"] == "passed"  # the list's own proof
    bits = StatusList.decode(listed["credentialSubject"]["encodedList"])
    return bits.get(int(entry["statusListIndex"]))


def test_revocation_flips_exactly_one_bit_and_fails_verification(issuing: Issuing) -> None:
    keep, revoke = issuing.issue(), issuing.issue()
    entry = revoke["credential"]["credentialStatus"]
    assert status_bit(issuing, entry) == 0
    path = f"{API}/credentials/{revoke['id']}/revoke"
    response = issuing.client.post(
        path, json={"reason": "issued in error"}, headers=issuing.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["revoked"] is True
    assert status_bit(issuing, entry) == 1
    assert status_bit(issuing, keep["credential"]["credentialStatus"]) == 0
    assert outcomes(issuing.verify(revoke["credential"]))["status"] == "failed"
    assert issuing.verify(keep["credential"])["verified"]
    again = issuing.client.post(
        f"{API}/credentials/{revoke['id']}/suspend", headers=issuing.headers
    )
    assert again.status_code == 409


def test_suspension_can_be_lifted(issuing: Issuing) -> None:
    issued = issuing.issue(suspendable=True)
    revocation, suspension = issued["credential"]["credentialStatus"]
    assert suspension["statusPurpose"] == "suspension"
    base = f"{API}/credentials/{issued['id']}"
    issuing.client.post(f"{base}/suspend", headers=issuing.headers).raise_for_status()
    assert status_bit(issuing, suspension) == 1
    assert outcomes(issuing.verify(issued["credential"]))["status"] == "failed"
    issuing.client.post(f"{base}/unsuspend", headers=issuing.headers).raise_for_status()
    assert status_bit(issuing, suspension) == 0
    assert status_bit(issuing, revocation) == 0
    assert issuing.verify(issued["credential"])["verified"]


def test_plain_credential_cannot_be_suspended(issuing: Issuing) -> None:
    issued = issuing.issue()
    response = issuing.client.post(
        f"{API}/credentials/{issued['id']}/suspend", headers=issuing.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "credential_not_suspendable"


def test_key_rotation_keeps_old_credentials_verifying(issuing: Issuing) -> None:
    before = issuing.issue()
    rotated = issuing.client.post(f"{API}/keys/rotate", headers=issuing.headers)
    assert rotated.status_code == 200, rotated.text
    statuses = {k["id"].rsplit("#")[1]: k["status"] for k in rotated.json()}
    assert statuses == {
        "key-1": "retired",
        "key-2": "retired",
        "key-3": "active",
        "key-4": "active",
    }
    after = issuing.issue()
    assert after["credential"]["proof"][0]["verificationMethod"].endswith("#key-3")
    assert before["credential"]["proof"][0]["verificationMethod"].endswith("#key-1")
    document = issuing.client.get("/issuers/wmde/did.json").json()
    ids = [method["id"] for method in document["verificationMethod"]]
    assert len(ids) == 4
    assert all(i.startswith("did:web:localhost%3A8000:issuers:wmde#") for i in ids)
    assert issuing.verify(before["credential"])["verified"]
    assert issuing.verify(after["credential"])["verified"]


def test_listing_filters(issuing: Issuing) -> None:
    first = issuing.issue(recipient={"email": "one@example.org"})
    issuing.issue(recipient={"email": "two@example.org"})
    path = f"{API}/credentials"
    by_email = issuing.client.get(
        path, params={"recipientEmail": " ONE@example.org"}, headers=issuing.headers
    ).json()
    assert [c["id"] for c in by_email["items"]] == [first["id"]]
    issuing.client.post(f"{path}/{first['id']}/revoke", headers=issuing.headers)
    revoked = issuing.client.get(path, params={"state": "revoked"}, headers=issuing.headers).json()
    assert [c["id"] for c in revoked["items"]] == [first["id"]]
    active = issuing.client.get(path, params={"state": "active"}, headers=issuing.headers).json()
    assert active["total"] == 1
    everything = issuing.client.get(path, params={"limit": 1}, headers=issuing.headers).json()
    assert everything["total"] == 2
    assert len(everything["items"]) == 1


def test_audit_trail_records_issuance_and_revocation(issuing: Issuing) -> None:
    issued = issuing.issue()
    issuing.client.post(f"{API}/credentials/{issued['id']}/revoke", headers=issuing.headers)
    trail = issuing.client.get(f"{API}/audit", headers=issuing.headers).json()
    actions = [event["action"] for event in trail["items"]]
    assert actions[:2] == ["credential.revoked", "credential.issued"]
    assert {"issuer.created", "keys.created", "achievement.created"} <= set(actions)
    assert all(event["actor"] for event in trail["items"])
