"""Sign/verify throughput on the JS peer's OB 3.0 workload; prints one JSON line.

The workload is ``../shared/peer``'s (``credential-template.json``, credential *i* varied as
its README says; the W3C test key; ``created`` 2025-01-01T00:00:00Z). Verification is the
full pipeline (``verify_credential``: safe mode, proof, did:key, purpose, dates).
``--peer DIR`` also runs ``node bench.mjs`` from an installed copy of the peer and prints
the ratio.

    .venv/bin/python bench/vc_bench.py 500 [--peer .cache/peer-XXXX]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from badgeservice.vc import key_from_multibase, sign_credential, verify_credential
from badgeservice.vc._suites import SUITES
from badgeservice.vc.dids import did_key_from_key

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CREATED = "2025-01-01T00:00:00Z"
TEST_KEYS = {
    "eddsa-rdfc-2022": (
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
    ),
    "ecdsa-rdfc-2019": (
        "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",
        "z42twTcNeSYcnqg1FLuSFs2bsGH3ZqbRHFmvS9XMsYhjxvHN",
    ),
}


def uuid_for(i: int) -> str:
    h = hashlib.sha256(f"cred-{i}".encode()).hexdigest()
    return f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def make_credential(template: dict[str, Any], i: int, issuer_id: str) -> dict[str, Any]:
    credential = copy.deepcopy(template)
    salt = "hX6-" + format(i, "06x")
    digest = hashlib.sha256(f"learner{i}@example.edu{salt}".encode()).hexdigest()
    credential["id"] = f"urn:uuid:{uuid_for(i)}"
    credential["issuer"]["id"] = issuer_id
    identifier = credential["credentialSubject"]["identifier"][0]
    identifier["salt"] = salt
    identifier["identityHash"] = "sha256$" + digest
    return credential


def stage_times(
    document: dict[str, Any], key: Any, suite_name: str, rounds: int
) -> dict[str, float]:
    """Milliseconds per call of each stage, on one signed credential."""
    suite = SUITES[suite_name]
    proof = document["proof"]
    doc_canon = suite.transform(document, None)
    proof_canon = suite.configure(proof, document["@context"], None)
    hash_data = suite.hash(proof_canon, doc_canon, key.algorithm)
    signature = key.sign(hash_data)
    stages = {
        "canonicalize_doc": lambda: suite.transform(document, None),
        "canonicalize_proof_config": lambda: suite.configure(proof, document["@context"], None),
        "hash": lambda: suite.hash(proof_canon, doc_canon, key.algorithm),
        "sign": lambda: key.sign(hash_data),
        "verify": lambda: key.verify(signature, hash_data),
    }
    out = {}
    for name, step in stages.items():
        start = time.perf_counter()
        for _ in range(rounds):
            step()
        out[f"ms_{name}"] = round((time.perf_counter() - start) * 1000 / rounds, 4)
    return out


def run(n: int, warmup: int, cryptosuite: str, save_first: Path | None) -> dict[str, Any]:
    public, secret = TEST_KEYS[cryptosuite]
    key = key_from_multibase(public, secret)
    issuer = did_key_from_key(key)
    vm = f"{issuer}#{public}"
    template = json.loads((SHARED / "peer" / "credential-template.json").read_text())
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def sign_one(i: int) -> dict[str, Any]:
        credential = make_credential(template, i, issuer)
        return sign_credential(credential, key, vm, cryptosuite=cryptosuite, created=CREATED)

    first = sign_one(1)
    tampered = copy.deepcopy(first)
    tampered["credentialSubject"]["achievement"]["name"] += " (edited)"
    if (
        not verify_credential(first, now=now).verified
        or verify_credential(tampered, now=now).verified
    ):
        raise SystemExit("sanity check failed")
    if save_first:
        save_first.write_text(json.dumps(first, indent=2) + "\n")
    for k in range(warmup):
        verify_credential(sign_one(1_000_000 + k), now=now)
    start = time.perf_counter()
    signed = [sign_one(i + 1) for i in range(n)]
    sign_s = time.perf_counter() - start
    start = time.perf_counter()
    verified = sum(verify_credential(c, now=now).verified for c in signed)
    verify_s = time.perf_counter() - start
    return {
        "impl": "badgeservice-python",
        "n": n,
        "sign_per_s": round(n / sign_s, 1),
        "verify_per_s": round(n / verify_s, 1),
        "ms_per_sign": round(sign_s * 1000 / n, 3),
        "ms_per_verify": round(verify_s * 1000 / n, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cryptosuite": cryptosuite,
        "warmup": warmup,
        "verified": verified,
        "proof_value_1": first["proof"]["proofValue"],
        **stage_times(first, key, cryptosuite, max(20, n // 5)),
        "python": sys.version.split()[0],
    }


def run_peer(directory: Path, n: int, warmup: int, cryptosuite: str) -> dict[str, Any]:
    done = subprocess.run(
        ["node", "bench.mjs", str(n), "--warmup", str(warmup), "--cryptosuite", cryptosuite],
        cwd=directory,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--cryptosuite", choices=sorted(TEST_KEYS), default="eddsa-rdfc-2022")
    parser.add_argument("--save-first", type=Path)
    parser.add_argument("--peer", type=Path, help="an installed copy of ../shared/peer")
    args = parser.parse_args()
    result = run(args.n, args.warmup, args.cryptosuite, args.save_first)
    if args.peer:
        peer = run_peer(args.peer, args.n, args.warmup, args.cryptosuite)
        result["peer"] = peer
        result["sign_speedup"] = round(result["sign_per_s"] / peer["sign_per_s"], 2)
        result["verify_speedup"] = round(result["verify_per_s"] / peer["verify_per_s"], 2)
    print(json.dumps(result))
    return 0 if result["verified"] == args.n else 1


if __name__ == "__main__":
    raise SystemExit(main())
