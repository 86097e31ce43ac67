"""verify_credential() on every input form: baked PNG/SVG, VC-JWT, hostile input, status types."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from badgeservice.vc import Report, generate_key, sign_credential, verify_credential
from badgeservice.vc.baking import bake_png, bake_svg
from badgeservice.vc.dids import build_did_document, did_key_from_key
from badgeservice.vc.jwt import sign_jwt
from badgeservice.vc.statuslist import StatusList
from tests.unit.vc.documents import ob_credential

NOW = datetime(2025, 6, 1, tzinfo=UTC)
KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
VM = f"{DID}#{KEY.public_multibase()}"
WEB_DID = "did:web:badges.example.org:issuers:alpha"
WEB_URL = "https://badges.example.org/issuers/alpha/did.json"
WEB_VM = f"{WEB_DID}#key-1"
OB_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect/></svg>'
DEEP = 10_000


def chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    value = zlib.crc32(kind + data) if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", value)


def png(*extra: bytes) -> bytes:
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(b"\0\0"))
    return b"\x89PNG\r\n\x1a\n" + header + body + b"".join(extra) + chunk(b"IEND", b"")


def itxt(text: bytes, crc: int | None = None) -> bytes:
    return chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0" + text, crc)


def credential(issuer: str = DID, **extra: Any) -> dict[str, Any]:
    return ob_credential(
        issuer, credential_id="urn:uuid:6c0a3d2e-0d4b-4e43-9a43-8f0b5f3c2a71", **extra
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(header: dict[str, Any], payload: Any, signature: bytes = b"sig") -> str:
    return ".".join(b64(p) for p in (json.dumps(header).encode(), payload, signature))


def deep_json() -> bytes:
    return b'{"a":' * DEEP + b"1" + b"}" * DEEP


def outcomes(report: Report) -> dict[str, tuple[str, str]]:
    return {check.id: (check.outcome, check.code) for check in report.checks}


SIGNED = sign_credential(credential(), KEY, VM)


@pytest.mark.parametrize(
    ("bake", "image", "fmt"), [(bake_png, png(), "png"), (bake_svg, SVG, "svg")]
)
def test_baked_image_of_a_signed_credential_verifies(
    bake: Callable[[bytes, Any], bytes], image: bytes, fmt: str
) -> None:
    report = verify_credential(bake(image, SIGNED), now=NOW)
    assert (report.verified, report.format) == (True, fmt), report.to_dict()
    assert report.credential == SIGNED


@pytest.mark.parametrize(("bake", "image"), [(bake_png, png()), (bake_svg, SVG)])
def test_baked_image_with_a_tampered_credential_fails_proof(
    bake: Callable[[bytes, Any], bytes], image: bytes
) -> None:
    changed = json.loads(json.dumps(SIGNED))
    changed["credentialSubject"]["achievement"]["name"] = "Advanced"
    report = verify_credential(bake(image, changed), now=NOW)
    assert not report.verified
    assert outcomes(report)["proof"] == ("failed", "proof_signature_invalid")


def test_baked_jwt_verifies_as_a_jwt_in_an_image() -> None:
    report = verify_credential(bake_png(png(), sign_jwt(credential(), KEY, VM, now=NOW)), now=NOW)
    assert (report.verified, report.format) == (True, "png"), report.to_dict()


def test_jwt_with_a_did_key_kid_verifies_offline() -> None:
    report = verify_credential(sign_jwt(credential(), KEY, VM, now=NOW), now=NOW)
    assert (report.verified, report.format) == (True, "jwt"), report.to_dict()
    assert outcomes(report)["proof"] == ("passed", "proof_verified")


def test_jwt_with_a_did_web_kid_verifies_with_the_served_did_document() -> None:
    documents = {WEB_URL: build_did_document(WEB_DID, [(WEB_VM, KEY)])}
    signed = sign_jwt(credential(issuer=WEB_DID), KEY, WEB_VM, now=NOW)
    report = verify_credential(signed, fetch_json=documents.__getitem__, now=NOW)
    assert report.verified, report.to_dict()
    assert outcomes(report)["issuer_key"] == ("passed", "issuer_key_bound")


def _claims() -> bytes:
    return base64.urlsafe_b64decode(_pad(sign_jwt(credential(), KEY, VM, now=NOW).split(".")[1]))


def _pad(text: str) -> str:
    return text + "=" * (-len(text) % 4)


def _hmac_token() -> str:
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": VM}).encode())
    body = b64(_claims())
    secret = KEY.public_multibase().encode()  # the classic key-confusion attack
    mac = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(mac)}"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: token({"alg": "none", "kid": VM}, _claims(), b""), "jwt_algorithm_refused"),
        (_hmac_token, "jwt_algorithm_refused"),
        (lambda: sign_jwt(credential(), KEY, f"{DID}#key-9", now=NOW), "jwt_key_unresolved"),
        (lambda: sign_jwt(credential(), KEY, f"{WEB_DID}#key-9", now=NOW), "jwt_key_unresolved"),
        (
            lambda: sign_jwt(credential(validUntil="2025-02-01T00:00:00Z"), KEY, VM, now=NOW),
            "jwt_expired",
        ),
    ],
    ids=["alg-none", "hmac", "unknown-did-key-fragment", "unknown-did-web-kid", "expired"],
)
def test_bad_jwts_fail_the_proof_check(make: Callable[[], str], code: str) -> None:
    documents = {WEB_URL: build_did_document(WEB_DID, [(WEB_VM, KEY)])}
    report = verify_credential(make(), fetch_json=documents.__getitem__, now=NOW)
    assert not report.verified
    assert outcomes(report)["proof"] == ("failed", code)


def _deep_dict() -> dict[str, Any]:
    node: dict[str, Any] = {}
    root = node
    for _ in range(DEEP):
        node["a"] = {}
        node = node["a"]
    return root


HOSTILE: dict[str, Callable[[], Any]] = {
    "deep-dict-in-signed-credential": lambda: {**SIGNED, "evidence": _deep_dict()},
    "deep-json-jwt-payload": lambda: token({"alg": "EdDSA", "kid": VM}, deep_json()),
    "deep-json-jwt-header": lambda: ".".join([b64(deep_json()), b64(b"{}"), "c2ln"]),
    "deep-json-baked-png": lambda: png(itxt(deep_json())),
    "deep-json-baked-svg": lambda: bake_svg(SVG, {"x": 1}).replace(b'{"x":1}', deep_json()),
    "5mb-string-as-jwt": lambda: "x" * 5_000_000,
    "5mb-string-in-credential": lambda: {**SIGNED, "name": "x" * 5_000_000},
    "5mb-string-in-jwt": lambda: sign_jwt(credential(name="x" * 5_000_000), KEY, VM, now=NOW),
    "non-object-json": lambda: [SIGNED],
    "non-object-jwt-payload": lambda: token({"alg": "EdDSA", "kid": VM}, b"[1, 2]"),
    "non-object-baked": lambda: png(itxt(b"[1, 2]")),
    "random-bytes": lambda: os.urandom(4096),
    "empty-png": lambda: b"\x89PNG\r\n\x1a\n",
    "png-bad-crc": lambda: png(itxt(json.dumps(SIGNED).encode(), crc=1)),
    "none": lambda: None,
}


@pytest.mark.parametrize("make", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_gives_a_report_never_an_exception(make: Callable[[], Any]) -> None:
    report = verify_credential(make(), now=NOW)
    assert report.verified is False
    assert report.checks[0].id == "structure"
    assert {check.outcome for check in report.checks} <= {"passed", "failed", "error", "skipped"}
    json.dumps(report.to_dict())  # the report itself is always serialisable


LIST_URL = "https://status.example.org/lists/2021/1"


def status_list_2021(issuer: str = DID, *set_bits: int) -> dict[str, Any]:
    bits = StatusList(16_384)
    for index in set_bits:
        bits.set(index)
    unsigned = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/vc/status-list/2021/v1",
            "https://w3id.org/security/data-integrity/v2",
        ],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": issuer,
        "issuanceDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": bits.encode().removeprefix("u"),  # 2021 lists have no multibase prefix
        },
    }
    return sign_credential(unsigned, KEY, VM)


def with_2021_status(index: str | int) -> dict[str, Any]:
    entry = {
        "id": f"{LIST_URL}#{index}",
        "type": "StatusList2021Entry",
        "statusPurpose": "revocation",
        "statusListIndex": index,
        "statusListCredential": LIST_URL,
    }
    unsigned = credential(credentialStatus=entry)
    unsigned["@context"].append("https://w3id.org/vc/status-list/2021/v1")
    return sign_credential(unsigned, KEY, VM)


@pytest.mark.parametrize(
    ("index", "verified", "status"),
    [
        ("42", False, ("failed", "status_revoked")),
        ("41", True, ("passed", "status_valid")),
        (42, False, ("failed", "status_revoked")),
    ],
)
def test_status_list_2021_entry_is_checked_against_the_list_bit(
    index: str | int, verified: bool, status: tuple[str, str]
) -> None:
    listing = status_list_2021(DID, 42)
    report = verify_credential(
        with_2021_status(index), fetch_status_list={LIST_URL: listing}.get, now=NOW
    )
    assert report.verified is verified, report.to_dict()
    assert outcomes(report)["status"] == status


def test_status_list_2021_from_another_issuer_is_an_error() -> None:
    listing = status_list_2021(DID)
    listing["issuer"] = "did:example:someone-else"  # also breaks its proof: either way, error
    report = verify_credential(
        with_2021_status("1"), fetch_status_list={LIST_URL: listing}.get, now=NOW
    )
    assert not report.verified
    assert outcomes(report)["status"][0] == "error"


def test_1edtech_revocation_list_without_a_fetcher_is_reported_as_could_not_check() -> None:
    unsigned = credential(
        credentialStatus={"id": "https://status.example.org/rl/1", "type": "1EdTechRevocationList"}
    )
    unsigned["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    report = verify_credential(sign_credential(unsigned, KEY, VM), now=NOW)
    assert not report.verified
    assert outcomes(report)["status"] == ("error", "status_list_unreachable")
    assert outcomes(report)["proof"] == ("passed", "proof_verified")
