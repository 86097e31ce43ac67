"""Endorsements over the API: issued for an achievement, a profile or a credential, valid
against 1EdTech's strict endorsement schema, verified by our verifier, revocable, embedded in
the public documents; and embedded endorsements checked when a credential is verified."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft201909Validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import AuditEvent, Endorsement
from badgeservice.services import keys
from badgeservice.services.issuers import get_issuer
from badgeservice.vc import sign_credential, verify_credential
from tests.factories import ACHIEVEMENT, KEY_STORE, bearer, create_issuer, create_token

ENDORSER = "/api/v1/issuers/wmfr/endorsements"
DID_WMDE = "did:web:localhost%3A8000:issuers:wmde"


class Endorsing:
    """Two issuers: ``wmde`` with an achievement and a credential, ``wmfr`` endorsing."""

    def __init__(self, client: TestClient, session: Session) -> None:
        self.client = client
        self.session = session
        self.wmde = bearer(create_token(session, create_issuer(session)))
        endorser = create_issuer(session, slug="wmfr", name="Wikimédia France")
        self.headers = bearer(create_token(session, endorser))
        api = "/api/v1/issuers/wmde"
        response = client.post(f"{api}/achievements", json=ACHIEVEMENT, headers=self.wmde)
        self.achievement = response.json()
        payload = {"achievementId": self.achievement["id"], "recipient": {"email": "a@b.org"}}
        self.credential = client.post(f"{api}/credentials", json=payload, headers=self.wmde).json()

    def endorse(self, expect: int = 201, headers: dict[str, str] | None = None, **body: Any) -> Any:
        payload = {"subject": {"achievementId": self.achievement["id"]}, "comment": "Sound."}
        response = self.client.post(ENDORSER, json=payload | body, headers=headers or self.headers)
        assert response.status_code == expect, response.text
        return response.json()

    def fetch(self, url: str) -> dict[str, Any]:
        """Documents by URL, served by the app under test (no network)."""
        response = self.client.get(urlsplit(url).path, headers={"Accept": "application/ld+json"})
        response.raise_for_status()
        return dict(response.json())

    def verify(self, source: Any) -> Any:
        return verify_credential(source, fetch_json=self.fetch)


@pytest.fixture
def endorsing(client: TestClient, session: Session) -> Endorsing:
    return Endorsing(client, session)


def subjects(endorsing: Endorsing) -> dict[str, tuple[dict[str, str], str]]:
    """Each kind of target as the request names it, and the id the endorsement must carry."""
    return {
        "achievement": (
            {"achievementId": endorsing.achievement["id"]},
            endorsing.achievement["url"],
        ),
        "profile": ({"issuer": "wmde"}, DID_WMDE),
        "credential": ({"credentialId": endorsing.credential["id"]}, endorsing.credential["url"]),
        "iri": ({"id": "https://example.org/courses/7"}, "https://example.org/courses/7"),
    }


@pytest.mark.shared_data
@pytest.mark.parametrize("kind", ["achievement", "profile", "credential", "iri"])
def test_endorsement_is_schema_valid_and_verifies(
    endorsing: Endorsing, shared_data: Path, kind: str
) -> None:
    subject, endorsed_id = subjects(endorsing)[kind]
    issued = endorsing.endorse(
        subject=subject, name="Endorsed by WMFR", validUntil="2099-01-01T00:00:00Z"
    )
    document = issued["endorsement"]
    assert (issued["subjectKind"], issued["subjectId"]) == (kind, endorsed_id)
    assert document["id"] == issued["url"]
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert document["credentialSubject"] == {
        "id": endorsed_id,
        "type": ["EndorsementSubject"],
        "endorsementComment": "Sound.",
    }
    assert document["issuer"]["id"] == "did:web:localhost%3A8000:issuers:wmfr"
    assert [p["cryptosuite"] for p in document["proof"]] == ["eddsa-rdfc-2022"]
    assert document["credentialStatus"]["type"] == "BitstringStatusListEntry"
    schema = json.loads((shared_data / "schemas" / "endorsementcredential.json").read_text())
    assert [e.message for e in Draft201909Validator(schema).iter_errors(document)] == []
    report = endorsing.verify(document)
    assert report.verified, report.to_dict()
    assert report.check("status").outcome == "passed"


def test_endorsement_name_defaults_to_the_endorser(endorsing: Endorsing) -> None:
    issued = endorsing.endorse()
    assert issued["name"] == issued["endorsement"]["name"] == "Endorsement by Wikimédia France"
    assert "validUntil" not in issued["endorsement"]


def test_public_endorsement_is_served_as_stored(endorsing: Endorsing) -> None:
    issued = endorsing.endorse()
    path = urlsplit(issued["url"]).path
    served = endorsing.client.get(path)
    stored = endorsing.session.get(Endorsement, uuid.UUID(issued["id"]))
    assert stored is not None
    assert served.content == stored.document.encode()
    assert served.headers["content-type"].startswith("application/ld+json")
    assert "immutable" in served.headers["cache-control"]
    again = endorsing.client.get(path, headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304
    assert endorsing.client.get(f"/endorsements/{uuid.uuid4()}").status_code == 404


def test_revoked_endorsement_fails_at_status_and_leaves_the_documents(
    endorsing: Endorsing,
) -> None:
    issued = endorsing.endorse()
    achievement_path = urlsplit(endorsing.achievement["url"]).path
    assert endorsing.fetch(achievement_path)["endorsement"] == [issued["endorsement"]]
    response = endorsing.client.post(
        f"{ENDORSER}/{issued['id']}/revoke", json={"reason": "withdrawn"}, headers=endorsing.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["revoked"] is True
    report = endorsing.verify(issued["endorsement"])
    assert (report.check("status").outcome, report.verified) == ("failed", False)
    assert "endorsement" not in endorsing.fetch(achievement_path)
    endorsing.session.rollback()
    actions = set(endorsing.session.scalars(select(AuditEvent.action)))
    assert {"endorsement.issued", "endorsement.revoked"} <= actions


def test_endorsements_are_embedded_in_the_achievement_and_the_profile(
    endorsing: Endorsing,
) -> None:
    of_achievement = endorsing.endorse()["endorsement"]
    of_profile = endorsing.endorse(subject={"issuer": "wmde"})["endorsement"]
    endorsing.endorse(subject={"credentialId": endorsing.credential["id"]})
    achievement = endorsing.fetch(endorsing.achievement["url"])
    assert achievement["endorsement"] == [of_achievement]
    profile = endorsing.fetch("/issuers/wmde")
    assert profile["endorsement"] == [of_profile]
    assert "endorsement" not in endorsing.fetch("/issuers/wmfr")
    assert endorsing.verify(profile["endorsement"][0]).verified


def test_endorsements_are_listed_and_read_by_their_issuer_only(endorsing: Endorsing) -> None:
    first, second, third = (endorsing.endorse() for _ in range(3))
    page = endorsing.client.get(f"{ENDORSER}?limit=2", headers=endorsing.headers).json()
    assert (page["total"], page["limit"], len(page["items"])) == (3, 2, 2)
    ids = {item["id"] for item in page["items"]}
    assert ids <= {first["id"], second["id"], third["id"]}
    read = endorsing.client.get(f"{ENDORSER}/{first['id']}", headers=endorsing.headers)
    assert read.json()["endorsement"] == first["endorsement"]
    other = f"/api/v1/issuers/wmde/endorsements/{first['id']}"
    assert endorsing.client.get(other, headers=endorsing.wmde).status_code == 404
    assert endorsing.client.post(f"{other}/revoke", headers=endorsing.wmde).status_code == 404
    # another issuer's token does not learn that wmfr exists either (as for credentials)
    assert (
        endorsing.client.get(f"{ENDORSER}/{first['id']}", headers=endorsing.wmde).status_code == 404
    )


@pytest.mark.parametrize(
    ("scopes", "method", "suffix"),
    [
        (["credentials:read"], "post", ""),
        (["credentials:issue", "credentials:read"], "post", "/{id}/revoke"),
        (["credentials:issue"], "get", ""),
    ],
)
def test_endorsements_need_their_scopes(
    endorsing: Endorsing, session: Session, scopes: list[str], method: str, suffix: str
) -> None:
    issued = endorsing.endorse()
    token = create_token(session, get_issuer(session, "wmfr"), name="narrow", scopes=scopes)
    path = ENDORSER + suffix.format(id=issued["id"])
    body = {"subject": {"issuer": "wmde"}} if method == "post" and not suffix else None
    response = endorsing.client.request(method, path, json=body, headers=bearer(token))
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        ({"subject": {"achievementId": str(uuid.uuid4())}}, 404, None),
        ({"subject": {"credentialId": str(uuid.uuid4())}}, 404, None),
        ({"subject": {"issuer": "nobody"}}, 404, None),
        ({"subject": {}}, 422, "/body/subject"),
        ({"subject": {"issuer": "wmde", "id": "https://example.org/x"}}, 422, "/body/subject"),
        ({"subject": {"id": "not an iri"}}, 422, "/body/subject/id"),
        ({"subject": {"achievementId": "42"}}, 422, "/body/subject/achievementId"),
        (
            {"subject": {"issuer": "wmde"}, "validUntil": "2001-01-01T00:00:00Z"},
            422,
            "/body/validUntil",
        ),
        (
            {"subject": {"issuer": "wmde"}, "validUntil": "2099-01-01T00:00:00"},
            422,
            "/body/validUntil",
        ),
        ({"subject": {"issuer": "wmde"}, "colour": "red"}, 422, "/body/colour"),
    ],
)
def test_bad_endorsement_requests_are_refused(
    endorsing: Endorsing, body: dict[str, Any], status: int, pointer: str | None
) -> None:
    problem = endorsing.endorse(expect=status, **body)
    if pointer is not None:
        assert pointer in [error["pointer"] for error in problem["errors"]], problem
    endorsing.session.rollback()
    assert endorsing.session.scalars(select(Endorsement)).first() is None


# --- verifying a credential that embeds endorsements ---------------------------------------


def embedding(endorsing: Endorsing, endorsement: dict[str, Any]) -> dict[str, Any]:
    """wmde's credential with ``endorsement`` in its achievement, re-signed by wmde's key."""
    document = copy.deepcopy(endorsing.credential["credential"])
    document.pop("proof")
    document["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    issuer = get_issuer(endorsing.session, "wmde")
    vm_id, key = keys.signing_key(endorsing.session, issuer, "data_integrity", KEY_STORE)
    return sign_credential(document, key, vm_id)


def verify_api(endorsing: Endorsing, credential: dict[str, Any]) -> dict[str, Any]:
    response = endorsing.client.post("/api/v1/verify", json=credential)
    assert response.status_code == 200, response.text
    return dict(response.json())


def check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(item for item in report["checks"] if item["id"] == check_id)


def test_credential_embedding_our_endorsement_verifies_it(endorsing: Endorsing) -> None:
    credential = embedding(endorsing, endorsing.endorse()["endorsement"])
    report = verify_api(endorsing, credential)
    assert check(report, "endorsements")["outcome"] == "passed", report
    assert report["verified"] is True, report
    page = endorsing.client.post("/verify", data={"credential": json.dumps(credential)})
    assert "Its endorsements hold" in page.text
    assert "Every endorsement it carries is genuine and still valid." in page.text


@pytest.mark.parametrize("change", ["tampered", "revoked"])
def test_credential_embedding_a_bad_endorsement_is_not_verified(
    endorsing: Endorsing, change: str
) -> None:
    issued = endorsing.endorse()
    endorsement = issued["endorsement"]
    if change == "tampered":
        endorsement["credentialSubject"]["endorsementComment"] = "The best ever."
    else:
        path = f"{ENDORSER}/{issued['id']}/revoke"
        endorsing.client.post(path, headers=endorsing.headers).raise_for_status()
    report = verify_api(endorsing, embedding(endorsing, endorsement))
    assert check(report, "proof")["outcome"] == "passed"
    outcome = check(report, "endorsements")
    assert (outcome["outcome"], outcome["code"]) == ("failed", "endorsement_invalid")
    assert issued["url"] in outcome["message"]
    assert ("proof" if change == "tampered" else "status") in outcome["message"]
    assert report["verified"] is False


def test_openapi_documents_the_endorsement_request(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    create = spec["paths"]["/api/v1/issuers/{slug}/endorsements"]["post"]
    assert {"201", "403", "404", "422"} <= set(create["responses"])
    example = spec["components"]["schemas"]["EndorsementIn"]["examples"][0]
    assert set(example["subject"]) == {"achievementId"}
