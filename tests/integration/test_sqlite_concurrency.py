"""SQLite under a running batch (DESIGN.md §5): pages and polls read while the worker writes.

The suite runs a batch of a few hundred rows; ``bench/load_tests.py`` runs this same test at
full size (1,500 rows) with ``BADGESERVICE_TEST_FULL_LOAD=1``.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.factories import ACHIEVEMENT
from tests.server import running_server

ROWS = 1500 if os.environ.get("BADGESERVICE_TEST_FULL_LOAD") == "1" else 300
READERS = 4
LIMIT = 240.0  # seconds the batch may take; the readers read all along
PAUSE = 0.05  # between one reader's requests: people and pollers, not a load test


def test_pages_and_polls_answer_200_while_a_large_batch_runs(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        admin = server.cli("tokens", "create", "--admin").strip().splitlines()[-1]
        client = httpx.Client(base_url=server.base_url, timeout=60)
        client.headers["Authorization"] = f"Bearer {admin}"
        client.post("/api/v1/issuers", json={"slug": "busy", "name": "Busy"}).raise_for_status()
        token = client.post("/api/v1/issuers/busy/tokens", json={}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        api = "/api/v1/issuers/busy"
        achievement = client.post(f"{api}/achievements", json=ACHIEVEMENT).json()["id"]
        first = client.post(
            f"{api}/credentials",
            json={"achievementId": achievement, "recipient": {"email": "first@example.org"}},
        )
        first.raise_for_status()
        page = httpx.URL(first.json()["credential"]["id"]).path
        status_list = first.json()["credential"]["credentialStatus"]["statusListCredential"]
        recipients = [{"recipient": {"email": f"learner{n}@example.org"}} for n in range(ROWS)]
        batch = client.post(
            f"{api}/batches", json={"achievementId": achievement, "recipients": recipients}
        )
        assert batch.status_code == 202, batch.text
        poll = httpx.URL(batch.json()["url"]).path
        paths = [page, poll, httpx.URL(status_list).path, f"{page}.json"]
        answers: list[tuple[str, int, float]] = []
        stop = threading.Event()

        def read(number: int) -> None:
            with httpx.Client(base_url=server.base_url, timeout=60) as reader:
                reader.headers["Authorization"] = f"Bearer {token}"
                while not stop.is_set():
                    path = paths[number % len(paths)]
                    started = time.monotonic()
                    response = reader.get(path, headers={"Accept": "text/html"})
                    answers.append((path, response.status_code, time.monotonic() - started))
                    number += 1
                    time.sleep(PAUSE)

        with ThreadPoolExecutor(READERS) as pool:
            futures = [pool.submit(read, n) for n in range(READERS)]
            deadline = time.monotonic() + LIMIT
            while client.get(poll).json()["pending"] and time.monotonic() < deadline:
                time.sleep(0.5)
            stop.set()
            for future in futures:
                future.result()
        progress = client.get(poll).json()
        client.close()
    assert (progress["done"], progress["pending"]) == (ROWS, 0)
    failed = [(path, code) for path, code, _ in answers if code != 200]
    assert failed == []
    assert {path for path, _, _ in answers} == set(paths)
    assert max(seconds for _, _, seconds in answers) < 5.0
