"""Verification of ``ecdsa-sd-2023`` proofs (W3C vc-di-ecdsa, selective disclosure).

A **base proof** (proofValue header ``0xd9 0x5d 0x00``) is what the issuer signs: a P-256
signature by the issuer's key over ``proofHash || ephemeral public key || mandatoryHash``, an
HMAC key that relabels blank nodes, one signature per non-mandatory statement by an
ephemeral P-256 key, and the JSON pointers of the mandatory statements. A **derived proof**
(header ``0xd9 0x5d 0x01``) is what a holder presents: the base and ephemeral signatures of
the statements it discloses, a compressed label map and the indexes of the mandatory ones.

Both are checked the same way at the end: the statement count must match, the issuer key
must sign the base data and the ephemeral key every non-mandatory statement. Structure
problems raise ProofError (``failed``); a wrong signature is a ``failed`` verdict.

See: https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-sd-2023
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badgeservice.vc import _cbor, canon
from badgeservice.vc import multibase as mb
from badgeservice.vc._sd_select import (
    canonical_with_labels,
    select_canonical_quads,
    skolemize_compact,
)
from badgeservice.vc._suites import SUITES, SigningKey
from badgeservice.vc.errors import KeyFormatError, ProofError
from badgeservice.vc.keys import KeyPair, key_from_multibase
from badgeservice.vc.loader import StaticLoader

__all__ = [
    "SD_SUITE",
    "BaseProofValue",
    "DerivedProofValue",
    "SdVerdict",
    "parse_base_proof_value",
    "parse_derived_proof_value",
    "verify_sd_proof",
]

SD_SUITE = "ecdsa-sd-2023"
BASE_HEADER = b"\xd9\x5d\x00"
DERIVED_HEADER = b"\xd9\x5d\x01"
# A statement signature is 64 bytes (86 base64url characters plus CBOR overhead): these
# bound the decoding and the number of ECDSA verifications one proof can ask for.
MAX_PROOF_VALUE_CHARS = 1_000_000
MAX_STATEMENTS = 5_000
_SIGNATURE_SIZE = 64
_P256_PUBLIC_SIZE = 35  # multicodec 0x1200 (2 bytes) + compressed point (33 bytes)
_HMAC_KEY_SIZE = 32
_LABEL_SIZE = 32
_BASE_PREFIX = mb.encode_base64url(BASE_HEADER)  # "u2V0A": the base header, encoded


@dataclass(frozen=True)
class BaseProofValue:
    """The five components of a base proof value.

    See: https://www.w3.org/TR/vc-di-ecdsa/#parsebaseproofvalue
    """

    base_signature: bytes
    public_key: bytes
    hmac_key: bytes
    signatures: list[bytes]
    mandatory_pointers: list[str]


@dataclass(frozen=True)
class DerivedProofValue:
    """The five components of a derived proof value, label map decompressed.

    See: https://www.w3.org/TR/vc-di-ecdsa/#parsederivedproofvalue
    """

    base_signature: bytes
    public_key: bytes
    signatures: list[bytes]
    label_map: dict[str, str]
    mandatory_indexes: list[int]


@dataclass(frozen=True)
class SdVerdict:
    """``outcome`` is ``passed`` or ``failed``, with a stable code and plain words."""

    outcome: str
    code: str
    message: str


def _malformed(message: str) -> ProofError:
    return ProofError(f"{SD_SUITE} proofValue: {message}", code="proof_value_malformed")


def _mismatch(message: str) -> ProofError:
    """The document is not the one the proof was made for (edited after disclosure)."""
    return ProofError(
        f"the document does not match the proof: {message}", code="proof_signature_invalid"
    )


def _components(value: Any, header: bytes) -> list[Any]:
    """Multibase ``u`` decoding, header check and CBOR decoding of a five-element array."""
    if not isinstance(value, str) or not value.startswith("u"):
        raise _malformed("must be a multibase base64url ('u') string")
    if len(value) > MAX_PROOF_VALUE_CHARS:
        raise _malformed(f"longer than {MAX_PROOF_VALUE_CHARS} characters")
    try:
        data = mb.b64url_decode(value[1:])
    except KeyFormatError:
        raise _malformed("is not base64url") from None
    if data[:3] != header:
        raise _malformed(f"does not start with the header {header.hex()}")
    components = _cbor.decode(data[3:])
    if not isinstance(components, list) or len(components) != 5:
        raise _malformed("is not a CBOR array of five elements")
    return components


def _byte_string(value: Any, size: int, name: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != size:
        raise _malformed(f"{name} must be a byte string of {size} bytes")
    return value


def _ephemeral_key(public_key: bytes) -> KeyPair:
    """The proof-scoped key: a P-256 Multikey (multicodec header and compressed point)."""
    try:
        key = key_from_multibase(mb.encode_base58btc(public_key))
    except KeyFormatError as error:
        raise _malformed(f"the public key is not a P-256 Multikey: {error.message}") from None
    if key.algorithm != "P-256":
        raise _malformed("the public key is not a P-256 Multikey")
    return key


def _public_key(value: Any) -> bytes:
    public_key = _byte_string(value, _P256_PUBLIC_SIZE, "the public key")
    _ephemeral_key(public_key)
    return public_key


def _signatures(value: Any) -> list[bytes]:
    if not isinstance(value, list) or len(value) > MAX_STATEMENTS:
        raise _malformed(f"signatures must be an array of at most {MAX_STATEMENTS}")
    return [_byte_string(item, _SIGNATURE_SIZE, "each signature") for item in value]


def parse_base_proof_value(value: Any) -> BaseProofValue:
    """Parse a base proof value (header ``0xd9 0x5d 0x00``).

    See: https://www.w3.org/TR/vc-di-ecdsa/#parsebaseproofvalue
    """
    base_signature, public_key, hmac_key, signatures, pointers = _components(value, BASE_HEADER)
    if not isinstance(pointers, list) or not all(isinstance(p, str) for p in pointers):
        raise _malformed("mandatory pointers must be an array of strings")
    return BaseProofValue(
        _byte_string(base_signature, _SIGNATURE_SIZE, "the base signature"),
        _public_key(public_key),
        _byte_string(hmac_key, _HMAC_KEY_SIZE, "the HMAC key"),
        _signatures(signatures),
        pointers,
    )


def parse_derived_proof_value(value: Any) -> DerivedProofValue:
    """Parse a derived proof value (header ``0xd9 0x5d 0x01``) and decompress its label map.

    See: https://www.w3.org/TR/vc-di-ecdsa/#parsederivedproofvalue
    """
    base_signature, public_key, signatures, labels, indexes = _components(value, DERIVED_HEADER)
    if not isinstance(indexes, list) or not all(isinstance(i, int) for i in indexes):
        raise _malformed("mandatory indexes must be an array of integers")
    if len(indexes) > MAX_STATEMENTS or len(set(indexes)) != len(indexes):
        raise _malformed(f"mandatory indexes must be distinct and at most {MAX_STATEMENTS}")
    return DerivedProofValue(
        _byte_string(base_signature, _SIGNATURE_SIZE, "the base signature"),
        _public_key(public_key),
        _signatures(signatures),
        decompress_label_map(labels),
        indexes,
    )


def decompress_label_map(compressed: Any) -> dict[str, str]:
    """``{0: bytes}`` to ``{"c14n0": "u" + base64url(bytes)}``.

    See: https://www.w3.org/TR/vc-di-ecdsa/#decompresslabelmap
    """
    if not isinstance(compressed, dict) or len(compressed) > MAX_STATEMENTS:
        raise _malformed(f"the label map must be a map of at most {MAX_STATEMENTS} entries")
    result: dict[str, str] = {}
    for key, label in compressed.items():
        if not isinstance(key, int):
            raise _malformed("label map keys must be integers")
        result[f"c14n{key}"] = mb.encode_base64url(_byte_string(label, _LABEL_SIZE, "a label"))
    return result


def verify_sd_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    key: SigningKey,
    *,
    loader: StaticLoader | None,
    safe: bool = True,
) -> SdVerdict:
    """Verify a base or derived ``ecdsa-sd-2023`` proof of ``document`` with the issuer ``key``.

    Raises ProofError (malformed proof value, wrong key type), SafeModeError,
    CanonicalizationError or DocumentLoadFailedError, like the other suites.

    See: https://www.w3.org/TR/vc-di-ecdsa/#verify-derived-proof-ecdsa-sd-2023
    """
    SUITES[SD_SUITE].check_key(key)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    value = proof.get("proofValue")
    if isinstance(value, str) and value.startswith(_BASE_PREFIX):
        return _verify_base(unsecured, proof, key, loader, safe)
    derived = parse_derived_proof_value(value)
    quads = canon.to_quads(unsecured, loader=loader, safe=safe)
    lines, _ = canonical_with_labels(quads, lambda ids: _from_label_map(ids, derived.label_map))
    if any(index >= len(lines) for index in derived.mandatory_indexes):
        raise _mismatch(f"it names mandatory statements past the {len(lines)} there are")
    chosen = set(derived.mandatory_indexes)
    mandatory = [line for index, line in enumerate(lines) if index in chosen]
    non_mandatory = [line for index, line in enumerate(lines) if index not in chosen]
    return _check(key, _proof_hash(proof, unsecured, loader), derived, mandatory, non_mandatory)


def _from_label_map(canonical: dict[str, str], label_map: dict[str, str]) -> dict[str, str]:
    """createLabelMapFunction: each canonical label through the proof's label map.

    See: https://www.w3.org/TR/vc-di-ecdsa/#createlabelmapfunction
    """
    result = {}
    for input_label, canonical_label in canonical.items():
        new = label_map.get(canonical_label)
        if new is None:
            raise _mismatch(f"its label map has no entry for blank node {canonical_label}")
        result[input_label] = new
    return result


def _hmac_labels(hmac_key: bytes) -> Any:
    """createHmacIdLabelMapFunction: ``"u" + base64url(HMAC-SHA-256(canonical label))``.

    See: https://www.w3.org/TR/vc-di-ecdsa/#createhmacidlabelmapfunction
    """

    def factory(canonical: dict[str, str]) -> dict[str, str]:
        return {
            input_label: mb.encode_base64url(
                hmac.new(hmac_key, label.encode("utf-8"), hashlib.sha256).digest()
            )
            for input_label, label in canonical.items()
        }

    return factory


def _verify_base(
    unsecured: dict[str, Any],
    proof: Mapping[str, Any],
    key: SigningKey,
    loader: StaticLoader | None,
    safe: bool,
) -> SdVerdict:
    """A base proof: regroup the HMAC-relabelled statements by the mandatory pointers.

    See: https://www.w3.org/TR/vc-di-ecdsa/#base-proof-transformation-ecdsa-sd-2023
    """
    base = parse_base_proof_value(proof.get("proofValue"))
    skolemized, quads = skolemize_compact(unsecured, loader, safe=safe)
    lines, label_map = canonical_with_labels(quads, _hmac_labels(base.hmac_key))
    selected = select_canonical_quads(base.mandatory_pointers, skolemized, label_map, loader)
    mandatory = [line for line in lines if line in selected]
    non_mandatory = [line for line in lines if line not in selected]
    return _check(key, _proof_hash(proof, unsecured, loader), base, mandatory, non_mandatory)


def _proof_hash(proof: Mapping[str, Any], unsecured: Mapping[str, Any], loader: Any) -> bytes:
    """SHA-256 of the canonical proof configuration (as for ecdsa-rdfc-2019).

    See: https://www.w3.org/TR/vc-di-ecdsa/#base-proof-configuration-ecdsa-sd-2023
    """
    config = SUITES[SD_SUITE].configure(proof, unsecured["@context"], loader)
    return hashlib.sha256(config.encode("utf-8")).digest()


def _check(
    key: SigningKey,
    proof_hash: bytes,
    value: BaseProofValue | DerivedProofValue,
    mandatory: list[str],
    non_mandatory: list[str],
) -> SdVerdict:
    """Statement count, base signature over serializeSignData, then each statement.

    See: https://www.w3.org/TR/vc-di-ecdsa/#verify-derived-proof-ecdsa-sd-2023
    """
    if len(value.signatures) != len(non_mandatory):
        return SdVerdict(
            "failed",
            "proof_signature_invalid",
            f"the proof has {len(value.signatures)} statement signatures for "
            f"{len(non_mandatory)} non-mandatory statements",
        )
    ephemeral = _ephemeral_key(value.public_key)
    mandatory_hash = hashlib.sha256("".join(mandatory).encode("utf-8")).digest()
    if not key.verify(value.base_signature, proof_hash + value.public_key + mandatory_hash):
        return SdVerdict("failed", "proof_signature_invalid", "the base signature does not match")
    for index, (signature, statement) in enumerate(
        zip(value.signatures, non_mandatory, strict=True)
    ):
        if not ephemeral.verify(signature, statement.encode("utf-8")):
            return SdVerdict(
                "failed",
                "proof_signature_invalid",
                f"the signature of disclosed statement {index + 1} does not match",
            )
    kind = "base" if isinstance(value, BaseProofValue) else "derived"
    return SdVerdict(
        "passed",
        "proof_verified",
        f"{SD_SUITE} {kind} proof verified ({len(mandatory)} mandatory and "
        f"{len(non_mandatory)} selectively disclosed statements)",
    )
