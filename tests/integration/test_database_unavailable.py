"""A database that drops the connection or stays locked: 503 ``database_unavailable`` with
``Retry-After``, never a 500 nor a failed self-check."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from badgeservice.app import create_app
from badgeservice.settings import Settings
from tests.factories import ISSUER_API


def post_credential(client: TestClient, headers: dict[str, str], achievement_id: str) -> Any:
    body = {"achievementId": achievement_id, "recipient": {"email": "ada@example.org"}}
    return client.post(f"{ISSUER_API}/credentials", json=body, headers=headers)


def assert_database_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "database_unavailable"
    assert int(response.headers["retry-after"]) > 0


@pytest.fixture
def kill_backend_while_issuing(app: FastAPI, backend: str) -> Iterator[list[int]]:
    """Terminates the request's PostgreSQL backend (a real pg_terminate_backend) when the
    issuance self-check reads the issuer's keys (the second read of issuer_keys)."""
    if backend != "postgresql":
        pytest.skip("terminating a backend is PostgreSQL's")
    engine: Engine = app.state.engine
    seen: list[int] = []
    admin = make_url(str(engine.url))

    def before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM issuer_keys" not in statement:
            return
        seen.append(1)
        if len(seen) == 1:
            pid = conn.connection.dbapi_connection.info.backend_pid
            other = engine.execution_options()  # a second connection of the same pool
            with other.connect() as killer:
                killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                killer.commit()

    event.listen(engine, "before_cursor_execute", before)
    yield seen
    event.remove(engine, "before_cursor_execute", before)
    assert admin.database  # the app's own database, nothing else was touched


def test_connection_dropped_while_issuing_is_503_with_retry_after(
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    kill_backend_while_issuing: list[int],
) -> None:
    response = post_credential(client, headers, achievement_id)
    assert kill_backend_while_issuing
    assert_database_unavailable(response)
    assert "credential_self_check_failed" not in response.text
    kill_backend_while_issuing.clear()
    kill_backend_while_issuing.extend([1, 1])  # disarmed: the pool recovers by itself
    assert post_credential(client, headers, achievement_id).status_code == 201


@pytest.fixture
def impatient_app(settings: Settings, backend: str) -> Iterator[FastAPI]:
    if backend != "sqlite":
        pytest.skip("a held write lock is SQLite's way of being unavailable")
    application = create_app(
        settings.model_copy(update={"database_busy_timeout": 0.2}), configure_logs=False
    )
    yield application
    application.state.engine.dispose()


def test_sqlite_writer_locked_out_is_503_while_reads_still_answer(
    impatient_app: FastAPI,
    session: Session,
    headers: dict[str, str],
    achievement_id: str,
    settings: Settings,
) -> None:
    path = make_url(settings.database_url).database
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, and writing long
    try:
        with TestClient(impatient_app, raise_server_exceptions=False) as client:
            assert_database_unavailable(post_credential(client, headers, achievement_id))
            read = client.get(f"{ISSUER_API}/achievements/{achievement_id}", headers=headers)
            assert read.status_code == 200, read.text
    finally:
        holder.rollback()
        holder.close()
