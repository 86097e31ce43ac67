"""Time comes from the app's clock (``create_app(clock=...)``, DESIGN.md §4): with the clock
stopped at a moment far from the wall clock, every stored, signed and judged time is that
moment, on every surface (API, pages, certificate, status lists, DID document, verification,
the batch worker), on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import io
import json
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.clock import FixedClock
from badgeservice.db.models import Batch, BatchItem, Credential, Endorsement
from badgeservice.render.certificate_labels import LABELS
from badgeservice.render.fonts import missing_fonts
from badgeservice.worker import Worker
from tests.conftest import require
from tests.factories import (
    ACHIEVEMENT,
    ISSUER_API,
    bearer,
    create_issuer,
    create_token,
    issue_over_api,
)

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def xsd(moment: datetime) -> str:
    """A moment as our documents write it (whole seconds, ``Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def stored(session: Session, credential_id: str) -> Credential:
    session.rollback()  # a fresh snapshot
    return session.get_one(Credential, uuid.UUID(credential_id))


def status_list(client: TestClient, entry: dict[str, Any]) -> dict[str, Any]:
    response = client.get(urlsplit(entry["statusListCredential"]).path)
    assert response.status_code == 200, response.text
    return dict(response.json())


def verify_api(client: TestClient, url: str) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json={"url": url})
    assert response.status_code == 200, response.text
    return dict(response.json())


def check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_issue_suspend_revoke_store_and_sign_the_clocks_time(
    client: TestClient,
    session: Session,
    headers: dict[str, str],
    achievement_id: str,
    clock: FixedClock,
    credential_format: str,
) -> None:
    issued_at = clock.now()
    body = issue_over_api(
        client, headers, achievement_id, format=credential_format, suspendable=True
    )
    assert datetime.fromisoformat(body["issuedAt"]) == issued_at
    assert body["credential"]["validFrom"] == xsd(issued_at)
    if credential_format == "ldp":
        assert [proof["created"] for proof in body["credential"]["proof"]] == [xsd(issued_at)]
    else:  # the JWT's own times, and the self-check that passed at the clock's moment
        claims = jwt_claims(body["jwt"])
        assert claims["iat"] == claims["nbf"] == int(issued_at.timestamp())
    record = stored(session, body["id"])
    assert (record.issued_at, record.valid_from) == (issued_at, issued_at)
    revocation, suspension = body["credential"]["credentialStatus"]
    path = f"{ISSUER_API}/credentials/{body['id']}"

    suspended_at = clock.advance(HOUR)
    assert client.post(f"{path}/suspend", headers=headers).json()["state"] == "suspended"
    assert stored(session, body["id"]).suspended_at == suspended_at
    listed = status_list(client, suspension)
    assert listed["validFrom"] == xsd(suspended_at)
    assert [proof["created"] for proof in listed["proof"]] == [xsd(suspended_at)]

    revoked_at = clock.advance(HOUR)
    assert client.post(f"{path}/revoke", headers=headers).json()["state"] == "revoked"
    assert stored(session, body["id"]).revoked_at == revoked_at
    assert status_list(client, revocation)["validFrom"] == xsd(revoked_at)

    checked_at = clock.advance(HOUR)
    report = verify_api(client, body["url"])
    assert datetime.fromisoformat(report["checkedAt"]) == checked_at
    assert report["verified"] is False
    assert check(report, "status")["outcome"] == "failed"


def test_a_credential_past_its_valid_until_at_the_clock_is_expired_everywhere(
    client: TestClient, headers: dict[str, str], achievement_id: str, clock: FixedClock
) -> None:
    start = clock.now()
    until = {"validUntil": xsd(start + DAY)}
    credential = issue_over_api(client, headers, achievement_id, **until)
    path = f"{ISSUER_API}/credentials/{credential['id']}"
    assert verify_api(client, credential["url"])["verified"] is True

    def state_everywhere() -> set[str]:
        api = client.get(path, headers=headers).json()["state"]
        listed = {
            state
            for state in ("active", "expired", "not_yet_valid")
            for item in client.get(
                f"{ISSUER_API}/credentials", params={"state": state}, headers=headers
            ).json()["items"]
            if item["id"] == credential["id"]
        }
        page = client.get(f"/credentials/{credential['id']}", headers={"Accept": "text/html"})
        shown = {
            s
            for s in ("active", "expired", "not_yet_valid")
            if f'class="state state-{s}"' in page.text
        }
        return {api} | listed | shown

    assert state_everywhere() == {"active"}
    clock.set(start + DAY)  # validUntil is exclusive
    assert state_everywhere() == {"expired"}
    clock.set(start - timedelta(seconds=1))  # validFrom (the issuing moment) is inclusive
    assert state_everywhere() == {"not_yet_valid"}
    clock.set(start + 2 * DAY)  # past the verifier's 60 s of clock skew
    report = verify_api(client, credential["url"])
    assert report["verified"] is False
    assert check(report, "valid_until")["outcome"] == "failed"

    require(not missing_fonts(), f"certificate fonts not installed: {missing_fonts()}")
    pdf = client.get(f"/credentials/{credential['id']}.pdf", params={"lang": "en"})
    assert pdf.status_code == 200, pdf.text
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert LABELS["en"]["expired"] in text


def test_endorsements_are_embedded_until_their_valid_until_at_the_clock(
    client: TestClient, session: Session, headers: dict[str, str], clock: FixedClock
) -> None:
    endorser = bearer(create_token(session, create_issuer(session, slug="wmfr", name="WMFR")))
    achievement = client.post(f"{ISSUER_API}/achievements", json=ACHIEVEMENT, headers=headers)
    subject = {"subject": {"achievementId": achievement.json()["id"]}}
    start = clock.now()
    body = subject | {"validUntil": xsd(start + DAY)}
    created = client.post("/api/v1/issuers/wmfr/endorsements", json=body, headers=endorser)
    assert created.status_code == 201, created.text
    signed = created.json()["endorsement"]
    assert signed["validFrom"] == xsd(start)
    assert [proof["created"] for proof in signed["proof"]] == [xsd(start)]
    session.rollback()
    assert session.scalars(select(Endorsement.issued_at)).all() == [start]

    def embedded() -> list[Any]:
        path = urlsplit(achievement.json()["url"]).path
        document = client.get(path, headers={"Accept": "application/ld+json"}).json()
        return list(document.get("endorsement", []))

    assert embedded() == [signed]
    clock.set(start + DAY)
    assert embedded() == []
    # "validUntil must be in the future" is judged at the clock's moment too.
    late = client.post("/api/v1/issuers/wmfr/endorsements", json=body, headers=endorser)
    assert late.status_code == 422, late.text


def test_a_token_expires_at_the_clocks_moment(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    secret = create_token(session, create_issuer(session), expires_at=clock.now() + HOUR)
    assert client.get(ISSUER_API, headers=bearer(secret)).status_code == 200
    clock.advance(HOUR)
    response = client.get(ISSUER_API, headers=bearer(secret))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_the_worker_issues_each_row_at_its_clocks_moment(
    app: FastAPI,
    client: TestClient,
    session: Session,
    headers: dict[str, str],
    achievement_id: str,
    clock: FixedClock,
) -> None:
    recipients = [{"recipient": {"email": f"l{i}@example.org"}} for i in range(2)]
    recipients.append({"recipient": {"email": "not-an-email"}})
    body = {"achievementId": achievement_id, "recipients": recipients}
    created = client.post(f"{ISSUER_API}/batches", json=body, headers=headers)
    assert created.status_code == 202, created.text
    uploaded_at = clock.now()
    worked_at = clock.advance(timedelta(minutes=5))
    settings, key_store = app.state.settings, app.state.key_store
    Worker(app.state.session_factory, settings.base_url, key_store, clock=app.state.clock).run(
        until_idle=True
    )
    session.rollback()
    items = session.scalars(select(BatchItem).order_by(BatchItem.row_number)).all()
    assert [(i.status, i.finished_at) for i in items] == [
        ("done", worked_at),
        ("done", worked_at),
        ("error", uploaded_at),  # refused at upload
    ]
    issued = session.scalars(select(Credential.issued_at)).all()
    assert issued == [worked_at, worked_at]
    assert session.scalars(select(Batch.finished_at)).all() == [worked_at]


def test_a_revoked_keys_date_in_the_did_document_is_the_clocks(
    client: TestClient, headers: dict[str, str], clock: FixedClock
) -> None:
    keys = client.get(f"{ISSUER_API}/keys", headers=headers).json()
    key = next(k for k in keys if k["purpose"] == "data_integrity")
    revoked_at = clock.advance(3 * HOUR)
    response = client.post(
        f"{ISSUER_API}/keys/{key['keyId']}/revoke", json={"reason": "leaked"}, headers=headers
    )
    assert response.status_code == 200, response.text
    document = client.get("/issuers/wmde/did.json").json()
    method = next(m for m in document["verificationMethod"] if m["id"] == key["id"])
    assert method["revoked"] == xsd(revoked_at)
