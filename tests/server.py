"""The real server in a subprocess (``python -m badgeservice serve``), for tests that need HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from badgeservice.db.migrations import upgrade


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving_in_thread(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """An ASGI app (a local stand-in for another server) served by uvicorn in a thread on a
    free port of ``host``; yields its base URL once it listens, stops it when the block ends."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    def cli(self, *args: str) -> str:
        """Run ``badgeservice ARGS`` with the server's settings; its output."""
        command = [sys.executable, "-m", "badgeservice", *args]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, check=True)
        return done.stdout


@contextmanager
def running_server(
    tmp_path: Path, workers: int = 1, host: str = "localhost", **env: str
) -> Iterator[Server]:
    """A migrated SQLite database and the server on a free port, ready when this yields.
    ``host`` names the server in its base URL (did:web needs a name, not an IP address)."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(url)
    port = free_port()
    base_url = f"http://{host}:{port}"
    environment = os.environ | {
        "BADGESERVICE_DATABASE_URL": url,
        "BADGESERVICE_BASE_URL": base_url,
        "BADGESERVICE_KEYS_DIR": str(tmp_path / "keys"),
        "BADGESERVICE_LOG_FORMAT": "json",
        **env,
    }
    command = [sys.executable, "-m", "badgeservice", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True)
    server = Server(base_url, environment, process)
    # Read the log as it comes: a full pipe (64 KiB of access lines) would stop the server.
    reader = threading.Thread(target=_collect_log, args=(server,), daemon=True)
    reader.start()
    try:
        _wait_ready(server)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=15)
        reader.join(timeout=15)


def _collect_log(server: Server) -> None:
    assert server.process.stderr is not None
    for line in server.process.stderr:
        server.log.append(line.rstrip("\n"))


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not become ready")
