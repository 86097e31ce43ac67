"""The README's shell commands, run as written against the real server: the tour from the
first admin token to a verified credential, then the achievement, issuing and bulk examples
(each ``bash`` block after "## A short tour", ``make run`` lines left out: the server runs)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT, require
from tests.server import running_server

README = REPO_ROOT / "README.md"


def tour_commands() -> str:
    text = README.read_text(encoding="utf-8")
    tour = text[text.index("## A short tour") : text.index("## Configuration")]
    blocks = re.findall(r"```bash\n(.*?)```", tour, re.S)
    lines = [line for block in blocks for line in block.splitlines(keepends=True)]
    return "".join(line for line in lines if not line.startswith("make "))


def test_readme_tour_runs_as_written(tmp_path: Path) -> None:
    require(shutil.which("curl") is not None, "the tour uses curl")
    require(shutil.which("jq") is not None, "the tour uses jq (Debian package jq)")
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    for name, command in (("python", ""), ("badgeservice", " -m badgeservice")):
        shim = venv / name
        shim.write_text(f'#!/bin/sh\nexec {sys.executable}{command} "$@"\n')
        shim.chmod(0o755)
    with running_server(tmp_path, host="localhost") as server:
        script = tour_commands().replace("http://localhost:8000", server.base_url)
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            cwd=tmp_path,
            env=server.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    assert "true" in printed  # the issued credential verifies
    assert not [line for line in printed if line == "null" or '"code"' in line], done.stdout
    assert (tmp_path / "badge.png").is_file()
