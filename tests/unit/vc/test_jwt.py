"""VC-JWT: OB 3.0 claims, algorithm allowlist, key resolution, time checks, refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from joserfc import jwt as jose_jwt
from joserfc.jwk import OctKey

from badgeservice.vc.errors import JwtError, KeyFormatError
from badgeservice.vc.jwt import KEY_ALGORITHM_FOR, sign_jwt, verify_jwt
from badgeservice.vc.keys import ALGORITHMS, JWS_ALGORITHMS, KeyPair, generate_key
from badgeservice.vc.multibase import b64url_encode

KEYS = {name: generate_key(name) for name in ("Ed25519", "P-256", "P-384", "RSA")}
KID = "did:web:example.com:issuers:a#key-1"
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def credential(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:5f1b",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:web:example.com:issuers:a", "type": ["Profile"], "name": "A"},
        "validFrom": "2024-01-01T00:00:00Z",
        "validUntil": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:key:z6Mkabc", "type": ["AchievementSubject"]},
    }
    document.update(changes)
    return {k: v for k, v in document.items() if v is not None}


def resolver(key: KeyPair):
    def resolve(kid: str, header: dict[str, Any]) -> KeyPair:
        assert kid == KID
        assert header["kid"] == KID
        return key.public_only()

    return resolve


def raw_token(header: dict[str, Any], payload: Any, signature: bytes = b"sig") -> str:
    parts = [json.dumps(header).encode(), json.dumps(payload).encode(), signature]
    return ".".join(b64url_encode(p) for p in parts)


@pytest.mark.parametrize(
    ("name", "alg"),
    [("Ed25519", "EdDSA"), ("P-256", "ES256"), ("P-384", "ES384"), ("RSA", "RS256")],
)
def test_sign_then_verify_round_trips_with_ob3_claims(name: str, alg: str) -> None:
    key = KEYS[name]
    token = sign_jwt(credential(), key, KID, now=NOW)
    result = verify_jwt(token, resolver(key), now=NOW)
    assert result.header == {"alg": alg, "typ": "JWT", "kid": KID}
    assert result.credential == credential()
    assert result.warnings == ()
    expected = {
        "iss": "did:web:example.com:issuers:a",
        "jti": "urn:uuid:5f1b",
        "sub": "did:key:z6Mkabc",
        "nbf": 1704067200,
        "exp": 1735689600,
        "iat": int(NOW.timestamp()),
    }
    assert {k: result.claims[k] for k in expected} == expected


def test_verify_accepts_an_embedded_public_jwk() -> None:
    key = KEYS["P-256"]
    header = {"alg": "ES256", "typ": "JWT", "jwk": key.public_jwk()}
    token = jose_jwt.encode(header, {**credential(), "nbf": 1704067200}, _jose(key))
    assert verify_jwt(token, resolver(key), now=NOW).credential["id"] == "urn:uuid:5f1b"


def _jose(key: KeyPair):
    from joserfc.jwk import ECKey

    return ECKey.import_key(key.private_jwk())


def test_verify_unwraps_a_legacy_vc_claim() -> None:
    key = KEYS["P-256"]
    legacy = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:x",
        "issuer": "did:x",
        "issuanceDate": "2024-01-01T00:00:00Z",
    }
    claims = {"vc": legacy, "iss": "did:x", "jti": "urn:x", "nbf": 1704067200}
    token = jose_jwt.encode({"alg": "ES256", "kid": KID}, claims, _jose(key))
    assert verify_jwt(token, resolver(key), now=NOW).credential == legacy


def test_verify_warns_about_missing_claims() -> None:
    key = KEYS["P-256"]
    token = jose_jwt.encode({"alg": "ES256", "typ": "JWT", "kid": KID}, credential(), _jose(key))
    result = verify_jwt(token, resolver(key), now=NOW)
    assert set(result.warnings) == {
        f"jwt_claim_missing:{c}" for c in ("iss", "jti", "sub", "nbf", "exp")
    }


@pytest.mark.parametrize(
    ("now", "code"),
    [
        (datetime(2025, 1, 1, 0, 2, tzinfo=UTC), "jwt_expired"),
        (datetime(2023, 12, 31, 23, 58, tzinfo=UTC), "jwt_not_yet_valid"),
    ],
)
def test_verify_checks_time_claims(now: datetime, code: str) -> None:
    token = sign_jwt(credential(), KEYS["Ed25519"], KID, now=NOW)
    with pytest.raises(JwtError) as info:
        verify_jwt(token, resolver(KEYS["Ed25519"]), now=now)
    assert info.value.code == code


@pytest.mark.parametrize(
    "now",
    [datetime(2025, 1, 1, 0, 0, 59, tzinfo=UTC), datetime(2023, 12, 31, 23, 59, 1, tzinfo=UTC)],
)
def test_verify_allows_the_clock_skew(now: datetime) -> None:
    token = sign_jwt(credential(), KEYS["Ed25519"], KID, now=NOW)
    assert verify_jwt(token, resolver(KEYS["Ed25519"]), now=now, skew=timedelta(seconds=60)).claims


@pytest.mark.parametrize(
    "alg", ["none", "HS256", "HS384", "HS512", "PS256", "ES512", "RS512", None]
)
def test_verify_refuses_algorithms_outside_the_allowlist(alg: str | None) -> None:
    token = raw_token({"alg": alg, "kid": KID}, credential(), b"")
    with pytest.raises(JwtError) as info:
        verify_jwt(token, resolver(KEYS["RSA"]), now=NOW)
    assert info.value.code == "jwt_algorithm_refused"


def test_verify_refuses_an_hmac_token_signed_with_a_public_key_as_secret() -> None:
    key = KEYS["RSA"]
    secret = OctKey.import_key(json.dumps(key.public_jwk()).encode())
    token = jose_jwt.encode({"alg": "HS256", "kid": KID}, credential(), secret)
    with pytest.raises(JwtError) as info:
        verify_jwt(token, resolver(key), now=NOW)
    assert info.value.code == "jwt_algorithm_refused"


def test_verify_can_narrow_the_allowlist() -> None:
    token = sign_jwt(credential(), KEYS["Ed25519"], KID, now=NOW)
    with pytest.raises(JwtError) as info:
        verify_jwt(
            token,
            resolver(KEYS["Ed25519"]),
            now=NOW,
            allowed_algorithms=frozenset({"RS256", "ES256"}),
        )
    assert info.value.code == "jwt_algorithm_refused"


def _tamper_payload(token: str) -> str:
    header, _, signature = token.split(".")
    payload = b64url_encode(json.dumps({**credential(), "name": "forged"}).encode())
    return f"{header}.{payload}.{signature}"


def _unresolvable(kid: str, header: dict[str, Any]) -> KeyPair:
    raise KeyFormatError("no such key")


@pytest.mark.parametrize(
    ("token", "resolve", "code"),
    [
        (
            _tamper_payload(sign_jwt(credential(), KEYS["Ed25519"], KID, now=NOW)),
            resolver(KEYS["Ed25519"]),
            "jwt_signature_invalid",
        ),
        (
            sign_jwt(credential(), KEYS["Ed25519"], KID, now=NOW),
            resolver(generate_key("Ed25519")),
            "jwt_signature_invalid",
        ),
        (
            sign_jwt(credential(), KEYS["Ed25519"], KID, now=NOW),
            resolver(KEYS["P-256"]),
            "jwt_key_algorithm_mismatch",
        ),
        (
            sign_jwt(credential(), KEYS["Ed25519"], KID, now=NOW),
            _unresolvable,
            "jwt_key_unresolved",
        ),
        (raw_token({"alg": "ES256"}, credential()), resolver(KEYS["P-256"]), "jwt_key_unresolved"),
        (
            raw_token({"alg": "ES256", "jwk": KEYS["P-256"].private_jwk()}, credential()),
            resolver(KEYS["P-256"]),
            "jwt_private_key_refused",
        ),
        (
            raw_token({"alg": "ES256", "kid": KID, "typ": "JOSE+JSON"}, credential()),
            resolver(KEYS["P-256"]),
            "jwt_header_invalid",
        ),
        (
            raw_token({"alg": "ES256", "kid": KID, "crit": ["b64"]}, credential()),
            resolver(KEYS["P-256"]),
            "jwt_header_invalid",
        ),
        (
            raw_token({"alg": "ES256", "kid": KID}, credential()),
            resolver(KEYS["P-256"]),
            "jwt_signature_invalid",
        ),
        ("a.b", resolver(KEYS["P-256"]), "jwt_malformed"),
        ("!!!.e30.", resolver(KEYS["P-256"]), "jwt_malformed"),
        (b64url_encode(b"[1]") + ".e30.x", resolver(KEYS["P-256"]), "jwt_malformed"),
        ("x" * (1024 * 1024 + 1), resolver(KEYS["P-256"]), "jwt_malformed"),
        (12, resolver(KEYS["P-256"]), "jwt_malformed"),
    ],
)
def test_verify_refuses_bad_tokens(token: Any, resolve: Any, code: str) -> None:
    with pytest.raises(JwtError) as info:
        verify_jwt(token, resolve, now=NOW)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"iss": "did:web:evil"}, "jwt_claim_mismatch"),
        ({"jti": "urn:other"}, "jwt_claim_mismatch"),
        ({"sub": "did:key:other"}, "jwt_claim_mismatch"),
        ({"nbf": 1704067201}, "jwt_claim_mismatch"),
        ({"exp": "tomorrow"}, "jwt_malformed"),
        ({"vc": "not an object"}, "jwt_malformed"),
    ],
)
def test_verify_refuses_claims_that_contradict_the_credential(
    claims: dict[str, Any], code: str
) -> None:
    key = KEYS["P-256"]
    payload = {**credential(validUntil=None), "iss": "did:web:example.com:issuers:a", **claims}
    token = jose_jwt.encode({"alg": "ES256", "kid": KID}, payload, _jose(key))
    with pytest.raises(JwtError) as info:
        verify_jwt(token, resolver(key), now=NOW)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("document", "key", "code"),
    [
        (credential(issuer=None), KEYS["Ed25519"], "jwt_claim_missing"),
        (credential(validFrom=None), KEYS["Ed25519"], "jwt_claim_missing"),
        (credential(validFrom="2024-01-01T00:00:00.500Z"), KEYS["Ed25519"], "jwt_claim_invalid"),
        (credential(validUntil="soon"), KEYS["Ed25519"], "jwt_claim_invalid"),
        (credential(), KEYS["Ed25519"].public_only(), "jwt_key_unresolved"),
        (credential(), generate_key("P-521"), "jwt_algorithm_refused"),
    ],
)
def test_sign_refuses_what_ob3_cannot_express(
    document: dict[str, Any], key: KeyPair, code: str
) -> None:
    with pytest.raises(JwtError) as info:
        sign_jwt(document, key, KID, now=NOW)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (credential(validFrom="2024-01-01 00:00:00Z"), "jwt_claim_missing"),
        (credential(validFrom="2024-W01-1T00:00:00Z"), "jwt_claim_missing"),
        (credential(validUntil="2025-01-01 00:00:00+00:00"), "jwt_claim_invalid"),
    ],
)
def test_sign_reads_credential_dates_as_xsd_date_time_stamps(
    document: dict[str, Any], code: str
) -> None:
    # VC Data Model 2.0 dates are dateTimeStamp; the JWT code once read them with Python's lax
    # fromisoformat and signed an nbf/exp for text the Data Integrity side rejects.
    with pytest.raises(JwtError) as info:
        sign_jwt(document, KEYS["Ed25519"], KID, now=NOW)
    assert info.value.code == code


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_every_key_algorithm_maps_back_from_its_jws_algorithm(algorithm: str) -> None:
    # One table: the JWT side once had no entry for P-521's ES512.
    assert KEY_ALGORITHM_FOR[JWS_ALGORITHMS[algorithm]] == algorithm
