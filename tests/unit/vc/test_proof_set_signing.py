"""``sign_credential(..., proof_set=True)`` writes ``proof`` as an array (what 1EdTech's strict
schema wants); the signature is the same as the single-object form's, both verify, and a
second proof joins the set."""

from __future__ import annotations

from typing import Any

import pytest

from badgeservice.vc.keys import generate_key
from badgeservice.vc.proofs import sign_credential, verify_proofs
from tests.unit.vc.documents import ob_credential
from tests.unit.vc.test_proofs import KeyTable

ISSUER = "did:web:badges.example.org:issuers:alpha"
CREATED = "2025-01-01T00:00:00Z"
ED = generate_key("Ed25519")
P256 = generate_key("P-256")
TABLE = KeyTable({f"{ISSUER}#ed": ED.public_only(), f"{ISSUER}#p": P256.public_only()})


def sign(document: dict[str, Any], **options: Any) -> dict[str, Any]:
    return sign_credential(document, ED, f"{ISSUER}#ed", created=CREATED, **options)


@pytest.mark.parametrize(("proof_set", "shape"), [(True, list), (False, dict)])
def test_proof_set_option_chooses_the_shape_and_both_verify(proof_set: bool, shape: type) -> None:
    document = sign(ob_credential(ISSUER), proof_set=proof_set)
    assert isinstance(document["proof"], shape)
    assert [r.outcome for r in verify_proofs(document, TABLE)] == ["passed"]


def test_the_array_holds_the_same_proof_as_the_object_form() -> None:
    """Eddsa is deterministic: the same input gives the same proof, whichever shape holds it."""
    as_set, as_object = sign(ob_credential(ISSUER), proof_set=True), sign(ob_credential(ISSUER))
    assert as_set["proof"] == [as_object["proof"]]


def test_a_second_proof_joins_the_set() -> None:
    first = sign(ob_credential(ISSUER), proof_set=True)
    second = sign_credential(
        first, P256, f"{ISSUER}#p", cryptosuite="ecdsa-rdfc-2019", proof_set=True
    )
    assert [p["cryptosuite"] for p in second["proof"]] == ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"]
    assert [r.outcome for r in verify_proofs(second, TABLE)] == ["passed", "passed"]


def test_a_tampered_proof_set_fails() -> None:
    document = sign(ob_credential(ISSUER), proof_set=True)
    document["name"] = "Something else"
    assert [r.outcome for r in verify_proofs(document, TABLE)] == ["failed"]
