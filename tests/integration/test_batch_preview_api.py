"""A batch's dry run (`dryRun=true`: each row as it would be, nothing stored) and its results
as CSV (no cell read as a formula)."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.db.models import (
    AuditEvent,
    Batch,
    BatchItem,
    Credential,
    IdempotencyKey,
    MailMessage,
)
from badgeservice.domain.csv_cells import safe_cell
from badgeservice.services.issuers import get_issuer
from tests.factories import bearer, create_issuer, create_token, issue_over_api
from tests.integration.test_batches_api import count, worker

API = "/api/v1/issuers/wmde"
STORED = (Batch, BatchItem, Credential, MailMessage, IdempotencyKey, AuditEvent)
CSV = (
    "name,email,did\n"
    "Ada,ada@example.org,\n"
    "Nobody,not-an-email,\n"
    "Ada again,ADA@example.org,\n"
    "Grace,grace@example.org,\n"
    "Only a name,,\n"
)


def counts(session: Session) -> dict[str, int]:
    return {model.__name__: count(session, model) for model in STORED}


def dry_run(client: TestClient, headers: dict[str, str], achievement_id: str, **query: Any) -> Any:
    return client.post(
        f"{API}/batches",
        content=CSV.encode(),
        params={"achievementId": achievement_id, "dryRun": "true", **query},
        headers=headers | {"Content-Type": "text/csv", "Idempotency-Key": "dry-1"},
    )


def test_dry_run_shows_each_row_and_stores_nothing(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    issue_over_api(client, headers, achievement_id, recipient={"email": "grace@example.org"})
    before = counts(session)
    response = dry_run(client, headers, achievement_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["dryRun"] is True
    assert (body["total"], body["valid"], body["invalid"], body["warnings"]) == (5, 3, 2, 2)
    rows = body["rows"]
    assert [r["status"] for r in rows] == ["ok", "error", "warning", "warning", "error"]
    assert (rows[0]["recipient"], rows[0]["name"]) == ("ada@example.org", "Ada")
    assert [(e["pointer"], e["code"]) for e in rows[1]["errors"]] == [
        ("/recipient/email", "value_error")
    ]
    assert rows[2]["warnings"][0]["code"] == "duplicate_recipient"
    assert rows[3]["warnings"][0]["code"] == "recipient_has_credential"
    assert rows[4]["errors"][0]["pointer"] == "/recipient"
    assert counts(session) == before


def test_dry_run_of_json_rows_is_checked_like_a_batch(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    body = {
        "achievementId": achievement_id,
        "recipients": [{"recipient": {"did": "did:example:1"}}, {"recipient": {}}, {}],
    }
    before = counts(session)
    response = client.post(f"{API}/batches?dryRun=true", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert [row["status"] for row in response.json()["rows"]] == ["ok", "error", "error"]
    assert response.json()["rows"][2]["errors"][0]["code"] == "missing"
    assert counts(session) == before


def test_dry_run_refuses_what_a_batch_refuses(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    response = dry_run(client, headers, achievement_id, language="xx")
    assert response.status_code == 422
    assert response.json()["code"] == "language_not_offered"
    other = {"achievementId": str(uuid.uuid4()), "recipients": [{}]}
    assert client.post(f"{API}/batches?dryRun=true", json=other, headers=headers).status_code == 404
    assert count(session, Batch) == 0


def test_dry_run_needs_the_issue_scope(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    reader = bearer(create_token(session, get_issuer(session, "wmde"), scopes=["credentials:read"]))
    response = dry_run(client, reader, achievement_id)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def results(client: TestClient, headers: dict[str, str], batch_id: str) -> list[list[str]]:
    response = client.get(f"{API}/batches/{batch_id}/results.csv", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))


def test_results_csv_has_each_row_and_escapes_formulas(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    issue_over_api(client, headers, achievement_id, recipient={"email": "held@example.org"})
    recipients = [
        {"recipient": {"did": "did:example:ada", "name": '=HYPERLINK("http://x")'}},
        {"recipient": {"email": "nope", "name": "+1"}},
        {"recipient": {"email": "held@example.org", "name": "@SUM(A1)"}},
        {"recipient": {"url": "https://example.org/grace", "name": "-Grace"}},
    ]
    body = {"achievementId": achievement_id, "skipExisting": True, "recipients": recipients}
    batch = client.post(f"{API}/batches", json=body, headers=headers).json()
    worker(app).run(until_idle=True)
    header, *lines = results(client, headers, batch["id"])
    assert header == [
        "row", "status", "name", "recipient", "credential_url", "error_code", "error_detail"
    ]  # fmt: skip
    assert [line[:4] for line in lines] == [
        ["1", "done", '\'=HYPERLINK("http://x")', "did:example:ada"],
        ["2", "error", "'+1", ""],
        ["3", "skipped", "'@SUM(A1)", ""],
        ["4", "done", "'-Grace", "https://example.org/grace"],
    ]
    assert lines[0][4].startswith("http://localhost:8000/credentials/")
    assert lines[1][5:] == ["validation_failed", lines[1][6]]
    assert lines[1][6].startswith("/recipient/email: ")
    assert "held@" not in "".join(lines[2])  # a row keeps no email
    assert lines[2][4] != ""  # the credential already held


def test_safe_cell_prefixes_every_formula_start() -> None:
    starts = ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"]
    assert [safe_cell(value) for value in starts] == ["'" + value for value in starts]
    assert [safe_cell(v) for v in ("Ada", "", None, 3, "a=b")] == ["Ada", "", "", "3", "a=b"]


def test_results_csv_of_another_issuers_batch_is_not_found(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    body = {"achievementId": achievement_id, "recipients": [{"recipient": {"did": "did:x:1"}}]}
    batch = client.post(f"{API}/batches", json=body, headers=headers).json()
    other = bearer(create_token(session, create_issuer(session, slug="wmfr", name="WMFR")))
    response = client.get(f"/api/v1/issuers/wmfr/batches/{batch['id']}/results.csv", headers=other)
    assert response.status_code == 404
    assert count(session, Batch) == 1
