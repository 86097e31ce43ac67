"""End-to-end issuing benchmark against the real server and workers; prints one JSON line.

Issue 4's goals: single issue p50 < 10 ms, a 10,000-row batch in < 30 s, worker memory flat.
The script creates a throw-away PostgreSQL database, migrates it, starts
``badgeservice serve`` (and later K ``badgeservice worker`` processes), sets up an issuer and a
two-language achievement over the API, then measures:

* single issue: ``--single`` credentials at ``--concurrency`` (asyncio + httpx), after a
  warm-up; per-request latency p50/p99 and credentials/s;
* bulk: a ``--batch-rows`` CSV batch; the workers are started (and idle) before the upload,
  as in production; wall time from the upload to ``finished``, rows/s, and each worker's RSS
  (``/proc/<pid>/status`` VmRSS every 0.5 s: start, peak, end);
* a sample of the issued credentials fetched from the public URL and verified with
  ``badgeservice.vc.verify_credential`` (did:web and status lists fetched from the server).

Exit status 1 when any sampled credential fails to verify or a batch row failed.

    .venv/bin/python bench/issue_bench.py [--single 500] [--concurrency 8]
        [--batch-rows 10000] [--server-workers 2] [--workers-k 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg

from badgeservice.vc import verify_credential

BASE_URL = "https://badges.example.org"  # public origin; every URL is mapped to the local server
SLUG = "bench"
ACHIEVEMENT = {
    "defaultLanguage": "en",
    "name": {"en": "Wikipedia editing basics", "de": "Grundlagen der Wikipedia-Bearbeitung"},
    "description": {
        "en": "Completed the editing workshop and made a first edit.",
        "de": "Hat den Bearbeitungs-Workshop abgeschlossen und eine erste Bearbeitung gemacht.",
    },
    "criteria": {
        "narrative": {
            "en": "Attend the workshop and make **one** edit to an article.",
            "de": "Am Workshop teilnehmen und **eine** Bearbeitung an einem Artikel machen.",
        },
        "url": "https://example.org/criteria/editing-basics",
    },
    "achievementType": "Badge",
    "tags": ["wikipedia", "editing"],
    "alignments": [
        {
            "targetName": "edit wikis",
            "targetUrl": "http://data.europa.eu/esco/skill/0a8d3e4c-c3f4-4b2c-9d4e-3f0d3b5e6a01",
            "targetFramework": "ESCO",
            "targetCode": "0a8d3e4c-c3f4-4b2c-9d4e-3f0d3b5e6a01",
            "targetType": "ceasn:Competency",
        }
    ],
    "creator": {"id": "https://www.wikimedia.de/", "name": "Wikimedia Deutschland"},
}


@dataclass
class Bench:
    args: argparse.Namespace
    port: int
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    achievement_id: str = ""

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def local(self, url: str) -> str:
        """Any public URL (did:web → https, status lists, credentials) on the local server."""
        parts = urlsplit(url)
        return f"{self.origin}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=500, help="credentials issued one by one")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch-rows", type=int, default=10_000)
    parser.add_argument("--server-workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workers-k", type=int, default=2, help="badgeservice worker processes")
    parser.add_argument("--verify-sample", type=int, default=20)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "badgeservice", *argv],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


@contextlib.contextmanager
def database(server: str) -> Iterator[str]:
    name = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def spawn(bench: Bench, *argv: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "badgeservice", *argv],
        env=bench.env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: uvicorn's workers stop with it
    )
    bench.processes.append(process)
    return process


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_ready(bench: Bench, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{bench.origin}/readyz", timeout=2).status_code == 200:
                return
        if bench.processes[0].poll() is not None:
            raise SystemExit("the server exited before it was ready")
        time.sleep(0.2)
    raise SystemExit("the server did not become ready")


def set_up(bench: Bench, client: httpx.Client) -> None:
    """Admin token (CLI) → issuer → issuer token → achievement (API)."""
    admin = cli(bench.env, "tokens", "create", "--admin").splitlines()[-1]
    as_admin = {"Authorization": f"Bearer {admin}"}
    issuer = {"slug": SLUG, "name": "Bench Chapter", "url": "https://example.org/"}
    client.post("/api/v1/issuers", json=issuer, headers=as_admin).raise_for_status()
    token = client.post(f"/api/v1/issuers/{SLUG}/tokens", json={"name": "bench"}, headers=as_admin)
    token.raise_for_status()
    bench.headers = {"Authorization": f"Bearer {token.json()['token']}"}
    client.headers.update(bench.headers)  # later API calls act as the issuer
    achievement = client.post(
        f"/api/v1/issuers/{SLUG}/achievements", json=ACHIEVEMENT, headers=bench.headers
    )
    achievement.raise_for_status()
    bench.achievement_id = achievement.json()["id"]


def issue_body(bench: Bench, i: int) -> dict[str, Any]:
    return {
        "achievementId": bench.achievement_id,
        "recipient": {"email": f"learner{i:06d}@example.org", "name": f"Learner {i:06d}"},
        "language": "de" if i % 2 else "en",
        "narrative": f"Made {i % 40 + 1} edits during the workshop.",
        "evidence": [{"id": f"https://example.org/evidence/{i}", "name": "Workshop edits"}],
    }


async def issue_many(bench: Bench, first: int, count: int) -> tuple[list[float], list[str], float]:
    """Issue ``count`` credentials at ``--concurrency``: (latencies in s, ids, wall in s)."""
    latencies: list[float] = []
    ids: list[str] = []
    numbers = iter(range(first, first + count))
    limits = httpx.Limits(max_connections=bench.args.concurrency)
    url = f"/api/v1/issuers/{SLUG}/credentials"
    async with httpx.AsyncClient(base_url=bench.origin, limits=limits, timeout=60) as client:

        async def lane() -> None:
            for i in numbers:
                started = time.perf_counter()
                response = await client.post(url, json=issue_body(bench, i), headers=bench.headers)
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()
                ids.append(response.json()["id"])

        started = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(bench.args.concurrency)))
        return latencies, ids, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def single_issue(bench: Bench) -> tuple[dict[str, Any], list[str]]:
    warm = max(4 * bench.args.concurrency, 40)
    asyncio.run(issue_many(bench, 1_000_000, warm))
    latencies, ids, wall = asyncio.run(issue_many(bench, 0, bench.args.single))
    figures = {
        "single_n": len(latencies),
        "concurrency": bench.args.concurrency,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "single_per_s": round(len(latencies) / wall, 1),
    }
    return figures, ids


def batch_csv(rows: int) -> bytes:
    lines = ["name,email,evidence_url,narrative"]
    row = "Batch Learner {0:05d},batch{0:05d}@example.org,https://example.org/e/{0},Made {1} edits"
    lines += [row.format(i, i % 9) for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


class RssSampler(threading.Thread):
    """VmRSS of each process every ``interval`` seconds until stopped (MB)."""

    def __init__(self, pids: list[int], interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pids, self.interval = pids, interval
        self.samples: dict[int, list[float]] = {pid: [] for pid in pids}
        self.done = threading.Event()

    @staticmethod
    def rss_mb(pid: int) -> float | None:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def sample(self) -> None:
        for pid in self.pids:
            value = self.rss_mb(pid)
            if value is not None:
                self.samples[pid].append(value)

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.sample()


def wait_for_workers(pids: list[int]) -> None:
    """Until each idle worker has imported everything (its RSS stops growing)."""
    previous: list[float | None] = []
    for _ in range(60):
        time.sleep(0.5)
        current = [RssSampler.rss_mb(pid) for pid in pids]
        if current == previous:
            return
        previous = current
    raise SystemExit("the workers did not settle")


def run_batch(bench: Bench, client: httpx.Client) -> tuple[dict[str, Any], list[str]]:
    body = batch_csv(bench.args.batch_rows)
    workers = [spawn(bench, "worker") for _ in range(bench.args.workers_k)]
    pids = [w.pid for w in workers]
    wait_for_workers(pids)
    sampler = RssSampler(pids)
    sampler.sample()
    sampler.start()
    started = time.perf_counter()
    created = client.post(
        f"/api/v1/issuers/{SLUG}/batches",
        params={"achievementId": bench.achievement_id},
        content=body,
        headers={**bench.headers, "Content-Type": "text/csv"},
    )
    created.raise_for_status()
    uploaded = time.perf_counter() - started
    batch_url = bench.local(created.json()["url"])
    while not (state := poll(client, batch_url))["finished"]:
        time.sleep(0.25)
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    sampler.sample()
    figures = {
        "batch_rows": state["total"],
        "batch_done": state["done"],
        "batch_errors": state["error"],
        "batch_csv_kb": round(len(body) / 1024),
        "batch_upload_s": round(uploaded, 2),
        "batch_wall_s": round(wall, 2),
        "batch_rows_per_s": round(state["total"] / wall, 1),
        "worker_rss_mb": rss_figures(sampler.samples),
    }
    return figures, batch_credential_ids(client, batch_url, bench.args.verify_sample)


def poll(client: httpx.Client, batch_url: str) -> dict[str, Any]:
    response = client.get(batch_url, params={"limit": 1})
    if response.status_code != 200:
        raise SystemExit(f"GET {batch_url}: {response.status_code} {response.text[:500]}")
    state: dict[str, Any] = response.json()
    return state


def rss_figures(samples: dict[int, list[float]]) -> dict[str, Any]:
    series = [values for values in samples.values() if values]
    return {
        "start": round(max(s[0] for s in series), 1),
        "peak": round(max(max(s) for s in series), 1),
        "end": round(max(s[-1] for s in series), 1),
        "per_worker": [[round(s[0], 1), round(max(s), 1), round(s[-1], 1)] for s in series],
        "samples": sum(len(s) for s in series),
    }


def batch_credential_ids(client: httpx.Client, batch_url: str, count: int) -> list[str]:
    """Credential ids of rows spread over the batch (first, middle, last pages)."""
    total = client.get(batch_url, params={"limit": 1}).json()["total"]
    ids: list[str] = []
    step = max(1, total // max(1, count))
    for offset in range(0, total, step):
        items = client.get(batch_url, params={"limit": 1, "offset": offset}).json()["items"]
        ids += [item["credentialId"] for item in items if item.get("credentialId")]
    return ids[:count]


def verify_sample(bench: Bench, client: httpx.Client, ids: list[str]) -> tuple[int, list[Any]]:
    def fetch_json(url: str) -> dict[str, Any]:
        response = httpx.get(bench.local(url), headers={"Accept": "application/ld+json"})
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    ok, failures = 0, []
    for credential_id in ids:
        document = fetch_json(f"{BASE_URL}/credentials/{credential_id}.json")
        report = verify_credential(document, fetch_json=fetch_json)
        if report.verified:
            ok += 1
        else:
            failures.append({"id": credential_id, "report": report.to_dict()})
    return ok, failures


def run(bench: Bench) -> tuple[dict[str, Any], int]:
    cli(bench.env, "db", "upgrade")
    spawn(bench, "serve", "--port", str(bench.port), "--workers", str(bench.args.server_workers))
    wait_ready(bench)
    with httpx.Client(base_url=bench.origin, timeout=120) as client:
        set_up(bench, client)
        single, single_ids = single_issue(bench)
        batch, batch_ids = run_batch(bench, client)
        half = bench.args.verify_sample // 2
        sample = single_ids[:half] + batch_ids[: bench.args.verify_sample - half]
        ok, failures = verify_sample(bench, client, sample)
    figures = {
        "impl": "badgeservice",
        **single,
        **batch,
        "verified_sample": f"{ok}/{len(sample)}",
        "server_workers": bench.args.server_workers,
        "workers_k": bench.args.workers_k,
        "cpu_count": os.cpu_count(),
    }
    if failures:
        print(json.dumps(failures[:3])[:4000], file=sys.stderr)
    good = ok == len(sample) and len(sample) > 0 and batch["batch_errors"] == 0
    return figures, 0 if good else 1


def run_bench(args: Any, run: Callable[[Bench], tuple[dict[str, Any], int]]) -> int:
    """A throw-away database and the server's environment around ``run``; prints its figures
    as one JSON line and returns its exit status (shared with verify_bench.py)."""
    with database(args.postgres) as url:
        env = {
            **os.environ,
            "BADGESERVICE_DATABASE_URL": url,
            "BADGESERVICE_BASE_URL": BASE_URL,
            "BADGESERVICE_EMBEDDED_WORKER": "false",
            "BADGESERVICE_LOG_LEVEL": "WARNING",
        }
        env["BADGESERVICE_SECRET_KEY"] = cli(env, "keys", "new-secret").splitlines()[-1]
        bench = Bench(args, free_port(), env)
        try:
            figures, code = run(bench)
        finally:
            stop(bench.processes)
    print(json.dumps(figures))
    return code


def main() -> int:
    return run_bench(parse_args(), run)


if __name__ == "__main__":
    sys.exit(main())
