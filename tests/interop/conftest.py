"""Fixtures for interop tests: the JS peer (installed once per session)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, require
from tests.interop.peer import Peer, prepare_peer


@pytest.fixture(scope="session")
def peer(shared_dir: Path) -> Peer:
    source = shared_dir / "peer"
    require(source.is_dir(), f"the peer harness is not at {source}")
    require(
        shutil.which("node") is not None and shutil.which("npm") is not None,
        "node and npm are needed for the peer verifier",
    )
    try:
        directory = prepare_peer(source, REPO_ROOT / ".cache")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        require(False, f"npm ci of the peer failed: {error}")
        raise
    return Peer(directory)
