"""Canonicalisations per second on the OB 3.0 workload (the peer's credential-template.json).

Prints one JSON line. Modes, all with the static loader and RDFC-1.0 output:
``memoised`` (our default), ``plain`` (pyld's own context processing), ``pyld_normalize``
(pyld's ``normalize`` end to end, for reference), and ``memoised_proof_config`` (the second
call a cryptosuite makes: the proof options with the document's ``@context``).

Usage: ``python bench/canon_bench.py [N] [--template PATH]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyld import jsonld

from badgeservice.vc.canon import canonicalize
from badgeservice.vc.loader import DEFAULT_LOADER

DEFAULT_TEMPLATE = (
    Path(__file__).resolve().parents[2] / "shared" / "peer" / "credential-template.json"
)
ISSUER = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


def make_credential(template: dict[str, Any], i: int) -> dict[str, Any]:
    """Credential ``i`` of the peer's workload (peer/lib/workload.mjs)."""
    credential: dict[str, Any] = json.loads(json.dumps(template))
    h = hashlib.sha256(f"cred-{i}".encode()).hexdigest()
    credential["id"] = f"urn:uuid:{h[0:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
    credential["issuer"]["id"] = ISSUER
    salt = f"hX6-{i:06x}"
    identity = credential["credentialSubject"]["identifier"][0]
    identity["salt"] = salt
    digest = hashlib.sha256(f"learner{i}@example.edu{salt}".encode()).hexdigest()
    identity["identityHash"] = "sha256$" + digest
    return credential


def proof_config(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-01-01T00:00:00Z",
        "verificationMethod": f"{ISSUER}#{ISSUER.removeprefix('did:key:')}",
        "proofPurpose": "assertionMethod",
    }


def pyld_normalize(document: dict[str, Any]) -> str:
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "base": None,
        "documentLoader": DEFAULT_LOADER,
    }
    result: str = jsonld.normalize(document, options)
    return result


def rate(work: Callable[[dict[str, Any]], Any], documents: list[dict[str, Any]]) -> float:
    for document in documents[:20]:
        work(document)
    start = time.perf_counter()
    for document in documents:
        work(document)
    return round(len(documents) / (time.perf_counter() - start), 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=300)
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    args = parser.parse_args()
    template = json.loads(args.template.read_text(encoding="utf-8"))
    documents = [make_credential(template, i) for i in range(1, args.n + 1)]
    first = canonicalize(documents[0])
    if first != canonicalize(documents[0], memoize=False):
        print("memoised and plain output differ", file=sys.stderr)
        return 1
    result = {
        "workload": "peer/credential-template.json",
        "n": args.n,
        "quads": first.count("\n"),
        "memoised_per_s": rate(canonicalize, documents),
        "plain_per_s": rate(lambda d: canonicalize(d, memoize=False), documents),
        "pyld_normalize_per_s": rate(pyld_normalize, documents),
        "memoised_proof_config_per_s": rate(canonicalize, [proof_config(d) for d in documents]),
        "python": sys.version.split()[0],
    }
    result["speedup"] = round(result["memoised_per_s"] / result["plain_per_s"], 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
