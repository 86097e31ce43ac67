"""Legacy ``eddsa-2022`` proofs (the pre-final name of eddsa-rdfc-2022): built here by hand from
the draft's steps (RDFC-1.0, SHA-256 of proof config then document, Ed25519), verified, never
signed."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

import base58
import pytest

from badgeservice.vc import (
    DidResolver,
    KeyPair,
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
KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
VM = f"{DID}#{KEY.public_multibase()}"


def legacy_signed(
    document: dict[str, Any], key: KeyPair = KEY, cryptosuite: str = "eddsa-2022"
) -> dict[str, Any]:
    """The eddsa-2022 draft's Add Proof, step by step, without our cryptosuite code.

    See: https://github.com/w3c/vc-di-eddsa/blob/366b5d2/index.html (eddsa-2022)
    """
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": cryptosuite,
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": VM,
        "proofPurpose": "assertionMethod",
    }
    config = canonicalize({**options, "@context": document["@context"]})
    transformed = canonicalize(document)
    hash_data = hashlib.sha256(config.encode()).digest()
    hash_data += hashlib.sha256(transformed.encode()).digest()
    value = "z" + base58.b58encode(key.sign(hash_data)).decode()
    return {**document, "proof": {**options, "proofValue": value}}


def test_eddsa_2022_proof_verifies_and_reports_its_suite() -> None:
    signed = legacy_signed(ob_credential(DID))
    [result] = verify_proofs(signed, DidResolver(), now=NOW)
    assert (result.outcome, result.cryptosuite) == ("passed", "eddsa-2022")
    report = verify_credential(signed, now=NOW)
    assert report.verified, report.to_dict()
    assert report.check("proof").message == "1 proof(s) verified (eddsa-2022)"
    assert report.proofs[0]["cryptosuite"] == "eddsa-2022"


def _rename_suite(document: dict[str, Any]) -> None:
    document["proof"]["cryptosuite"] = "eddsa-rdfc-2022"


def _edit_subject(document: dict[str, Any]) -> None:
    document["credentialSubject"]["achievement"]["name"] = "Doctorate"


def _other_key(document: dict[str, Any]) -> None:
    document["proof"] = legacy_signed(ob_credential(DID), generate_key("Ed25519"))["proof"]


@pytest.mark.parametrize("tamper", [_rename_suite, _edit_subject, _other_key])
def test_tampered_eddsa_2022_proof_fails(tamper: Any) -> None:
    signed = copy.deepcopy(legacy_signed(ob_credential(DID)))
    tamper(signed)
    report = verify_credential(signed, now=NOW)
    assert (report.check("proof").outcome, report.check("proof").code) == (
        "failed",
        "proof_signature_invalid",
    )


def test_eddsa_2022_with_a_p256_key_is_refused() -> None:
    signed = legacy_signed(ob_credential(DID))
    p256 = generate_key("P-256")
    p256_did = did_key_from_key(p256)
    signed["proof"]["verificationMethod"] = f"{p256_did}#{p256_did.removeprefix('did:key:')}"
    report = verify_credential(signed, now=NOW)
    assert report.check("proof").code == "proof_key_type_mismatch"


def test_eddsa_2022_is_never_used_to_sign() -> None:
    with pytest.raises(ProofError) as info:
        sign_credential(ob_credential(DID), KEY, VM, cryptosuite="eddsa-2022")
    assert info.value.code == "proof_suite_unsupported"
