"""The real server process: ``badgeservice serve`` under uvicorn, probed over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from badgeservice.db.migrations import upgrade


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_process_is_ready(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(url)
    port = free_port()
    env = os.environ | {
        "BADGESERVICE_DATABASE_URL": url,
        "BADGESERVICE_KEYS_DIR": str(tmp_path / "keys"),
        "BADGESERVICE_LOG_FORMAT": "json",
    }
    command = [sys.executable, "-m", "badgeservice", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        response = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, "server did not answer"
        assert response.status_code == 200
        assert response.json()["status"] == "ready"
        assert response.headers["x-request-id"]
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=15)
    assert '"path": "/readyz"' in err  # one structured access-log line per request
