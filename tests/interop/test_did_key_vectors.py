"""The CCG did:key test vectors (shared data/vectors/did-key) re-derive with our code.

One generated test per vector. The vector list is read at collection time (ids only); every
file is read in the test through the ``shared_data`` fixture. Ed25519 vectors give a seed,
the NIST-curve vectors a private JWK (one P-256 vector base58 raw keys). Our documents use
Multikey, not the vectors' 2018/2020 key types, so we compare DIDs, verification method ids,
relationships and key material rather than whole documents.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from badgeservice.vc.dids import (
    did_key_from_key,
    find_verification_method,
    key_from_verification_method,
    resolve_did_key,
)
from badgeservice.vc.keys import KeyPair, key_from_jwk, key_from_multibase
from badgeservice.vc.multibase import P256_PUB, add_multicodec, encode_base58btc
from tests.conftest import SHARED_DIR

VECTORS = Path("vectors") / "did-key"
FILES = ("ed25519-x25519.json", "nist-curves.json")


def vector_ids() -> list[tuple[str, str]]:
    folder = SHARED_DIR / "data" / VECTORS
    if not folder.is_dir():
        return [("vectors-missing", "vectors-missing")]
    return [(f, did) for f in FILES for did in json.loads((folder / f).read_text())]


def read_vector(shared_data: Path, file: str, did: str) -> dict[str, Any]:
    vector: dict[str, Any] = json.loads((shared_data / VECTORS / file).read_text())[did]
    return vector


def key_of(vector: dict[str, Any]) -> KeyPair:
    if "seed" in vector:
        private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["seed"]))
        return KeyPair("Ed25519", private.public_key(), private)
    method = vector["verificationMethod"]
    if "privateKeyJwk" in method:
        return key_from_jwk(method["privateKeyJwk"])
    point = base58.b58decode(method["publicKeyBase58"])  # a compressed P-256 point
    return key_from_multibase(encode_base58btc(add_multicodec(P256_PUB, point)))


def expected_public_key(vector: dict[str, Any]) -> dict[str, Any] | bytes:
    method = vector.get("verificationKeyPair") or vector["verificationMethod"]
    if "publicKeyJwk" in method:
        return {
            k: method["publicKeyJwk"][k]
            for k in ("kty", "crv", "x", "y")
            if k in method["publicKeyJwk"]
        }
    return base58.b58decode(method["publicKeyBase58"])


@pytest.mark.parametrize(("file", "did"), vector_ids())
def test_did_key_vector_rederives(shared_data: Path, file: str, did: str) -> None:
    vector = read_vector(shared_data, file, did)
    key = key_of(vector)
    assert did_key_from_key(key) == did
    expected = expected_public_key(vector)
    assert (key.public_jwk() if isinstance(expected, dict) else key.public_raw()) == expected

    document = resolve_did_key(did)
    vm_id = vector["didDocument"]["assertionMethod"][0]
    assert document["assertionMethod"] == [vm_id]
    assert document["authentication"] == vector["didDocument"]["authentication"]
    method = find_verification_method(document, vm_id)
    assert method["controller"] == did
    assert key_from_verification_method(method).public_jwk() == key.public_jwk()
