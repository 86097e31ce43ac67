"""Property: any change to a signed credential's content, proof or key breaks verification."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from badgeservice.vc import generate_key, sign_credential, verify_credential
from badgeservice.vc.dids import did_key_from_key
from tests.unit.vc.documents import ob_credential

NOW = datetime(2025, 6, 1, tzinfo=UTC)
KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
VM = f"{DID}#{DID.removeprefix('did:key:')}"
SIGNED = sign_credential(
    ob_credential(DID),
    KEY,
    VM,
    created="2025-01-01T00:00:00Z",
)
# (path to a string member, may it be changed to any other text)
STRING_PATHS = [
    ("id",),
    ("name",),
    ("validFrom",),
    ("issuer", "name"),
    ("credentialSubject", "achievement", "name"),
    ("credentialSubject", "achievement", "criteria", "narrative"),
    ("credentialSubject", "achievement", "id"),
    ("proof", "created"),
    ("proof", "verificationMethod"),
    ("proof", "proofPurpose"),
    ("proof", "cryptosuite"),
    ("proof", "proofValue"),
]


def set_path(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for name in path[:-1]:
        document = document[name]
    document[path[-1]] = value


def get_path(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    for name in path:
        document = document[name]
    return document


@settings(max_examples=60, deadline=None)
@given(path=st.sampled_from(STRING_PATHS), value=st.text(max_size=30))
def test_changing_any_signed_string_breaks_verification(path: tuple[str, ...], value: str) -> None:
    changed = copy.deepcopy(SIGNED)
    if get_path(changed, path) == value:
        value += "x"
    set_path(changed, path, value)
    assert verify_credential(changed, now=NOW).verified is False


@settings(max_examples=30, deadline=None)
@given(index=st.integers(0, 63), bit=st.integers(0, 7))
def test_flipping_any_signature_bit_breaks_verification(index: int, bit: int) -> None:
    from badgeservice.vc._suites import decode_proof_value
    from badgeservice.vc.multibase import encode_base58btc

    signature = bytearray(decode_proof_value(SIGNED["proof"]["proofValue"]))
    signature[index] ^= 1 << bit
    changed = copy.deepcopy(SIGNED)
    changed["proof"]["proofValue"] = encode_base58btc(bytes(signature))
    assert verify_credential(changed, now=NOW).verified is False


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_signing_with_another_key_under_the_same_method_breaks_verification(seed: int) -> None:
    other = sign_credential(
        {k: v for k, v in SIGNED.items() if k != "proof"}, generate_key("Ed25519"), VM
    )
    assert verify_credential(other, now=NOW).verified is False


def test_the_untampered_credential_verifies() -> None:
    assert verify_credential(SIGNED, now=NOW).verified
