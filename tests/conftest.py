"""Fixtures shared by every suite.

Resources outside the repository (``../shared/data``, the PostgreSQL server) are *required*
under ``CI=true``: a missing one fails the test. Elsewhere the test is skipped with a reason.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# CPython 3.11.7 miscounts the AST recursion depth once a RecursionError has been caught (the
# deep-JSON tests catch some), and a later ast.parse then fails with SystemError. pytest
# rewrites hypothesis's modules as they are imported, and from_regex imports this one lazily:
# import it while the count is still right.
import hypothesis.strategies._internal.regex  # noqa: F401
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("BADGESERVICE_SHARED_DIR", REPO_ROOT.parent / "shared"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, reason: str) -> None:
    """Skip (locally) or fail (under CI=true) when a needed resource is missing."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def stable_id(value: object) -> str | None:
    """A parameter's test id that is the same in every collection (pytest-xdist's workers must
    agree on the ids): lower-case words such as error codes as they are, other strings (a key
    generated at import, gzip output that carries a time) by their kind; pytest numbers
    repeats. Other values keep pytest's own id."""
    if isinstance(value, str):
        return value if re.fullmatch(r"[a-z0-9_]{1,40}", value) else "text"
    return None


@contextmanager
def install_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (created if missing) for a one-time install
    into it: parallel test workers (pytest-xdist) wait for the first one's install."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".install.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    require((SHARED_DIR / "data").is_dir(), f"shared material not found at {SHARED_DIR}")
    return SHARED_DIR


@pytest.fixture(scope="session")
def shared_data(shared_dir: Path) -> Path:
    return shared_dir / "data"
