"""The real server process: ``badgeservice serve`` under uvicorn, probed over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.server import running_server


def test_server_process_is_ready(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        response = httpx.get(f"{server.base_url}/readyz", timeout=5)
        assert response.status_code == 200
        assert response.json()["status"] == "ready"
        assert response.headers["x-request-id"]
    assert any('"path": "/readyz"' in line for line in server.log)  # structured access log


def test_server_with_several_workers_serves_keep_alive_requests(tmp_path: Path) -> None:
    with running_server(tmp_path, workers=2) as server, httpx.Client() as client:
        answers = [client.get(f"{server.base_url}/healthz").status_code for _ in range(20)]
    assert answers == [200] * 20
