"""The independent verifier: Digital Bazaar's JS stack in ``../shared/peer``, run with node.

The harness is copied (without ``node_modules``) to ``<repo>/.cache/peer-<lock hash>`` and
installed there with ``npm ci`` once; later runs reuse the copy. Nothing is installed into
``../shared``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.conftest import install_lock

STAMP = ".npm-ci-done"


def prepare_peer(source: Path, cache_root: Path) -> Path:
    """Copy the harness to a cache dir keyed on its lock file and ``npm ci`` it once."""
    lock = (source / "package-lock.json").read_bytes()
    target = cache_root / f"peer-{hashlib.sha256(lock).hexdigest()[:16]}"
    with install_lock(cache_root):
        if not (target / STAMP).is_file():
            _install_peer(source, target)
    return target


def _install_peer(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("node_modules"))
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"],
        cwd=target,
        check=True,
        capture_output=True,
        timeout=600,
    )
    (target / STAMP).write_text("ok\n")


@dataclass(frozen=True)
class PeerRun:
    returncode: int
    output: Any
    stderr: str


@dataclass(frozen=True)
class Peer:
    """Runs the harness's commands; every command prints JSON."""

    directory: Path

    def run(self, script: str, *args: str | Path) -> PeerRun:
        done = subprocess.run(
            ["node", script, *map(str, args)],
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=120,
        )
        try:
            output = json.loads(done.stdout) if done.stdout.strip() else None
        except json.JSONDecodeError:
            output = done.stdout
        return PeerRun(done.returncode, output, done.stderr)

    def verify(self, credential: Path, *options: str) -> PeerRun:
        return self.run("verify.mjs", credential, "--quiet", *options)

    def sign(self, unsigned: Path, key: Path, *options: str) -> PeerRun:
        return self.run("sign.mjs", unsigned, "--key", key, *options)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 at a free port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
