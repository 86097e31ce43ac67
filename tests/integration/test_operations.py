"""Health, readiness, unhandled errors, OpenAPI."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from badgeservice.app import create_app
from badgeservice.settings import Settings


def test_healthz_answers(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_database_at_head(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["revision"]


def test_readyz_is_503_before_migrations(
    backend: str, new_database: object, settings: Settings
) -> None:
    url = new_database(backend)  # type: ignore[operator]
    unmigrated = settings.model_copy(update={"database_url": url})
    application = create_app(unmigrated, configure_logs=False)
    with TestClient(application) as client:
        response = client.get("/readyz")
    application.state.engine.dispose()
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response.json()["current"] == []


def test_unhandled_error_is_500_problem_without_trace(
    app: FastAPI, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/_test/explode", explode)
    with caplog.at_level(logging.ERROR, logger="badgeservice.api"):
        response = client.get("/_test/explode")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "internal_error"
    assert body["requestId"] == response.headers["x-request-id"]
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert any(record.exc_info for record in caplog.records)


def test_openapi_documents_problem_responses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    create = spec["paths"]["/api/v1/issuers"]["post"]
    assert "application/problem+json" in create["responses"]["409"]["content"]
    assert client.get("/docs").status_code == 200
