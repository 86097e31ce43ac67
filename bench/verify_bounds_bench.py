"""The verifier's work bounds on the issue-10 inputs; prints one JSON line.

A did:key credential with N ``tag`` strings in its achievement (the "tags bomb"), really
signed, is verified through ``verify_credential`` with the default deadline (10 s). Reported
per N: seconds for the whole verification, whether it verified, and the JSON-LD work units one
canonicalisation spends against the units it is granted (linear: both grow with N). Before
issue 10, pyld's quadratic duplicate check took 11 s at 6,000 tags, 39 s at 12,000 and over
8 minutes at 30,000.

    .venv/bin/python bench/verify_bounds_bench.py [--tags 6000 12000 30000]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from badgeservice.vc import _work, canonicalize, generate_key, sign_credential, verify_credential
from badgeservice.vc.canon import check_limits
from badgeservice.vc.dids import did_key_from_key

KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
VM = f"{DID}#{DID.removeprefix('did:key:')}"


def tagged(count: int) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:2b6f1b8e-8c1c-4b8e-9f3e-0d6e3c9a1f00",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Tags",
        "issuer": {"id": DID, "type": ["Profile"], "name": "Bench"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {
                "id": "urn:uuid:7c6e2f3a-1b2c-4d5e-8f90-123456789abc",
                "type": ["Achievement"],
                "name": "Tags",
                "description": "Many tags.",
                "criteria": {"narrative": "None."},
                "tag": [f"tag-{i}" for i in range(count)],
            },
        },
    }


def measure(count: int) -> dict[str, Any]:
    document = tagged(count)
    signed = sign_credential(document, KEY, VM)
    started = time.perf_counter()
    report = verify_credential(signed, deadline_seconds=10)
    seconds = time.perf_counter() - started
    with _work.metered(check_limits(document)) as meter:
        canonicalize(document, safe=True)
    return {
        "tags": count,
        "bytes": len(json.dumps(signed)),
        "verify_s": round(seconds, 3),
        "verified": report.verified,
        "work_units": meter.spent,
        "granted_units": meter.granted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, nargs="+", default=[6_000, 12_000, 30_000])
    args = parser.parse_args()
    print(json.dumps({"bench": "verify_bounds", "runs": [measure(n) for n in args.tags]}))


if __name__ == "__main__":
    main()
