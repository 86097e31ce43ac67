"""Data Integrity proofs: create, verify, proof sets, and every way a proof can be wrong."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest

from badgeservice.vc.errors import DidResolutionError, ProofError
from badgeservice.vc.keys import KeyPair, generate_key
from badgeservice.vc.proofs import ProofResult, parse_datetime, sign_credential, verify_proofs
from tests.unit.vc.documents import ob_credential

VC2 = "https://www.w3.org/ns/credentials/v2"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREATED = "2025-01-01T00:00:00Z"
ISSUER = "did:web:badges.example.org:issuers:alpha"


def credential() -> dict[str, Any]:
    return ob_credential(ISSUER)


@dataclass
class KeyTable:
    """A resolver over a fixed table of verification methods (the injected seam)."""

    keys: dict[str, KeyPair]

    def resolve_verification_method(self, vm_id: str) -> tuple[dict[str, Any], KeyPair]:
        if vm_id not in self.keys:
            raise DidResolutionError(f"unknown verification method {vm_id}")
        return {"id": vm_id, "controller": vm_id.split("#")[0]}, self.keys[vm_id]


KEYS = {name: generate_key(name) for name in ("Ed25519", "P-256", "P-384")}
SUITE_FOR = {"Ed25519": "eddsa-rdfc-2022", "P-256": "ecdsa-rdfc-2019", "P-384": "ecdsa-rdfc-2019"}


def signed(algorithm: str = "Ed25519", **options: Any) -> tuple[dict[str, Any], KeyTable]:
    vm = f"{ISSUER}#{algorithm.lower()}"
    key = KEYS[algorithm]
    document = sign_credential(
        credential(), key, vm, cryptosuite=SUITE_FOR[algorithm], created=CREATED, **options
    )
    return document, KeyTable({vm: key.public_only()})


def only(results: list[ProofResult]) -> ProofResult:
    assert len(results) == 1
    return results[0]


@pytest.mark.parametrize("algorithm", ["Ed25519", "P-256", "P-384"])
def test_signed_credential_verifies(algorithm: str) -> None:
    document, table = signed(algorithm)
    result = only(verify_proofs(document, table))
    assert (result.outcome, result.code) == ("passed", "proof_verified")
    assert result.controller == ISSUER
    assert result.cryptosuite == SUITE_FOR[algorithm]


def test_sign_does_not_change_the_input() -> None:
    original = credential()
    sign_credential(original, KEYS["Ed25519"], f"{ISSUER}#k", created=CREATED)
    assert original == credential()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.update(name="Edited"), "proof_signature_invalid"),
        (lambda d: d["proof"].update(created="2025-01-02T00:00:00Z"), "proof_signature_invalid"),
        (lambda d: d["proof"].update(proofValue="z" + "1" * 20), "proof_signature_invalid"),
        (lambda d: d["proof"].update(proofValue="not multibase"), "proof_value_malformed"),
        (lambda d: d["proof"].update(proofValue=17), "proof_value_malformed"),
        (lambda d: d["proof"].pop("proofValue"), "proof_value_malformed"),
        (lambda d: d["proof"].pop("verificationMethod"), "proof_malformed"),
        (lambda d: d["proof"].update(created="yesterday"), "proof_created_invalid"),
        (lambda d: d["proof"].update(created="2025-01-01T00:00:00"), "proof_created_invalid"),
        (lambda d: d["proof"].update(proofPurpose="authentication"), "proof_purpose_mismatch"),
        (lambda d: d["proof"].update({"@context": [OB303]}), "proof_context_mismatch"),
        (lambda d: d["proof"].update(expires="2020-01-01T00:00:00Z"), "proof_expired"),
    ],
)
def test_verify_fails_when_the_proof_or_document_is_wrong(change: Any, code: str) -> None:
    document, table = signed()
    change(document)
    result = only(verify_proofs(document, table, now=parse_datetime("2025-06-01T00:00:00Z")))
    assert (result.outcome, result.code) == ("failed", code)


@pytest.mark.parametrize(
    ("proof_update", "code"),
    [
        ({"cryptosuite": "bbs-2023"}, "proof_suite_unsupported"),
        ({"type": "JsonWebSignature2020"}, "proof_suite_unsupported"),
        ({"verificationMethod": f"{ISSUER}#unknown"}, "did_resolution"),
    ],
)
def test_verify_reports_error_when_the_proof_cannot_be_checked(
    proof_update: dict[str, Any], code: str
) -> None:
    document, table = signed()
    document["proof"].update(proof_update)
    result = only(verify_proofs(document, table))
    assert (result.outcome, result.code) == ("error", code)


def test_verify_fails_with_a_key_of_another_type() -> None:
    document, _ = signed()
    vm = document["proof"]["verificationMethod"]
    result = only(verify_proofs(document, KeyTable({vm: KEYS["P-256"].public_only()})))
    assert (result.outcome, result.code) == ("failed", "proof_key_type_mismatch")


def test_verify_fails_with_the_wrong_key() -> None:
    document, _ = signed()
    vm = document["proof"]["verificationMethod"]
    result = only(verify_proofs(document, KeyTable({vm: generate_key("Ed25519")})))
    assert (result.outcome, result.code) == ("failed", "proof_signature_invalid")


def test_second_signature_makes_a_proof_set_whose_proofs_verify_independently() -> None:
    first, table = signed()
    second = sign_credential(first, KEYS["P-256"], f"{ISSUER}#p-256", cryptosuite="ecdsa-rdfc-2019")
    table.keys[f"{ISSUER}#p-256"] = KEYS["P-256"]
    results = verify_proofs(second, table)
    assert [r.outcome for r in results] == ["passed", "passed"]
    broken = copy.deepcopy(second)
    broken["proof"][1]["proofValue"] = first["proof"]["proofValue"]
    assert [r.outcome for r in verify_proofs(broken, table)] == ["passed", "failed"]


@pytest.mark.parametrize(
    "document",
    [
        {"@context": VC2},
        {"@context": VC2, "proof": "text"},
        {"@context": VC2, "proof": [None, 3]},
        {"proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}},
    ],
)
def test_verify_never_raises_on_hostile_documents(document: dict[str, Any]) -> None:
    results = verify_proofs(document, KeyTable({}))
    assert all(r.outcome in {"failed", "error"} for r in results)


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"cryptosuite": "Ed25519Signature2020"}, "proof_suite_unsupported"),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "proof_key_type_mismatch"),
        ({"created": "soon"}, "proof_created_invalid"),
    ],
)
def test_sign_refuses_bad_options(options: dict[str, Any], code: str) -> None:
    with pytest.raises(ProofError) as caught:
        sign_credential(credential(), KEYS["Ed25519"], f"{ISSUER}#k", **options)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2025-01-01T00:00:00Z", True),
        ("2025-01-01T00:00:00.123+02:00", True),
        ("2025-01-01T00:00:00", False),
        ("2025-13-01T00:00:00Z", False),
        ("2025-02-30T00:00:00Z", False),
        ("2025-01-01 00:00:00Z", False),
    ],
)
def test_parse_datetime_accepts_only_xsd_datetime_stamps(text: str, valid: bool) -> None:
    assert (parse_datetime(text) is not None) is valid
