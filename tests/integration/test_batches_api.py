"""Bulk issuance: JSON and CSV uploads, up-front row checks, workers, idempotency, restarts."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Batch, BatchItem, Credential
from badgeservice.worker import Worker
from tests.factories import bearer, create_issuer, create_token

API = "/api/v1/issuers/wmde"


def worker(app: FastAPI, chunk: int = 20) -> Worker:
    settings = app.state.settings
    return Worker(app.state.session_factory, settings.base_url, app.state.key_store, chunk=chunk)


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
    assert count(session, Credential) == 28
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
    stored = session.scalars(select(Credential)).all()
    assert len(stored) == 2
    assert {c.recipient_name for c in stored} == {"Ada Lovelace", "Grace Hopper"}
    assert all(c.valid_until is not None and c.valid_until.year == 2031 for c in stored)


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"colour,email\nred,a@b.org\n", "text/csv", 422),
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
