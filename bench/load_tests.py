"""The suite's load-sized tests at full size; prints one JSON line.

``make test`` runs these tests with a few hundred credentials or rows, enough to show the
property each asserts (parallel clients get distinct, verifiable credentials and status
entries; SQLite pages and polls answer while a batch runs). Here the same tests, with the
same assertions, run at the size they were written for: 2,000 parallel issues on PostgreSQL
(200 on SQLite) and a 1,500-row batch under readers, by setting
``BADGESERVICE_TEST_FULL_LOAD=1``. Reported: each test's outcome and seconds.

Needs what the suite needs (PostgreSQL per ``BADGESERVICE_TEST_POSTGRES_URL``).

    .venv/bin/python bench/load_tests.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    "tests/integration/test_issuing_concurrency.py",
    "tests/integration/test_sqlite_concurrency.py",
]


def main() -> int:
    environment = os.environ | {"BADGESERVICE_TEST_FULL_LOAD": "1"}
    results = {}
    status = 0
    for test in TESTS:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
        )
        seconds = round(time.monotonic() - started, 1)
        results[test] = {"passed": done.returncode == 0, "seconds": seconds}
        if done.returncode != 0:
            status = 1
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
    print(json.dumps({"load_tests": results}))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
