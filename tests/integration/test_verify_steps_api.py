"""POST /api/v1/verify documents its step ids and outcomes from vc.steps (OpenAPI enums), and
a report over HTTP holds exactly those ids, in that order, with codes of those steps."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.vc import OUTCOMES, STEP_IDS, codes_of
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token

API = "/api/v1/issuers/wmde"
EMAIL = "ada@example.org"


def schema_of(openapi: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(openapi["components"]["schemas"][name]["properties"])


def test_openapi_lists_the_step_ids_and_the_four_outcomes(app: FastAPI) -> None:
    openapi = app.openapi()
    check = schema_of(openapi, "CheckOut")
    assert check["id"]["enum"] == list(STEP_IDS)
    assert check["outcome"]["enum"] == list(OUTCOMES)
    assert schema_of(openapi, "ReportWarningOut")["check"]["enum"] == list(STEP_IDS)


def test_a_report_over_http_holds_every_step_in_order(client: TestClient, session: Session) -> None:
    headers = bearer(create_token(session, create_issuer(session)))
    achievement = client.post(f"{API}/achievements", json=ACHIEVEMENT, headers=headers).json()
    payload = {"achievementId": achievement["id"], "recipient": {"email": EMAIL, "name": "Ada"}}
    issued = client.post(f"{API}/credentials", json=payload, headers=headers).json()
    body = {"credential": issued["credential"], "recipient": EMAIL}
    response = client.post("/api/v1/verify", json=body)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verified"] is True, report
    assert [check["id"] for check in report["checks"]] == list(STEP_IDS)
    for check in report["checks"]:
        assert check["outcome"] in OUTCOMES
        assert check["code"] in codes_of(check["id"]), check
