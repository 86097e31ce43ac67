"""Cryptosuites as four small named parts: transform, configure, hash, sign/verify.

Every suite we know (``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019``, legacy ``eddsa-2022`` and
``Ed25519Signature2020``) hashes the same way: RDFC-1.0 N-Quads of the document without
``proof`` (transform) and of the proof options without ``proofValue`` under the document's
``@context`` (configure); then ``H(proof config) || H(document)`` with SHA-256, or SHA-384
for a P-384 key (hash); then the key signs those bytes as they are (Ed25519) or
ECDSA-with-H over them (serialize / verify).

See: https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cachetools import LRUCache

from badgeservice.vc.canon import canonicalize
from badgeservice.vc.errors import KeyFormatError, ProofError
from badgeservice.vc.loader import StaticLoader
from badgeservice.vc.multibase import decode_base58btc, encode_base58btc

__all__ = [
    "SUITES",
    "Cryptosuite",
    "SigningKey",
    "decode_proof_value",
    "find_suite",
]

DATA_INTEGRITY_PROOF = "DataIntegrityProof"

# Proof configurations repeat (same key, purpose and ``created`` across a batch): keep their
# canonical form per loader. Keyed by the exact JSON, so any difference is a new entry.
_CONFIG_CACHE: LRUCache[tuple[int, str], tuple[StaticLoader | None, str]] = LRUCache(512)


class SigningKey(Protocol):
    """What a cryptosuite needs from a key (``vc.keys.KeyPair`` has it)."""

    @property
    def algorithm(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...

    def verify(self, signature: bytes, data: bytes) -> bool: ...


@dataclass(frozen=True)
class Cryptosuite:
    """One proof suite: its name, proof ``type``, accepted key algorithms and abilities."""

    name: str
    proof_type: str
    key_algorithms: frozenset[str]
    can_sign: bool = True

    def transform(
        self, document: Mapping[str, Any], loader: StaticLoader | None, *, safe: bool = True
    ) -> str:
        """Canonical N-Quads of the unsecured document (``proof`` removed).

        See: https://www.w3.org/TR/vc-di-eddsa/#transformation-eddsa-rdfc-2022
        """
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        return canonicalize(unsecured, loader=loader, safe=safe)

    def configure(
        self, options: Mapping[str, Any], context: Any, loader: StaticLoader | None
    ) -> str:
        """Canonical N-Quads of the proof configuration (options minus ``proofValue``, with
        the document's ``@context``).

        See: https://www.w3.org/TR/vc-di-eddsa/#proof-configuration-eddsa-rdfc-2022
        """
        config = {k: v for k, v in options.items() if k not in ("proofValue", "@context")}
        config["@context"] = context
        try:
            text = json.dumps(config, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            return canonicalize(config, loader=loader, safe=True)
        cache_key = (id(loader), text)
        hit = _CONFIG_CACHE.get(cache_key)
        if hit is not None and hit[0] is loader:
            return hit[1]
        canon = canonicalize(config, loader=loader, safe=True)
        _CONFIG_CACHE[cache_key] = (loader, canon)
        return canon

    def hash(self, proof_canon: str, document_canon: str, key_algorithm: str) -> bytes:
        """``H(canonical proof config) || H(canonical document)``; H is SHA-384 for P-384.

        See: https://www.w3.org/TR/vc-di-ecdsa/#hashing-ecdsa-rdfc-2019
        """
        digest = hashlib.sha384 if key_algorithm == "P-384" else hashlib.sha256
        return digest(proof_canon.encode()).digest() + digest(document_canon.encode()).digest()

    def serialize(self, hash_data: bytes, key: SigningKey) -> str:
        """Sign ``hash_data``; the ``proofValue`` is multibase base58btc of the signature.

        See: https://www.w3.org/TR/vc-di-eddsa/#proof-serialization-eddsa-rdfc-2022
        """
        self.check_key(key)
        return encode_base58btc(key.sign(hash_data))

    def verify(self, hash_data: bytes, signature: bytes, key: SigningKey) -> bool:
        """True when ``signature`` over ``hash_data`` holds for ``key``.

        See: https://www.w3.org/TR/vc-di-eddsa/#proof-verification-eddsa-rdfc-2022
        """
        self.check_key(key)
        return key.verify(signature, hash_data)

    def check_key(self, key: SigningKey) -> None:
        if key.algorithm not in self.key_algorithms:
            allowed = ", ".join(sorted(self.key_algorithms))
            raise ProofError(
                f"{self.name} needs a {allowed} key, not {key.algorithm}",
                code="proof_key_type_mismatch",
            )


SUITES: dict[str, Cryptosuite] = {
    "eddsa-rdfc-2022": Cryptosuite("eddsa-rdfc-2022", DATA_INTEGRITY_PROOF, frozenset({"Ed25519"})),
    "ecdsa-rdfc-2019": Cryptosuite(
        "ecdsa-rdfc-2019", DATA_INTEGRITY_PROOF, frozenset({"P-256", "P-384"})
    ),
    # The pre-final name of eddsa-rdfc-2022 (vc-di-eddsa drafts until August 2023): the same
    # RDFC-1.0, SHA-256 and Ed25519 steps; verified, never signed.
    # See: https://github.com/w3c/vc-di-eddsa/blob/366b5d2/index.html (renamed in 0370694)
    "eddsa-2022": Cryptosuite(
        "eddsa-2022", DATA_INTEGRITY_PROOF, frozenset({"Ed25519"}), can_sign=False
    ),
    # Verified by vc._ecdsa_sd (its own proof value and hashing); never signed here.
    "ecdsa-sd-2023": Cryptosuite(
        "ecdsa-sd-2023", DATA_INTEGRITY_PROOF, frozenset({"P-256"}), can_sign=False
    ),
    "Ed25519Signature2020": Cryptosuite(
        "Ed25519Signature2020", "Ed25519Signature2020", frozenset({"Ed25519"}), can_sign=False
    ),
}


def find_suite(proof: Mapping[str, Any]) -> Cryptosuite | None:
    """The suite a proof names (``cryptosuite`` for DataIntegrityProof, else its ``type``)."""
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        name = proof.get("cryptosuite")
        suite = SUITES.get(name) if isinstance(name, str) else None
        return suite if suite is not None and suite.proof_type == DATA_INTEGRITY_PROOF else None
    if isinstance(proof_type, str) and proof_type in SUITES:
        suite = SUITES[proof_type]
        return suite if suite.proof_type == proof_type else None
    return None


def decode_proof_value(value: Any) -> bytes:
    """Decode a multibase ``proofValue``: ``z`` base58btc, or ``u`` base64url without padding.

    See: https://www.w3.org/TR/vc-data-integrity/#multibase-0
    """
    if not isinstance(value, str) or len(value) < 2:
        raise ProofError("proofValue must be a multibase string", code="proof_value_malformed")
    try:
        if value[0] == "z":
            return decode_base58btc(value)
        if value[0] == "u" and "=" not in value:
            body = value[1:]
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, binascii.Error, KeyFormatError):
        pass
    raise ProofError(
        "proofValue is not multibase base58btc ('z') or base64url ('u')",
        code="proof_value_malformed",
    )
