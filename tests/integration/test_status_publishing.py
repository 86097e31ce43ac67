"""Status lists are signed when a bit changes, never when read (DESIGN.md §6): issuing into a
signed list does not re-sign it, concurrent revocations of one list each land in the stored
copy, and a copy left behind by an older release is re-signed by the worker (503 until then)."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badgeservice import vc
from badgeservice.db.models import Credential, StatusList
from badgeservice.services import credentials
from badgeservice.services.status_lists import ListSigner
from badgeservice.worker import Worker
from tests.factories import BASE_URL, ISSUER_API, issue_over_api


def list_path(issued: dict[str, Any]) -> str:
    return urlsplit(issued["credential"]["credentialStatus"]["statusListCredential"]).path


def stored(session: Session) -> StatusList:
    session.rollback()
    return session.scalars(select(StatusList)).one()


def test_issuing_into_a_signed_list_does_not_re_sign_it(
    app: FastAPI,
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    session: Session,
) -> None:
    first = issue_over_api(client, headers, achievement_id)
    signed = stored(session)
    assert (signed.signed_version, signed.version) == (1, 1)
    document = signed.signed_document
    for _ in range(3):
        issue_over_api(client, headers, achievement_id)
    recipients = [{"recipient": {"email": f"row{n}@example.org"}} for n in range(3)]
    body = {"achievementId": achievement_id, "recipients": recipients}
    client.post(f"{ISSUER_API}/batches", json=body, headers=headers).raise_for_status()
    Worker(app.state.session_factory, BASE_URL, app.state.key_store, clock=app.state.clock).run(
        until_idle=True
    )
    after = stored(session)
    assert (after.signed_version, after.version, after.signed_document) == (1, 1, document)
    assert client.get(list_path(first)).text == document


def test_concurrent_revocations_of_one_list_all_land_in_the_stored_copy(
    app: FastAPI,
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    session: Session,
) -> None:
    issued = [issue_over_api(client, headers, achievement_id) for _ in range(8)]
    now = app.state.clock.now()
    signer = ListSigner(BASE_URL, app.state.key_store, now)

    def revoke(credential_id: str) -> None:
        with app.state.session_factory() as db:
            credential = db.get_one(Credential, uuid.UUID(credential_id))
            credentials.revoke(db, credential, None, actor="test", now=now, signer=signer)
            db.commit()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(revoke, [row["id"] for row in issued]))
    row = stored(session)
    assert (row.signed_version, row.version) == (9, 9)
    bits = vc.StatusList.decode(json.loads(row.signed_document)["credentialSubject"]["encodedList"])
    indexes = [int(r["credential"]["credentialStatus"]["statusListIndex"]) for r in issued]
    assert [bits.get(index) for index in indexes] == [1] * 8
    assert client.get(list_path(issued[0])).text == row.signed_document


def test_a_stale_list_is_unavailable_until_the_worker_re_signs_it(
    app: FastAPI,
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    session: Session,
) -> None:
    issued = issue_over_api(client, headers, achievement_id)
    revoked = f"{ISSUER_API}/credentials/{issued['id']}/revoke"
    client.post(revoked, headers=headers).raise_for_status()
    # what an older release left: the bit changed, the stored copy did not
    session.execute(update(StatusList).values(signed_version=None))
    session.commit()
    response = client.get(list_path(issued))
    assert response.status_code == 503
    assert (response.json()["code"], response.headers["retry-after"]) == (
        "status_list_unavailable",
        "5",
    )
    report = client.post("/api/v1/verify", json={"url": issued["url"]}).json()
    status = next(check for check in report["checks"] if check["id"] == "status")
    assert status["outcome"] == "error"  # could not check, never "not revoked"
    assert (
        Worker(
            app.state.session_factory, BASE_URL, app.state.key_store, clock=app.state.clock
        ).publish_stale()
        == 1
    )
    row = stored(session)
    assert row.signed_version == row.version
    served = client.get(list_path(issued))
    assert served.status_code == 200
    index = int(issued["credential"]["credentialStatus"]["statusListIndex"])
    assert vc.StatusList.decode(served.json()["credentialSubject"]["encodedList"]).get(index) == 1
