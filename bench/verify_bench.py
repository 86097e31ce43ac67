"""Verification throughput through ``POST /api/v1/verify``; prints one JSON line.

Issue 5's goal: ≥ 500 verify/s and p50 < 10 ms at concurrency 8 with the production worker
count. Like ``issue_bench.py``, the script creates a throw-away PostgreSQL database, migrates
it, starts ``badgeservice serve --workers N``, sets up an issuer and an achievement over the
API and issues one credential. It fetches that credential from its public URL, verifies it
once (its status list gets signed and stored), warms every server worker with 100 more, then
POSTs it ``--n`` times at ``--concurrency`` (asyncio + httpx) and reports
verify/s, per-request latency p50/p99, and CPU milliseconds per request of the server (all
its processes), this client, the database backends and everything else on the machine (the
machine is shared: ``other`` shows interference). Every response must be 200 with
``verified: true``; failures are counted, and any failure makes the exit status 1.

    .venv/bin/python bench/verify_bench.py [--n 2000] [--concurrency 8] [--server-workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
from issue_bench import (
    BASE_URL,
    SLUG,
    Bench,
    cli,
    issue_body,
    percentile,
    run_bench,
    set_up,
    spawn,
    wait_ready,
)

TICKS = os.sysconf("SC_CLK_TCK")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="verify requests measured")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    return parser.parse_args()


def one_credential(bench: Bench, client: httpx.Client) -> bytes:
    """Issue a credential and fetch it as published (JSON-LD), as a verifier would get it."""
    issued = client.post(f"/api/v1/issuers/{SLUG}/credentials", json=issue_body(bench, 1))
    issued.raise_for_status()
    url = bench.local(f"{BASE_URL}/credentials/{issued.json()['id']}.json")
    published = client.get(url, headers={"Accept": "application/ld+json"})
    published.raise_for_status()
    return published.content


def process_cpu_s(pid: int | str) -> float:
    """CPU seconds (user + system) used so far by one process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def group_pids(pgid: int) -> list[str]:
    """The processes of a process group (the server and its uvicorn workers)."""
    pids = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[2]) == pgid:
                    pids.append(entry)
        except OSError:
            continue
    return pids


def machine_busy_s() -> float:
    """CPU seconds all CPUs spent busy (not idle, not waiting for I/O) since boot."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICKS


@dataclass
class CpuMeter:
    """CPU seconds used between two samples by the server's processes, this client, the
    PostgreSQL backends of the benchmark database, and the whole machine (``other`` is what
    none of these used: other jobs on the shared machine)."""

    server_pgid: int
    database_url: str

    def sample(self) -> dict[str, Any]:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            query = (
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            backends = {row[0]: process_cpu_s(row[0]) for row in conn.execute(query)}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "server": sum(process_cpu_s(p) for p in group_pids(self.server_pgid)),
            "client": usage.ru_utime + usage.ru_stime,
            "database": backends,
            "machine": machine_busy_s(),
        }

    @staticmethod
    def per_request_ms(first: dict[str, Any], last: dict[str, Any], count: int) -> dict[str, float]:
        """Milliseconds per request (a backend that ended in between is not counted)."""
        used = {name: last[name] - first[name] for name in ("server", "client")}
        used["database"] = sum(
            seconds - first["database"].get(pid, 0.0) for pid, seconds in last["database"].items()
        )
        used["other"] = last["machine"] - first["machine"] - sum(used.values())
        return {name: round(value / count * 1000, 2) for name, value in used.items()}


def failure_reason(response: httpx.Response) -> str:
    if response.status_code != 200:
        return f"http_{response.status_code}"
    report = response.json()
    if report.get("verified") is True:
        return ""
    bad = [c["code"] for c in report.get("checks", []) if c.get("outcome") not in {"passed"}]
    return ",".join(bad) or "not_verified"


async def verify_many(
    bench: Bench, body: bytes, count: int
) -> tuple[list[float], Counter[str], float]:
    """POST ``body`` ``count`` times at ``--concurrency``: (latencies in s, failures, wall)."""
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    remaining = iter(range(count))
    limits = httpx.Limits(max_connections=bench.args.concurrency)
    headers = {"Content-Type": "application/ld+json"}
    async with httpx.AsyncClient(base_url=bench.origin, limits=limits, timeout=60) as client:

        async def lane() -> None:
            for _ in remaining:
                started = time.perf_counter()
                response = await client.post("/api/v1/verify", content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                reason = failure_reason(response)
                if reason:
                    failures[reason] += 1

        started = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(bench.args.concurrency)))
        return latencies, failures, time.perf_counter() - started


def run(bench: Bench) -> tuple[dict[str, Any], int]:
    cli(bench.env, "db", "upgrade")
    spawn(bench, "serve", "--port", str(bench.port), "--workers", str(bench.args.server_workers))
    wait_ready(bench)
    with httpx.Client(base_url=bench.origin, timeout=120) as client:
        set_up(bench, client)
        body = one_credential(bench, client)
    # Warm-up: the first verify signs and stores the status list; then every worker's caches.
    _, warm_failures, _ = asyncio.run(verify_many(bench, body, 1))
    warm = max(8 * bench.args.concurrency, 100)
    _, more_failures, _ = asyncio.run(verify_many(bench, body, warm))
    meter = CpuMeter(bench.processes[0].pid, bench.env["BADGESERVICE_DATABASE_URL"])
    first = meter.sample()
    latencies, failures, wall = asyncio.run(verify_many(bench, body, bench.args.n))
    cpu = meter.per_request_ms(first, meter.sample(), len(latencies))
    measured_ok = len(latencies) - sum(failures.values())
    failures += warm_failures + more_failures
    figures = {
        "impl": "badgeservice",
        "n": len(latencies),
        "concurrency": bench.args.concurrency,
        "verify_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "verified": f"{measured_ok}/{len(latencies)}",
        "failures": dict(failures),  # including the warm-up requests
        "cpu_ms_per_verify": cpu,
        "credential_bytes": len(body),
        "server_workers": bench.args.server_workers,
        "cpu_count": os.cpu_count(),
    }
    return figures, 1 if failures else 0


def main() -> int:
    return run_bench(parse_args(), run)


if __name__ == "__main__":
    sys.exit(main())
