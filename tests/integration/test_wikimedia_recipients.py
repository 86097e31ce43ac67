"""Issuing to a Wikimedia account: `{"wikimediaUsername": …}` on the API, the CSV column and the
CLI, a hashed `userName` IdentityObject the strict 1EdTech schema accepts, the lookup hash, the
verifier's `User:Name` recipient claim, and a page that shows no username."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema import Draft201909Validator, FormatChecker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import BatchItem, Credential
from badgeservice.domain.recipient import identity_hash_matches
from badgeservice.services.issuance import lookup_of
from badgeservice.worker import Worker
from tests.factories import ISSUER_API

USERNAME = "ada_lovelace "  # as an issuer may type it
NORMALISED = "Ada lovelace"  # as MediaWiki names the account


def issue(client: TestClient, headers: dict[str, str], achievement_id: str, **extra: Any) -> Any:
    recipient = {"wikimediaUsername": USERNAME} | extra
    body = {"achievementId": achievement_id, "recipient": recipient}
    return client.post(f"{ISSUER_API}/credentials", json=body, headers=headers)


def user_names(document: dict[str, Any]) -> list[dict[str, Any]]:
    identifiers = document["credentialSubject"]["identifier"]
    return [i for i in identifiers if i["identityType"] == "userName"]


def test_a_username_recipient_is_a_hashed_user_name_identity(
    app: FastAPI,
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    session: Session,
    shared_data: Path,
) -> None:
    response = issue(client, headers, achievement_id)
    assert response.status_code == 201, response.text
    document = response.json()["credential"]
    (identity,) = user_names(document)
    assert identity["hashed"] is True
    assert identity["type"] == "IdentityObject"
    assert identity_hash_matches(identity["identityHash"], NORMALISED, identity["salt"])
    assert "lovelace" not in json.dumps(document).lower()
    assert "id" not in document["credentialSubject"]
    stored = session.get_one(Credential, uuid.UUID(response.json()["id"]))
    assert stored.recipient_type == "wikimedia_username"
    assert stored.recipient_lookup == lookup_of(
        app.state.key_store, "wikimedia_username", "Ada lovelace"
    )
    assert stored.recipient_lookup != lookup_of(app.state.key_store, "email", "ada@example.org")
    schema = json.loads((shared_data / "schemas" / "achievementcredential.json").read_text())
    validator = Draft201909Validator(schema, format_checker=FormatChecker())
    assert [e.message for e in validator.iter_errors(document)] == []


def test_each_credential_has_its_own_salt(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    first, second = (issue(client, headers, achievement_id).json() for _ in range(2))
    hashes = {user_names(c["credential"])[0]["identityHash"] for c in (first, second)}
    assert len(hashes) == 2
    assert second["warnings"][0]["code"] == "recipient_has_credential"  # found by its lookup


@pytest.mark.parametrize(
    "username",
    [
        "Ada#1",
        "a/b",
        "x@y",
        "Talk:Ada",
        "[[Ada]]",
        "a|b",
        "{x}",
        "<b>",
        "",
        "   ",
        "__",
        "a" * 256,
        "bell\x07",
    ],
)
def test_names_mediawiki_refuses_are_422(
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    username: str,
    session: Session,
) -> None:
    body = {"achievementId": achievement_id, "recipient": {"wikimediaUsername": username}}
    response = client.post(f"{ISSUER_API}/credentials", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"].startswith("/body/recipient")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Credential)) == 0


def test_a_username_and_an_email_together_are_refused(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    response = issue(client, headers, achievement_id, email="ada@example.org")
    assert response.status_code == 422
    assert "exactly one of email, did, url or wikimediaUsername" in response.text


def test_skip_existing_finds_a_username_recipient(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    first = issue(client, headers, achievement_id).json()
    body = {
        "achievementId": achievement_id,
        "recipient": {"wikimediaUsername": "Ada  lovelace"},
        "skipExisting": True,
    }
    again = client.post(f"{ISSUER_API}/credentials", json=body, headers=headers)
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]


def test_a_csv_batch_takes_a_wikimedia_username_column(
    app: FastAPI,
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    session: Session,
) -> None:
    csv = "name;wikimedia_username\nAda;ada_lovelace\n;Bad|Name\nGrace;Grace Hopper\n"
    response = client.post(
        f"{ISSUER_API}/batches",
        content=csv.encode(),
        params={"achievementId": achievement_id},
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    assert (response.json()["pending"], response.json()["error"]) == (2, 1)
    session.rollback()
    kept = json.dumps([item.input for item in session.scalars(select(BatchItem))])
    assert "lovelace" not in kept.lower()  # rows keep what a credential keeps: hashes
    assert "Hopper" not in kept
    settings = app.state.settings
    factory, key_store = app.state.session_factory, app.state.key_store
    Worker(factory, settings.base_url, key_store, clock=app.state.clock).run(until_idle=True)
    session.rollback()
    stored = {c.recipient_name: c for c in session.scalars(select(Credential))}
    assert set(stored) == {"Ada", "Grace"}
    key_store = app.state.key_store
    assert stored["Ada"].recipient_type == "wikimedia_username"
    assert stored["Ada"].recipient_lookup == lookup_of(
        key_store, "wikimedia_username", "Ada lovelace"
    )
    document = json.loads(stored["Grace"].document)
    (identity,) = user_names(document)
    assert identity_hash_matches(identity["identityHash"], "Grace Hopper", identity["salt"])


@pytest.mark.parametrize(
    ("claimed", "outcome"),
    [("User:ada_lovelace", "passed"), ("user: Ada  lovelace", "passed"), ("User:Grace", "failed")],
)
def test_the_verifier_compares_a_claimed_username(
    client: TestClient, headers: dict[str, str], achievement_id: str, claimed: str, outcome: str
) -> None:
    issued = issue(client, headers, achievement_id).json()
    response = client.post(
        "/api/v1/verify", json={"credential": issued["credential"], "recipient": claimed}
    )
    assert response.status_code == 200, response.text
    check = next(c for c in response.json()["checks"] if c["id"] == "recipient")
    assert check["outcome"] == outcome
    assert "the username you gave" in check["message"]
    assert claimed.split(":", 1)[1].strip() not in response.text


def test_a_username_claim_against_an_email_credential_is_not_named(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    body = {"achievementId": achievement_id, "recipient": {"email": "ada@example.org"}}
    issued = client.post(f"{ISSUER_API}/credentials", json=body, headers=headers).json()
    response = client.post(
        "/api/v1/verify", json={"credential": issued["credential"], "recipient": "User:Ada"}
    )
    check = next(c for c in response.json()["checks"] if c["id"] == "recipient")
    assert (check["outcome"], check["code"]) == ("failed", "recipient_not_named")


def test_the_credential_page_shows_no_username(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    plain = issue(client, headers, achievement_id).json()
    page = client.get(plain["url"], headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "lovelace" not in page.text.lower()
    named = issue(client, headers, achievement_id, name="Ada Lovelace").json()
    page = client.get(named["url"], headers={"Accept": "text/html"})
    assert "Ada Lovelace" in page.text  # the display name the issuer gave
    verify = client.post(
        "/verify",
        data={"credential": json.dumps(plain["credential"])},
        headers={"Accept": "text/html"},
    )
    assert "a hashed username" in verify.text
