"""A verification's bounds against real local HTTP servers: no database connection held while
status lists are awaited (a real server process, SQLite and PostgreSQL), at most
``verify_max_fetches`` outbound fetches, run concurrently, and one deadline for them all."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient

from badgeservice.app import create_app
from badgeservice.settings import Settings
from badgeservice.vc import did_key_from_key, generate_key, sign_credential
from tests.integration.test_verify_api import other_issuer_credential
from tests.server import running_server

KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
VM = f"{DID}#{DID.removeprefix('did:key:')}"


class StatusServer(BaseHTTPRequestHandler):
    """Answers 404 to everything, once ``release`` is set (or after ``delay`` seconds)."""

    release: ClassVar[threading.Event] = threading.Event()
    delay: ClassVar[float] = 0.0
    lock: ClassVar[threading.Lock] = threading.Lock()
    paths: ClassVar[list[str]] = []
    in_flight: ClassVar[int] = 0
    most_in_flight: ClassVar[int] = 0

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.paths.append(self.path)
            cls.in_flight += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
        try:
            cls.release.wait(timeout=cls.delay or 60)
            self.send_response(404)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
        except OSError:  # the verifier gave up on us
            pass
        finally:
            with cls.lock:
                cls.in_flight -= 1

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def status_server() -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a fresh :class:`StatusServer`."""
    StatusServer.release = threading.Event()
    StatusServer.delay, StatusServer.paths = 0.0, []
    StatusServer.in_flight = StatusServer.most_in_flight = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), StatusServer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    StatusServer.release.set()
    server.shutdown()
    server.server_close()


def with_status(origin: str, count: int) -> dict[str, Any]:
    """A did:key credential, really signed, with ``count`` status entries on ``origin``."""
    entries = [
        {
            "id": f"{origin}/{i}#1",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "1",
            "statusListCredential": f"{origin}/{i}",
        }
        for i in range(count)
    ]
    credential = other_issuer_credential(DID)
    credential["credentialStatus"] = entries[0] if count == 1 else entries
    return sign_credential(credential, KEY, VM)


def wait_for(condition: Any, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_waiting_verifications_hold_no_database_connection(
    tmp_path: Path, database_url: str, status_server: str
) -> None:
    """24 verifications wait on a status server that answers only when told; meanwhile plain
    GETs that need the database (the pool holds 4 connections) are answered."""
    env = {
        "BADGESERVICE_DATABASE_URL": database_url,
        "BADGESERVICE_DATABASE_POOL_SIZE": "2",
        "BADGESERVICE_REMOTE_TRUSTED_ORIGINS": f'["{status_server}"]',
        "BADGESERVICE_REMOTE_TIMEOUT": "60",
        "BADGESERVICE_VERIFY_DEADLINE_SECONDS": "60",
        "BADGESERVICE_EMBEDDED_WORKER": "false",
    }
    credential = with_status(status_server, 1)
    with running_server(tmp_path, **env) as server, ThreadPoolExecutor(24) as pool:
        verifying = [
            pool.submit(httpx.post, f"{server.base_url}/api/v1/verify", json=credential, timeout=90)
            for _ in range(24)
        ]
        all_waiting = wait_for(lambda: len(StatusServer.paths) == 24, 60)
        plain = [
            httpx.get(f"{server.base_url}{path}", timeout=30)
            for path in ("/readyz", "/issuers/nobody/did.json", "/readyz")
        ]
        answered_while_waiting = not StatusServer.release.is_set()
        StatusServer.release.set()
        reports = [future.result().json() for future in verifying]
    assert all_waiting, f"only {len(StatusServer.paths)} verifications reached the fetch"
    assert answered_while_waiting
    assert [response.status_code for response in plain] == [200, 404, 200]
    statuses = {next(c for c in r["checks"] if c["id"] == "status")["outcome"] for r in reports}
    assert statuses == {"error"}  # the list answered 404: could not check


@pytest.fixture
def bounded_client(settings: Settings, status_server: str) -> Iterator[TestClient]:
    changed = settings.model_copy(
        update={
            "remote_trusted_origins": [status_server],
            "remote_timeout": 30.0,
            "verify_deadline_seconds": 1.5,
            "verify_max_fetches": 16,
            "max_body_bytes": 1_048_576,
        }
    )
    application = create_app(changed, configure_logs=False)
    with TestClient(application) as client:
        yield client
    application.state.engine.dispose()


def status_check(client: TestClient, credential: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json=credential)
    assert response.status_code == 200, response.text
    return next(c for c in response.json()["checks"] if c["id"] == "status")


def test_status_fetches_beyond_the_cap_are_errors_and_the_rest_run_concurrently(
    bounded_client: TestClient, status_server: str
) -> None:
    StatusServer.delay = 0.3
    StatusServer.release.clear()
    check = status_check(bounded_client, with_status(status_server, 200))
    assert check["outcome"] == "error"
    assert len(StatusServer.paths) == 16  # not 200 sequential fetches
    assert StatusServer.most_in_flight > 1
    assert "at most 16 documents" in check["message"]


def test_slow_status_lists_end_at_the_verification_deadline(
    bounded_client: TestClient, status_server: str
) -> None:
    """The status server never answers within the 30 s fetch cap; the 1.5 s verification
    deadline ends the fetches."""
    started = time.monotonic()
    check = status_check(bounded_client, with_status(status_server, 3))
    assert time.monotonic() - started < 25  # generous: well under the 30 s fetch cap
    assert check["outcome"] == "error"
    assert "could not be reached" in check["message"]
    assert len(StatusServer.paths) == 3
