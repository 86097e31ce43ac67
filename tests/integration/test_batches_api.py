"""Bulk issuance: JSON and CSV uploads, up-front row checks, workers, idempotency, restarts."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Batch, BatchItem, Credential, Issuer
from badgeservice.domain.recipient import identity_hash_matches
from badgeservice.worker import Worker
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token

API = "/api/v1/issuers/wmde"


def worker(app: FastAPI, chunk: int = 20) -> Worker:
    settings = app.state.settings
    key_store, clock = app.state.key_store, app.state.clock
    return Worker(app.state.session_factory, settings.base_url, key_store, clock=clock, chunk=chunk)


def count(session: Session, model: type, *where: Any) -> int:
    session.rollback()  # a fresh snapshot (SQLite reads see the one they began with)
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def rows(n: int, bad: set[int] = frozenset()) -> list[dict[str, Any]]:  # type: ignore[assignment]
    return [
        {
            "recipient": {
                "email": "nope" if i in bad else f"learner{i}@example.org",
                "name": f"L {i}",
            }
        }
        for i in range(n)
    ]


def test_json_batch_with_bad_rows(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    body = {"achievementId": achievement_id, "recipients": rows(30, bad={3, 17})}
    response = client.post(f"{API}/batches", json=body, headers=headers)
    assert response.status_code == 202, response.text
    batch = response.json()
    assert (batch["total"], batch["pending"], batch["error"]) == (30, 28, 2)
    assert response.headers["location"] == batch["url"]
    bad = [item for item in batch["items"] if item["status"] == "error"]
    assert [item["row"] for item in bad] == [4, 18]
    assert bad[0]["error"]["errors"][0]["pointer"].startswith("/recipient")
    assert worker(app).run(until_idle=True) == 28
    done = client.get(f"{API}/batches/{batch['id']}", headers=headers).json()
    assert (done["done"], done["error"], done["pending"], done["finished"]) == (28, 2, 0, True)
    assert count(session, Credential, Credential.achievement_id == uuid.UUID(achievement_id)) == 28
    assert all(item["credentialUrl"] for item in done["items"] if item["status"] == "done")


def test_csv_batch(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    csv = (
        "name,email,evidence_url,narrative\n"
        "Ada Lovelace,ada@example.org,https://example.org/e/1,Made 12 edits\n"
        "Nobody,not-an-email,,\n"
        "Grace Hopper,grace@example.org,,\n"
    )
    response = client.post(
        f"{API}/batches",
        content=csv.encode(),
        params={"achievementId": achievement_id, "validUntil": "2031-01-01T00:00:00Z"},
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    assert (response.json()["pending"], response.json()["error"]) == (2, 1)
    worker(app).run(until_idle=True)
    mine = Credential.achievement_id == uuid.UUID(achievement_id)
    stored = session.scalars(select(Credential).where(mine)).all()
    assert len(stored) == 2
    assert {c.recipient_name for c in stored} == {"Ada Lovelace", "Grace Hopper"}
    assert all(c.valid_until is not None and c.valid_until.year == 2031 for c in stored)


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"colour,size\nred,L\n", "text/csv", 422),
        (b"\xff\xfe not utf-8", "text/csv", 400),
        (b'{"recipients": [', "application/json", 400),
        (b'{"recipients": []}', "application/json", 422),
        (b"<xml/>", "application/xml", 415),
    ],
)
def test_bad_uploads_create_nothing(
    client: TestClient,
    session: Session,
    headers: dict[str, str],
    achievement_id: str,
    content: bytes,
    content_type: str,
    status: int,
) -> None:
    response = client.post(
        f"{API}/batches",
        content=content,
        params={"achievementId": achievement_id},
        headers=headers | {"Content-Type": content_type},
    )
    assert response.status_code == status, response.text
    assert count(session, Batch) == 0


def test_retried_upload_creates_nothing_twice(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    body = {"achievementId": achievement_id, "recipients": rows(5)}
    key = headers | {"Idempotency-Key": "upload-1"}
    first = client.post(f"{API}/batches", json=body, headers=key).json()
    worker(app).run(until_idle=True)
    second = client.post(f"{API}/batches", json=body, headers=key).json()
    assert second["id"] == first["id"]
    assert second["done"] == 5
    assert count(session, Batch) == 1
    assert count(session, Credential) == 5


def test_killed_worker_loses_and_duplicates_nothing(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    """A worker that dies inside a chunk rolls back the whole chunk; the next one redoes it."""
    body = {"achievementId": achievement_id, "recipients": rows(25)}
    batch = client.post(f"{API}/batches", json=body, headers=headers).json()
    dying = worker(app, chunk=10)
    original = dying._issue_row
    calls = 0

    def dies_on_the_fifteenth(*args: Any) -> Credential:
        nonlocal calls
        calls += 1
        if calls == 15:
            raise SystemExit("killed")  # not an Exception: like a process dying mid-chunk
        return original(*args)

    dying._issue_row = dies_on_the_fifteenth
    with pytest.raises(SystemExit):
        dying.run(until_idle=True)
    assert count(session, Credential) == 10  # the first chunk committed, the second did not
    assert worker(app).run(until_idle=True) == 15
    assert count(session, Credential) == 25
    issued = count(session, BatchItem, BatchItem.credential_id.is_not(None))
    assert issued == 25
    done = client.get(f"{API}/batches/{batch['id']}", headers=headers).json()
    assert (done["done"], done["pending"]) == (25, 0)


def test_parallel_workers_issue_each_row_once(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    body = {"achievementId": achievement_id, "recipients": rows(60)}
    client.post(f"{API}/batches", json=body, headers=headers).raise_for_status()
    workers = [worker(app, chunk=5) for _ in range(3)]
    threads = [threading.Thread(target=w.run, kwargs={"until_idle": True}) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count(session, Credential) == 60
    items = session.scalars(select(BatchItem)).all()
    assert len({item.credential_id for item in items}) == 60


def test_another_issuers_batch_is_hidden(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    body = {"achievementId": achievement_id, "recipients": rows(1)}
    batch = client.post(f"{API}/batches", json=body, headers=headers).json()
    other = bearer(create_token(session, create_issuer(session, slug="other", name="Other")))
    assert client.get(f"{API}/batches/{batch['id']}", headers=other).status_code == 404
    assert (
        client.get(f"/api/v1/issuers/other/batches/{batch['id']}", headers=other).status_code == 404
    )


def post_csv(client: TestClient, headers: dict[str, str], csv: str | bytes, **params: Any) -> Any:
    content = csv.encode() if isinstance(csv, str) else csv
    return client.post(
        f"{API}/batches",
        content=content,
        params=params,
        headers=headers | {"Content-Type": "text/csv"},
    )


@pytest.mark.parametrize("separator", [";", "\t", ","])
def test_excel_csv_with_any_separator_is_issued(
    app: FastAPI,
    client: TestClient,
    session: Session,
    headers: dict[str, str],
    achievement_id: str,
    separator: str,
) -> None:
    """What Excel saves as "CSV UTF-8" in Germany: a BOM, semicolons, CRLF, extra columns."""
    lines = [
        ["Name", "Email", "Abteilung", "Narrative"],
        ["Zoë Müller", "zoe@example.org", "Presse", "Hat 12 Artikel bearbeitet; gut"],
        ["Jean Dupont", "jean@example.org", "Archiv", ""],
    ]
    cells = [[f'"{c}"' if ";" in c else c for c in line] for line in lines]
    csv = "\ufeff" + "\r\n".join(separator.join(line) for line in cells) + "\r\n"
    response = post_csv(client, headers, csv, achievementId=achievement_id)
    assert response.status_code == 202, response.text
    batch = response.json()
    assert (batch["pending"], batch["error"]) == (2, 0)
    assert [w["code"] for w in batch["warnings"]] == ["csv_columns_ignored"]
    assert "abteilung" in batch["warnings"][0]["message"]
    worker(app).run(until_idle=True)
    stored = session.scalars(select(Credential).order_by(Credential.recipient_name)).all()
    assert [c.recipient_name for c in stored] == ["Jean Dupont", "Zoë Müller"]
    narrative = '"narrative":"Hat 12 Artikel bearbeitet; gut"'
    assert narrative in stored[1].document.replace(": ", ":")
    again = client.get(batch["url"].removeprefix("http://testserver"), headers=headers).json()
    assert again["warnings"] == batch["warnings"]


def batch_body(achievement_id: str, *emails: str, **options: Any) -> dict[str, Any]:
    recipients = [{"recipient": {"email": e}} for e in emails]
    return {"achievementId": achievement_id, "recipients": recipients, **options}


def test_reupload_warns_per_row_that_the_recipient_holds_the_achievement(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    body = batch_body(achievement_id, "ada@example.org", "grace@example.org")
    client.post(f"{API}/batches", json=body, headers=headers).raise_for_status()
    worker(app).run(until_idle=True)
    body = batch_body(achievement_id, "ADA@example.org", "new@example.org")
    again = client.post(f"{API}/batches", json=body, headers=headers).json()
    [ada, new] = again["items"]
    assert [w["code"] for w in ada["warnings"]] == ["recipient_has_credential"]
    assert (ada["status"], new["status"], new["warnings"]) == ("pending", "pending", [])
    worker(app).run(until_idle=True)
    assert count(session, Credential) == 4  # without skipExisting, warned rows are issued


@pytest.mark.parametrize("upload", ["json", "csv"])
def test_skip_existing_skips_recipients_holding_the_achievement(
    app: FastAPI,
    client: TestClient,
    session: Session,
    headers: dict[str, str],
    achievement_id: str,
    upload: str,
) -> None:
    first = client.post(
        f"{API}/batches",
        json=batch_body(achievement_id, "ada@example.org", "grace@example.org"),
        headers=headers,
    ).json()
    worker(app).run(until_idle=True)
    done = client.get(f"{API}/batches/{first['id']}", headers=headers).json()
    ada_credential = done["items"][0]["credentialId"]
    revoke = f"{API}/credentials/{done['items'][1]['credentialId']}/revoke"
    client.post(revoke, json={}, headers=headers).raise_for_status()
    emails = ("ada@example.org", "grace@example.org", "new@example.org")
    if upload == "json":
        body = batch_body(achievement_id, *emails, skipExisting=True)
        response = client.post(f"{API}/batches", json=body, headers=headers)
    else:
        csv = "email\n" + "\n".join(emails) + "\n"
        response = post_csv(client, headers, csv, achievementId=achievement_id, skipExisting=True)
    assert response.status_code == 202, response.text
    [ada, grace, new] = response.json()["items"]
    assert (ada["status"], ada["credentialId"]) == ("skipped", ada_credential)
    assert ada["credentialUrl"].endswith(f"/credentials/{ada_credential}")
    assert ada_credential in ada["warnings"][0]["message"]
    assert (grace["status"], new["status"]) == ("pending", "pending")  # a revoked one is no hold
    assert response.json()["skipped"] == 1
    worker(app).run(until_idle=True)
    assert count(session, Credential) == 4


def test_batch_of_only_skipped_rows_is_finished_at_once(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    body = batch_body(achievement_id, "ada@example.org")
    client.post(f"{API}/batches", json=body, headers=headers).raise_for_status()
    worker(app).run(until_idle=True)
    again = client.post(f"{API}/batches", json=body | {"skipExisting": True}, headers=headers)
    assert (again.json()["finished"], again.json()["status"]) == (True, "finished")


def test_duplicate_recipients_in_one_batch_are_warned(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    recipients = [
        {"recipient": {"email": "ada@example.org"}},
        {"recipient": {"did": did}},
        {"recipient": {"email": " Ada@Example.org "}},
        {"recipient": {"did": did, "name": "Same DID"}},
        {"recipient": {"url": "https://example.org/ada"}},
    ]
    body = {"achievementId": achievement_id, "recipients": recipients}
    items = client.post(f"{API}/batches", json=body, headers=headers).json()["items"]
    warned = {item["row"]: [w["message"] for w in item["warnings"]] for item in items}
    assert warned == {
        1: [],
        2: [],
        3: ["Same recipient as row 1."],
        4: ["Same recipient as row 2."],
        5: [],
    }
    assert all(item["status"] == "pending" for item in items)


def test_batch_rows_keep_no_email(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    csv = "name,email\nAda,Ada.Lovelace@example.org\nBad,ada.lovelace@example\n"
    batch = post_csv(client, headers, csv, achievementId=achievement_id).json()
    session.rollback()
    stored = str(session.scalars(select(BatchItem.input)).all()).lower()
    assert "ada.lovelace@example" not in stored
    worker(app).run(until_idle=True)
    session.rollback()
    assert "ada.lovelace@example" not in str(session.scalars(select(BatchItem.input)).all())
    credential = session.scalars(select(Credential)).one()
    hashed = json_subject_identifier(credential.document)
    assert identity_hash_matches(hashed["identityHash"], "ada.lovelace@example.org", hashed["salt"])
    found = client.get(
        f"{API}/credentials", params={"recipientEmail": "ADA.lovelace@example.org"}, headers=headers
    ).json()
    assert [c["id"] for c in found["items"]] == [str(credential.id)]
    assert batch["error"] == 1


def json_subject_identifier(document: str) -> dict[str, Any]:
    subject = json.loads(document)["credentialSubject"]
    return next(i for i in subject["identifier"] if i["identityType"] == "emailAddress")


@pytest.mark.parametrize("language", ["japanese", "pt", "en-", "fr-CA"])
@pytest.mark.parametrize("upload", ["json", "csv"])
def test_batch_in_a_language_the_achievement_lacks_is_refused(
    client: TestClient,
    session: Session,
    headers: dict[str, str],
    achievement_id: str,
    upload: str,
    language: str,
) -> None:
    if upload == "json":
        body = batch_body(achievement_id, "ada@example.org", language=language)
        response = client.post(f"{API}/batches", json=body, headers=headers)
        pointer = "/body/language"
    else:
        csv = "email\nada@example.org\n"
        response = post_csv(client, headers, csv, achievementId=achievement_id, language=language)
        pointer = "/query/language"
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "language_not_offered"
    assert "en, de" in problem["detail"]
    assert problem["errors"][0]["pointer"] == pointer
    assert count(session, Batch) == 0


def test_batch_language_is_matched_as_a_credential_shows_it(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    body = batch_body(achievement_id, "ada@example.org", language="de-CH")
    client.post(f"{API}/batches", json=body, headers=headers).raise_for_status()
    worker(app).run(until_idle=True)
    assert session.scalars(select(Credential.language)).all() == ["de"]


def test_csv_idempotency_key_covers_the_query(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    other = client.post(f"{API}/achievements", json=ACHIEVEMENT, headers=headers).json()["id"]
    csv = "email\nada@example.org\n"
    key = headers | {"Idempotency-Key": "csv-1"}
    first = post_csv(client, key, csv, achievementId=achievement_id)
    assert first.status_code == 202
    replay = post_csv(client, key, csv, achievementId=achievement_id)
    assert replay.json()["id"] == first.json()["id"]
    changed = post_csv(client, key, csv, achievementId=other)
    json_body = batch_body(achievement_id, "ada@example.org")
    client.post(f"{API}/batches", json=json_body, headers=headers | {"Idempotency-Key": "j"})
    json_changed = client.post(
        f"{API}/batches",
        json=json_body | {"validUntil": "2031-01-01T00:00:00Z"},
        headers=headers | {"Idempotency-Key": "j"},
    )
    assert changed.json()["code"] == json_changed.json()["code"] == "idempotency_key_mismatch"
    assert changed.status_code == json_changed.status_code
    assert count(session, Batch) == 2
    assert count(session, Batch, Batch.achievement_id == uuid.UUID(other)) == 0


def test_list_batches_newest_first_with_status_filter(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    ids = []
    for n in range(3):
        body = batch_body(achievement_id, f"learner{n}@example.org")
        ids.append(client.post(f"{API}/batches", json=body, headers=headers).json()["id"])
        if n == 0:
            worker(app).run(until_idle=True)
    listed = client.get(f"{API}/batches", headers=headers).json()
    assert [b["id"] for b in listed["items"]] == ids[::-1]
    assert listed["total"] == 3
    assert "items" not in listed["items"][0]
    first = listed["items"][2]
    assert (first["done"], first["status"], first["finished"]) == (1, "finished", True)
    pending = client.get(f"{API}/batches", params={"status": "pending"}, headers=headers).json()
    assert [b["id"] for b in pending["items"]] == ids[:0:-1]
    finished = client.get(f"{API}/batches", params={"status": "finished"}, headers=headers).json()
    assert [b["id"] for b in finished["items"]] == ids[:1]
    paged = client.get(f"{API}/batches", params={"limit": 1, "offset": 1}, headers=headers).json()
    assert ([b["id"] for b in paged["items"]], paged["total"]) == ([ids[1]], 3)
    bad = client.get(f"{API}/batches", params={"status": "done"}, headers=headers)
    assert bad.status_code == 422


def test_list_batches_is_scoped_to_the_issuer_and_read_scope(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    body = batch_body(achievement_id, "ada@example.org")
    client.post(f"{API}/batches", json=body, headers=headers).raise_for_status()
    other = bearer(create_token(session, create_issuer(session, slug="other", name="Other")))
    assert client.get(f"{API}/batches", headers=other).status_code in (403, 404)
    assert client.get("/api/v1/issuers/other/batches", headers=other).json()["total"] == 0
    issuer = session.scalars(select(Batch)).one().issuer_id
    wmde = session.get_one(Issuer, issuer)
    narrow = bearer(create_token(session, wmde, name="narrow", scopes=["achievements:read"]))
    assert client.get(f"{API}/batches", headers=narrow).status_code == 403
    reader = bearer(create_token(session, wmde, name="reader", scopes=["credentials:read"]))
    assert client.get(f"{API}/batches", headers=reader).json()["total"] == 1
