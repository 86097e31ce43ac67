"""What re-signing one status list costs (DESIGN.md §6: lists are re-signed in the transaction
that changes a bit); prints one JSON line.

For a 131,072-entry list with 0, 1, 1,000 and 20,000 bits set: building the
BitstringStatusListCredential (bits, GZIP, multibase) and signing it with Ed25519
(``eddsa-rdfc-2022``), median and worst of ``--rounds`` runs, in milliseconds. The database
part (one indexed query for the set indexes, one UPDATE) comes on top.

    .venv/bin/python bench/status_list_bench.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from badgeservice import vc

DID = "did:web:badges.example.org:issuers:bench"
SIZE = 131_072


def measure(set_bits: int, rounds: int, key: vc.KeyPair) -> dict[str, float]:
    bits = vc.StatusList(SIZE)
    for index in random.Random(set_bits).sample(range(SIZE), set_bits):
        bits.set(index)
    times = []
    for run in range(rounds):
        started = time.perf_counter()
        url = f"https://badges.example.org/issuers/bench/status/{run}"
        unsigned = vc.build_status_list_credential(
            url, DID, "revocation", bits, valid_from="2026-01-01T00:00:00Z"
        )
        vc.sign_credential(unsigned, key, f"{DID}#key-1", proof_set=True)
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    key = vc.generate_key("Ed25519")
    figures = {str(n): measure(n, args.rounds, key) for n in (0, 1, 1_000, 20_000)}
    print(json.dumps({"bench": "status_list_sign", "size": SIZE, "set_bits": figures}))


if __name__ == "__main__":
    main()
