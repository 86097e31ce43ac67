"""What we issue passes 1EdTech's strict AchievementCredential JSON Schema with zero errors:
`proof` is an array (credentials and status lists); a suspendable credential's status array is
the one known deviation, kept and announced as a warning. Credentials stored before, with a
single proof object, keep verifying."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema import Draft201909Validator, FormatChecker
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential
from badgeservice.services import issuers, keys
from badgeservice.vc import sign_credential
from badgeservice.worker import Worker
from tests.factories import KEY_STORE
from tests.factories import issue_over_api as issue

API = "/api/v1/issuers/wmde"
REGISTERED_CLAIMS = {"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}


@pytest.fixture(scope="module")
def strict_schema(shared_data: Path) -> Draft201909Validator:
    """The published schema; its ``$ref``s are all local (``#/$defs/...``), so nothing is
    fetched."""
    schema = json.loads((shared_data / "schemas" / "achievementcredential.json").read_text())
    return Draft201909Validator(schema, format_checker=FormatChecker())


def errors(validator: Draft201909Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def jwt_credential(token: str) -> dict[str, Any]:
    """The credential part of a VC-JWT payload: every claim but the registered ones."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return {k: v for k, v in claims.items() if k not in REGISTERED_CLAIMS}


def verify(client: TestClient, **kwargs: Any) -> dict[str, Any]:
    response = client.post("/api/v1/verify", **kwargs)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize("fmt", ["ldp", "jwt"])
def test_default_credential_passes_the_strict_schema_with_zero_errors(
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    strict_schema: Draft201909Validator,
    fmt: str,
) -> None:
    issued = issue(client, headers, achievement_id, format=fmt)
    if fmt == "jwt":
        document = jwt_credential(issued["jwt"])
        assert "proof" not in document  # the JWS is the proof
    else:
        document = issued["credential"]
        assert [type(p) for p in document["proof"]] == [dict]  # a proof set of one
    assert errors(strict_schema, document) == []
    assert issued["warnings"] == []


def test_status_list_credential_carries_a_proof_array(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    issued = issue(client, headers, achievement_id)
    status_list = issued["credential"]["credentialStatus"]["statusListCredential"]
    listed = client.get(urlsplit(status_list).path)
    assert listed.status_code == 200, listed.text
    [proof] = listed.json()["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    report = verify(client, json=issued["credential"])
    assert report["verified"] is True, report


def test_suspendable_credential_fails_only_on_its_status_array_and_says_so(
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    strict_schema: Draft201909Validator,
) -> None:
    issued = issue(client, headers, achievement_id, suspendable=True)
    document = issued["credential"]
    assert [entry["statusPurpose"] for entry in document["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]
    found = errors(strict_schema, document)
    assert found, "the status array fails the strict schema"
    assert all(e.startswith("credentialStatus:") for e in found), found
    assert [w["code"] for w in issued["warnings"]] == ["credential_status_array"]
    assert "strict AchievementCredential" in issued["warnings"][0]["message"]
    again = client.get(f"{API}/credentials/{issued['id']}", headers=headers).json()
    assert again["warnings"] == issued["warnings"]
    assert verify(client, json=document)["verified"] is True


@pytest.mark.parametrize("suspendable", [False, True])
def test_batch_rows_carry_the_status_array_warning_when_suspendable(
    app: FastAPI,
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    suspendable: bool,
) -> None:
    recipients = [{"recipient": {"email": f"l{i}@example.org"}} for i in range(2)]
    recipients.append({"recipient": {"email": "not-an-email"}})
    body = {"achievementId": achievement_id, "suspendable": suspendable, "recipients": recipients}
    created = client.post(f"{API}/batches", json=body, headers=headers)
    assert created.status_code == 202, created.text
    settings = app.state.settings
    worker = Worker(
        app.state.session_factory, settings.base_url, app.state.key_store, clock=app.state.clock
    )
    worker.run(until_idle=True)
    items = client.get(f"{API}/batches/{created.json()['id']}", headers=headers).json()["items"]
    codes = {item["status"]: [w["code"] for w in item["warnings"]] for item in items}
    assert codes == {"done": ["credential_status_array"] if suspendable else [], "error": []}


def test_a_stored_credential_with_a_single_proof_object_keeps_verifying(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    """Nothing is migrated: a credential written before proof arrays (``proof`` an object,
    signed by the same issuer key) is served as stored and verifies, like a new one."""
    new = issue(client, headers, achievement_id)
    old = issue(client, headers, achievement_id)
    issuer = issuers.get_issuer(session, "wmde")
    vm_id, key = keys.signing_key(session, issuer, "data_integrity", KEY_STORE)
    unsigned = {k: v for k, v in old["credential"].items() if k != "proof"}
    written_before = sign_credential(unsigned, key, vm_id)
    assert isinstance(written_before["proof"], dict)
    stored = session.get(Credential, uuid.UUID(old["id"]))
    assert stored is not None
    stored.document = json.dumps(written_before, separators=(",", ":"))
    session.commit()
    served = client.get(urlsplit(old["url"]).path + ".json").json()
    assert served == written_before
    for credential in (served, new["credential"]):
        assert verify(client, json=credential)["verified"] is True
    assert verify(client, json={"url": old["url"] + ".json"})["verified"] is True
