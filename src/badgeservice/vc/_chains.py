"""Proof chains: a proof naming a ``previousProof`` signs the document together with the
proofs it names. These helpers find those proofs, refuse chains that loop, and canonicalize
the document as the chained proof saw it.

See: https://www.w3.org/TR/vc-data-integrity/#proof-chains
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badgeservice.vc.canon import canonicalize
from badgeservice.vc.errors import ProofError
from badgeservice.vc.loader import StaticLoader

__all__ = ["chained_canon", "check_acyclic", "previous_proofs"]


def _proofs_by_id(all_proofs: list[Any]) -> dict[str, Mapping[str, Any]]:
    return {
        p["id"]: p for p in all_proofs if isinstance(p, Mapping) and isinstance(p.get("id"), str)
    }


def _previous_ids(proof: Mapping[str, Any]) -> list[str]:
    value = proof.get("previousProof")
    ids = [value] if isinstance(value, str) else value
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ProofError(
            "previousProof must be a proof id or a list of proof ids",
            code="proof_previous_malformed",
        )
    return ids


def previous_proofs(proof: Mapping[str, Any], all_proofs: list[Any]) -> list[Any]:
    """The proofs of ``all_proofs`` that ``proof.previousProof`` names; every one must exist.

    See: https://www.w3.org/TR/vc-data-integrity/#verify-proof-sets-and-chains
    """
    wanted = _previous_ids(proof)
    by_id = _proofs_by_id(all_proofs)
    missing = [ref for ref in wanted if ref not in by_id]
    if missing:
        raise ProofError(
            f"previousProof names {', '.join(missing)}, which is not a proof of this document",
            code="proof_previous_missing",
        )
    return [p for p in all_proofs if isinstance(p, Mapping) and p.get("id") in wanted]


def check_acyclic(proof: Mapping[str, Any], all_proofs: list[Any]) -> None:
    """No chain of ``previousProof`` links leads back to ``proof``. Each id is visited once,
    so the work is bounded by the size of the proof set."""
    by_id = _proofs_by_id(all_proofs)
    pending, seen = list(_previous_ids(proof)), set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        linked = by_id.get(ref)
        if linked is proof:
            raise ProofError("the proof chain loops back to this proof", code="proof_chain_cycle")
        value = linked.get("previousProof") if linked is not None else None
        pending.extend(
            v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)
        )


def chained_canon(
    document: Mapping[str, Any], previous: list[Any], loader: StaticLoader | None, *, safe: bool
) -> str:
    """Canonical N-Quads of the document whose ``proof`` is only the previous proofs.

    See: https://www.w3.org/TR/vc-data-integrity/#add-proof-set-chain (step on matchingProofs)
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return canonicalize({**unsecured, "proof": list(previous)}, loader=loader, safe=safe)
