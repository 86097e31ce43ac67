"""Proof chains (``previousProof``): sign and verify chains, reproduce the spec's hashing step by
hand, and every way a chain can be broken (tampered link, missing id, loop, malformed value)."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

import base58
import pytest

from badgeservice.vc import (
    DidResolver,
    canonicalize,
    generate_key,
    sign_credential,
    verify_credential,
)
from badgeservice.vc.dids import did_key_from_key
from badgeservice.vc.errors import ProofError
from badgeservice.vc.proofs import verify_proofs
from tests.unit.vc.documents import ob_credential

NOW = datetime(2025, 6, 1, tzinfo=UTC)
CREATED = "2025-01-02T00:00:00Z"
KEY = generate_key("Ed25519")
SECOND = generate_key("P-256")
DID = did_key_from_key(KEY)
VM = f"{DID}#{KEY.public_multibase()}"


def vm_of(key: Any) -> str:
    did = did_key_from_key(key)
    return f"{did}#{did.removeprefix('did:key:')}"


def chain(length: int = 3) -> dict[str, Any]:
    """A proof chain: proof 1, then each next proof names the one before it."""
    document = sign_credential(ob_credential(DID), KEY, VM, created=CREATED, proof_id="urn:p:1")
    for n in range(2, length + 1):
        key = SECOND if n % 2 == 0 else KEY
        document = sign_credential(
            document,
            key,
            vm_of(key),
            cryptosuite="ecdsa-rdfc-2019" if key is SECOND else "eddsa-rdfc-2022",
            created=CREATED,
            proof_id=f"urn:p:{n}",
            previous_proof=f"urn:p:{n - 1}",
        )
    return document


def results(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r.outcome, r.code) for r in verify_proofs(document, DidResolver(), now=NOW)]


def test_every_proof_of_a_chain_verifies() -> None:
    document = chain(3)
    assert [p.get("previousProof") for p in document["proof"]] == [None, "urn:p:1", "urn:p:2"]
    assert results(document) == [("passed", "proof_verified")] * 3


def test_a_proof_may_name_several_previous_proofs() -> None:
    document = sign_credential(chain(2), KEY, VM, previous_proof=["urn:p:1", "urn:p:2"])
    assert results(document) == [("passed", "proof_verified")] * 3


def test_chained_proof_signs_the_document_with_its_previous_proofs() -> None:
    """The spec's step, by hand: the document is hashed with ``proof`` = the named proofs."""
    document = chain(2)
    first, second = document["proof"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in second.items() if k != "proofValue"}
    config["@context"] = document["@context"]
    hash_data = (
        hashlib.sha256(canonicalize(config).encode()).digest()
        + hashlib.sha256(canonicalize({**unsecured, "proof": [first]}).encode()).digest()
    )
    signature = base58.b58decode(second["proofValue"][1:])
    assert SECOND.public_only().verify(signature, hash_data)


def test_credential_with_a_chain_verifies_end_to_end() -> None:
    issuer_chain = sign_credential(
        sign_credential(ob_credential(DID), KEY, VM, proof_id="urn:p:1"),
        KEY,
        VM,
        previous_proof="urn:p:1",
    )
    report = verify_credential(issuer_chain, now=NOW)
    assert report.verified, report.to_dict()
    assert report.check("proof").message.startswith("2 proof(s) verified")


def _tamper_previous_value(document: dict[str, Any]) -> None:
    value = document["proof"][0]["proofValue"]
    document["proof"][0]["proofValue"] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]


def _tamper_previous_created(document: dict[str, Any]) -> None:
    document["proof"][0]["created"] = "2025-01-03T00:00:00Z"


def _drop_previous(document: dict[str, Any]) -> None:
    del document["proof"][0]


def _unlink(document: dict[str, Any]) -> None:
    del document["proof"][1]["previousProof"]


def _relink(document: dict[str, Any]) -> None:
    document["proof"][0]["id"] = "urn:p:other"
    document["proof"][1]["previousProof"] = "urn:p:other"


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (
            _tamper_previous_value,
            [("failed", "proof_signature_invalid"), ("failed", "proof_signature_invalid")],
        ),
        (
            _tamper_previous_created,
            [("failed", "proof_signature_invalid"), ("failed", "proof_signature_invalid")],
        ),
        (_drop_previous, [("failed", "proof_previous_missing")]),
        (_unlink, [("passed", "proof_verified"), ("failed", "proof_signature_invalid")]),
        (_relink, [("failed", "proof_signature_invalid"), ("failed", "proof_signature_invalid")]),
    ],
    ids=["previous-value", "previous-created", "previous-removed", "link-removed", "relinked"],
)
def test_broken_chain_fails_the_proofs_it_touches(tamper: Any, expected: list[Any]) -> None:
    document = copy.deepcopy(chain(2))
    tamper(document)
    assert results(document) == expected
    report = verify_credential(document, now=NOW)
    assert report.check("proof").outcome == "failed"
    assert not report.verified


@pytest.mark.parametrize(
    ("links", "code"),
    [
        ({"urn:a": "urn:b", "urn:b": "urn:a"}, "proof_chain_cycle"),
        ({"urn:a": "urn:a"}, "proof_chain_cycle"),
        ({"urn:a": 7}, "proof_previous_malformed"),
        ({"urn:a": []}, "proof_previous_malformed"),
        ({"urn:a": "urn:nowhere"}, "proof_previous_missing"),
    ],
    ids=["two-cycle", "self", "number", "empty-list", "missing"],
)
def test_looping_or_malformed_links_fail_before_any_hashing(
    links: dict[str, Any], code: str
) -> None:
    proof = sign_credential(ob_credential(DID), KEY, VM)["proof"]
    document = ob_credential(DID)
    document["proof"] = [{**proof, "id": pid, "previousProof": ref} for pid, ref in links.items()]
    outcomes = results(document)
    assert outcomes[0] == ("failed", code)


def test_long_chain_with_a_loop_at_its_end_is_bounded() -> None:
    proof = sign_credential(ob_credential(DID), KEY, VM)["proof"]
    document = ob_credential(DID)
    ids = [f"urn:{n}" for n in range(200)]
    document["proof"] = [
        {**proof, "id": pid, "previousProof": ids[(n + 1) % len(ids)]} for n, pid in enumerate(ids)
    ]
    assert {outcome for outcome in results(document)} == {("failed", "proof_chain_cycle")}


@pytest.mark.parametrize("previous", ["urn:p:9", ["urn:p:1", "urn:p:9"]])
def test_sign_refuses_a_previous_proof_the_document_does_not_have(previous: Any) -> None:
    with pytest.raises(ProofError) as info:
        sign_credential(chain(1), KEY, VM, previous_proof=previous)
    assert info.value.code == "proof_previous_missing"
