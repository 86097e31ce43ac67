"""ecdsa-sd-2023 without node: the W3C vectors' intermediate values, hostile CBOR, and derived
proofs assembled here from our own keys (the JS-signed cases are in tests/interop)."""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badgeservice.vc import _cbor, canon, generate_key
from badgeservice.vc._ecdsa_sd import (
    MAX_PROOF_VALUE_CHARS,
    MAX_STATEMENTS,
    _check,
    _from_label_map,
    _hmac_labels,
    parse_base_proof_value,
    parse_derived_proof_value,
)
from badgeservice.vc._jsonld_rdfc import parse_nquads
from badgeservice.vc._sd_select import canonical_with_labels, pointer_to_paths, select_json_ld
from badgeservice.vc.dids import DidResolver, did_key_from_key
from badgeservice.vc.errors import ProofError
from badgeservice.vc.keys import key_from_multibase
from badgeservice.vc.multibase import decode_base58btc
from badgeservice.vc.proofs import verify_proofs
from tests.unit.vc.documents import ob_credential
from tests.unit.vc.sd_values import BASE_HEADER, DERIVED_HEADER, encode, head, proof_value

VECTORS = Path(__file__).parent / "vectors" / "ecdsa_sd_2023"
KEY = generate_key("P-256")
DID = did_key_from_key(KEY)
VM = f"{DID}#{DID.removeprefix('did:key:')}"


def vector(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def multikey_bytes(key: Any) -> bytes:
    """The multicodec-prefixed public key, as ecdsa-sd-2023 proof values carry it."""
    return decode_base58btc(key.public_multibase())


def unlabelled(lines: list[str]) -> list[tuple[str, str, str, str]]:
    """The vector's statements with their blank node labels replaced by fresh ``_:bN``."""
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"_:b{len(names)}")

    return parse_nquads(re.sub(r"_:[A-Za-z0-9_-]+", rename, "".join(lines)))


# --- the W3C vectors -------------------------------------------------------------------


def test_base_proof_value_parses_to_the_spec_vector_components() -> None:
    proof = vector("addSignedSDBase.json")["proof"]
    raw = vector("addRawBaseSignatureInfo.json")
    parsed = parse_base_proof_value(proof["proofValue"])
    assert parsed.base_signature.hex() == raw["baseSignature"]
    assert parsed.public_key == multikey_bytes(key_from_multibase(raw["publicKey"]))
    assert [s.hex() for s in parsed.signatures] == raw["signatures"]
    assert parsed.mandatory_pointers == raw["mandatoryPointers"]
    hmac_key = vector("SDKeyMaterial.json")["hmacKeyString"]
    assert parsed.hmac_key.hex().upper() == hmac_key


def test_hmac_relabelling_gives_the_spec_vector_statements() -> None:
    hmac_key = bytes.fromhex(vector("SDKeyMaterial.json")["hmacKeyString"])
    quads = unlabelled(vector("addBaseDocCanon.json"))
    lines, _ = canonical_with_labels(quads, _hmac_labels(hmac_key))
    assert lines == vector("addBaseDocHMACCanon.json")


def test_derived_proof_value_parses_to_the_spec_vector_components() -> None:
    proof = vector("derivedRevealDocument.json")["proof"]
    expected = vector("verifyDerivedProofValue.json")
    parsed = parse_derived_proof_value(proof["proofValue"])
    assert parsed.base_signature.hex() == expected["baseSignature"]
    assert [s.hex() for s in parsed.signatures] == expected["signatures"]
    assert parsed.label_map == dict(expected["labelMap"])
    assert parsed.mandatory_indexes == expected["mandatoryIndexes"]


def test_derived_statements_hashes_and_signatures_match_the_spec_vector() -> None:
    proof = vector("derivedRevealDocument.json")["proof"]
    expected = vector("verifyCreateVerifyData.json")
    parsed = parse_derived_proof_value(proof["proofValue"])
    quads = unlabelled(vector("verifyNQuads.json"))
    lines, _ = canonical_with_labels(quads, lambda ids: _from_label_map(ids, parsed.label_map))
    assert lines == vector("verifyNQuads.json")
    mandatory = [line for i, line in enumerate(lines) if i in parsed.mandatory_indexes]
    non_mandatory = [line for i, line in enumerate(lines) if i not in parsed.mandatory_indexes]
    assert non_mandatory == expected["nonMandatory"]
    mandatory_hash = hashlib.sha256("".join(mandatory).encode()).hexdigest()
    assert mandatory_hash == expected["mandatoryHash"]
    issuer = key_from_multibase(vector("SDKeyMaterial.json")["baseKeyPair"]["publicKeyMultibase"])
    proof_hash = bytes.fromhex(expected["proofHash"])
    verdict = _check(issuer, proof_hash, parsed, mandatory, non_mandatory)
    assert (verdict.outcome, verdict.code) == ("passed", "proof_verified")
    tampered = [non_mandatory[0].replace("Person", "Robot"), *non_mandatory[1:]]
    assert _check(issuer, proof_hash, parsed, mandatory, tampered).outcome == "failed"
    assert _check(issuer, proof_hash, parsed, mandatory[1:], non_mandatory).outcome == "failed"


def test_proof_configuration_hash_matches_the_spec_vector() -> None:
    canonical = (VECTORS / "addProofConfigCanon.txt").read_text(encoding="utf-8")
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    assert digest == vector("addHashData.json")["proofHash"]


# --- JSON pointers and selection ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pointer", "paths"),
    [
        ("", []),
        ("/issuer", ["issuer"]),
        ("/credentialSubject/achievement/0/name", ["credentialSubject", "achievement", 0, "name"]),
        ("/a~1b/c~0d", ["a/b", "c~d"]),
    ],
)
def test_json_pointers_become_paths(pointer: str, paths: list[Any]) -> None:
    assert pointer_to_paths(pointer) == paths


@pytest.mark.parametrize("pointer", ["issuer", "/a~2", 7, "/" + "x" * 3000])
def test_bad_json_pointers_are_malformed(pointer: Any) -> None:
    with pytest.raises(ProofError) as caught:
        pointer_to_paths(pointer)
    assert caught.value.code == "proof_value_malformed"


def test_selection_keeps_ids_and_types_on_the_way_and_makes_arrays_dense() -> None:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:x",
        "type": ["VerifiableCredential"],
        "list": [{"id": "urn:a", "v": 1}, {"type": "T", "v": 2}, {"v": 3}],
        "other": "not selected",
    }
    selection = select_json_ld(["/list/1/v", "/list/2"], document)
    assert selection == {
        "id": "urn:x",
        "type": ["VerifiableCredential"],
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "list": [{"type": "T", "v": 2}, {"v": 3}],
    }


def test_a_pointer_that_misses_the_document_is_malformed() -> None:
    with pytest.raises(ProofError):
        select_json_ld(["/credentialSubject/nothing"], ob_credential(DID))


# --- proofs assembled here -----------------------------------------------------------------


def sd_document(proof_value_text: str, **document: Any) -> dict[str, Any]:
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "ecdsa-sd-2023",
        "created": "2026-01-01T00:00:00Z",
        "verificationMethod": VM,
        "proofPurpose": "assertionMethod",
        "proofValue": proof_value_text,
    }
    return {**ob_credential(DID, **document), "proof": proof}


def derived_value(document: dict[str, Any], mandatory: int, tamper: str = "") -> str:
    """A derived proof over ``document`` made here: the first ``mandatory`` statements are
    mandatory, the others signed by a fresh ephemeral key."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    lines = canon.canonicalize(unsecured).splitlines(keepends=True)
    labels = {n: bytes([n]) * 32 for n in range(10)}
    label_text = {f"_:c14n{n}": "_:u" + proof_value(v)[1:] for n, v in labels.items()}
    relabelled = sorted(re.sub(r"_:c14n\d+", lambda m: label_text[m.group(0)], x) for x in lines)
    mandatory = min(mandatory, len(relabelled))
    ephemeral = generate_key("P-256")
    public = multikey_bytes(ephemeral)
    config = canon.canonicalize({**document["proof"], "@context": document["@context"]})
    proof_hash = hashlib.sha256(config.encode()).digest()
    mandatory_hash = hashlib.sha256("".join(relabelled[:mandatory]).encode()).digest()
    signatures = [ephemeral.sign(line.encode()) for line in relabelled[mandatory:]]
    base_signature = KEY.sign(proof_hash + public + mandatory_hash)
    if tamper == "drop":
        signatures = signatures[1:]
    if tamper == "flip":
        base_signature = bytes([base_signature[0] ^ 1]) + base_signature[1:]
    components = [base_signature, public, signatures, labels, list(range(mandatory))]
    return proof_value(DERIVED_HEADER + encode(components))


def without_value(document: dict[str, Any]) -> dict[str, Any]:
    proof = {k: v for k, v in document["proof"].items() if k != "proofValue"}
    return {**document, "proof": proof}


@pytest.mark.parametrize("mandatory", [0, 3, 100])
def test_derived_proof_made_with_our_keys_verifies(mandatory: int) -> None:
    document = sd_document("")
    document["proof"]["proofValue"] = derived_value(without_value(document), mandatory)
    [result] = verify_proofs(document, DidResolver())
    assert (result.outcome, result.code) == ("passed", "proof_verified"), result.message


@pytest.mark.parametrize(
    ("tamper", "edit"),
    [("", "name"), ("drop", ""), ("flip", ""), ("", "drop_mandatory")],
)
def test_derived_proof_made_with_our_keys_fails_when_tampered(tamper: str, edit: str) -> None:
    document = sd_document("")
    document["proof"]["proofValue"] = derived_value(without_value(document), 3, tamper)
    if edit == "name":
        document["name"] = "Edited"
    if edit == "drop_mandatory":
        del document["validFrom"]
    [result] = verify_proofs(document, DidResolver())
    assert result.outcome == "failed"
    assert result.code in {"proof_signature_invalid", "proof_value_malformed"}


def array(*items: bytes) -> bytes:
    return head(4, len(items)) + b"".join(items)


SIG, PUB = encode(b"\x01" * 64), encode(b"\x80\x24" + b"\x02" * 33)

HOSTILE = {
    "base58 instead of base64url": "z" + "3" * 40,
    "not base64url": "u!!!!",
    "unknown header": proof_value(b"\xd9\x5d\x02" + encode([])),
    "header only": proof_value(DERIVED_HEADER),
    "four components": proof_value(DERIVED_HEADER + encode([b"", b"", [], {}])),
    "array claims 2**32 items": proof_value(DERIVED_HEADER + b"\x9a\xff\xff\xff\xff"),
    "bytes claim 2**63 bytes": proof_value(DERIVED_HEADER + b"\x85\x5b" + b"\x7f" + b"\xff" * 7),
    "nested 10000 deep": proof_value(DERIVED_HEADER + b"\x81" * 10_000 + b"\x80"),
    "indefinite array": proof_value(DERIVED_HEADER + b"\x9f\xff"),
    "tagged date": proof_value(DERIVED_HEADER + b"\xc1\x1a\x00\x00\x00\x00"),
    "float": proof_value(DERIVED_HEADER + b"\xfb" + b"\x00" * 8),
    "negative integer": proof_value(
        DERIVED_HEADER + array(SIG, PUB, encode([]), encode({}), b"\x20")
    ),
    "trailing bytes": proof_value(
        DERIVED_HEADER + encode([b"\x01" * 64, b"", [], {}, []]) + b"\x00"
    ),
    "short signature": proof_value(
        DERIVED_HEADER + array(encode(b"\x01"), PUB, *map(encode, ([], {}, [])))
    ),
    "duplicate label key": proof_value(
        DERIVED_HEADER
        + array(SIG, PUB, encode([]), b"\xa2" + (encode(0) + encode(b"\x00" * 32)) * 2, encode([]))
    ),
    "text label key": proof_value(
        DERIVED_HEADER + array(SIG, PUB, encode([]), encode({"c14n0": b"\x00" * 32}), encode([]))
    ),
    "repeated mandatory index": proof_value(
        DERIVED_HEADER + array(SIG, PUB, encode([]), encode({}), encode([1, 1]))
    ),
    "public key not a P-256 point": proof_value(
        DERIVED_HEADER
        + array(
            SIG,
            encode(b"\x80\x24" + b"\x05" * 33),
            encode([]),
            encode({0: b"\x00" * 32}),
            encode([]),
        )
    ),
    "too many signatures": proof_value(
        DERIVED_HEADER
        + array(
            SIG,
            PUB,
            head(4, MAX_STATEMENTS + 1) + SIG * (MAX_STATEMENTS + 1),
            encode({}),
            encode([]),
        )
    ),
    "too long": "u" + "A" * (MAX_PROOF_VALUE_CHARS + 3),
    "base with a number for pointers": proof_value(
        BASE_HEADER + array(SIG, PUB, encode(b"\x00" * 32), encode([]), encode(7))
    ),
    "base pointer misses the document": proof_value(
        BASE_HEADER + array(SIG, PUB, encode(b"\x00" * 32), encode([]), encode(["/nothing"]))
    ),
}


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_proof_values_fail_quickly_without_a_crash(value: str) -> None:
    started = time.perf_counter()
    [result] = verify_proofs(sd_document(value), DidResolver())
    assert (result.outcome, result.code) == ("failed", "proof_value_malformed"), result.message
    assert time.perf_counter() - started < 5


LABELS = encode({0: b"\x00" * 32})
WRONG = {
    "base with a wrong signature": proof_value(
        BASE_HEADER + array(SIG, PUB, encode(b"\x00" * 32), encode([]), encode(["/issuer"]))
    ),
    "derived with a wrong signature": proof_value(
        DERIVED_HEADER + array(SIG, PUB, encode([]), LABELS, encode([]))
    ),
    "label map misses a blank node": proof_value(
        DERIVED_HEADER + array(SIG, PUB, encode([]), encode({}), encode([]))
    ),
    "mandatory index past the end": proof_value(
        DERIVED_HEADER + array(SIG, PUB, encode([]), LABELS, encode([999]))
    ),
}


@pytest.mark.parametrize("value", list(WRONG.values()), ids=list(WRONG))
def test_well_formed_proof_values_that_do_not_fit_the_document_fail(value: str) -> None:
    [result] = verify_proofs(sd_document(value), DidResolver())
    assert (result.outcome, result.code) == ("failed", "proof_signature_invalid"), result.message


def test_an_ed25519_issuer_key_is_refused_for_ecdsa_sd() -> None:
    ed_key = generate_key("Ed25519")
    ed_did = did_key_from_key(ed_key)
    document = sd_document(WRONG["derived with a wrong signature"])
    document["proof"]["verificationMethod"] = f"{ed_did}#{ed_did.removeprefix('did:key:')}"
    [result] = verify_proofs(document, DidResolver())
    assert (result.outcome, result.code) == ("failed", "proof_key_type_mismatch")


def test_cbor_reader_reads_the_subset_it_allows() -> None:
    value = [b"\x00\x01", "text", 2**40, {0: b"", "k": []}]
    assert _cbor.decode(encode(value)) == value
    assert _cbor.decode(b"\xd8\x40" + encode(b"typed")) == b"typed"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from([BASE_HEADER, DERIVED_HEADER]))
def test_arbitrary_bytes_after_a_header_never_crash_the_parsers(data: bytes, header: bytes) -> None:
    parse = parse_base_proof_value if header == BASE_HEADER else parse_derived_proof_value
    with pytest.raises(ProofError) as caught:  # 200 random bytes never make a valid value
        parse(proof_value(header + data))
    assert caught.value.code == "proof_value_malformed"
