"""verify_credential() on the verification-method forms 1EdTech's validator accepts: a bare DID,
``<https issuer>#<publicKeyMultibase>`` (confirmed, unconfirmed, strict), and VC-JWT keys (an
embedded RSA ``jwk``, a ``kid`` URL returning a bare JWK, the VC 1.1 ``vc`` claim)."""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from joserfc import jwt as jose_jwt

from badgeservice.vc import KeyPair, Report, generate_key, sign_credential, verify_credential
from badgeservice.vc.dids import build_did_document, did_key_from_key
from badgeservice.vc.jwt import sign_jwt
from badgeservice.vc.multibase import b64url_encode
from tests.keys import jose_rsa_key, rsa_4096
from tests.unit.vc.documents import ob_credential

NOW = datetime(2025, 6, 1, tzinfo=UTC)
KEY = generate_key("Ed25519")
OTHER = generate_key("Ed25519")
DID = did_key_from_key(KEY)
WEB_DID = "did:web:badges.example.org:issuers:alpha"
WEB_URL = "https://badges.example.org/issuers/alpha/did.json"
ISSUER_URL = "https://issuer.example/issuers/565049"
FRAGMENT_VM = f"{ISSUER_URL}#{KEY.public_multibase()}"
RSA_4096 = rsa_4096()
RSA_KEY = KeyPair("RSA", RSA_4096.public_key(), RSA_4096)


def outcomes(report: Report) -> dict[str, tuple[str, str]]:
    return {check.id: (check.outcome, check.code) for check in report.checks}


def pages(documents: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    """``fetch_json`` over fixed documents: anything else is unreachable."""

    def fetch(url: str) -> dict[str, Any]:
        if url not in documents:
            raise OSError(f"connection refused: {url}")
        return copy.deepcopy(documents[url])

    return fetch


def tampered(signed: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["name"] = "Doctorate"
    return changed


# -- bare DID ------------------------------------------------------------------------------


def web_document(*keys: KeyPair) -> dict[str, Any]:
    return build_did_document(WEB_DID, [(f"#key-{n}", key) for n, key in enumerate(keys, 1)])


def test_bare_did_key_verification_method_uses_its_one_key() -> None:
    signed = sign_credential(ob_credential(DID), KEY, DID)
    report = verify_credential(signed, now=NOW)
    assert report.verified, report.to_dict()
    assert report.proofs[0]["verificationMethod"] == DID
    assert outcomes(report)["issuer_key"] == ("passed", "issuer_key_bound")
    assert report.warnings == []


def test_bare_did_web_verification_method_uses_the_documents_one_assertion_key() -> None:
    signed = sign_credential(ob_credential(WEB_DID), KEY, WEB_DID)
    report = verify_credential(signed, fetch_json=pages({WEB_URL: web_document(KEY)}), now=NOW)
    assert report.verified, report.to_dict()
    assert report.proofs[0]["controller"] == WEB_DID


@pytest.mark.parametrize(
    ("signed", "fetch", "check", "result"),
    [
        (
            tampered(sign_credential(ob_credential(DID), KEY, DID)),
            None,
            "proof",
            ("failed", "proof_signature_invalid"),
        ),
        (
            sign_credential(ob_credential(did_key_from_key(OTHER)), KEY, DID),
            None,
            "issuer_key",
            ("failed", "issuer_key_controller_mismatch"),
        ),
        (
            sign_credential(ob_credential(WEB_DID), KEY, WEB_DID),
            pages({WEB_URL: web_document(KEY, OTHER)}),
            "proof",
            ("error", "verification_method_ambiguous"),
        ),
        (
            sign_credential(ob_credential(WEB_DID), KEY, WEB_DID),
            pages({WEB_URL: web_document()}),
            "proof",
            ("error", "verification_method_ambiguous"),
        ),
        (
            sign_credential(ob_credential(WEB_DID), KEY, WEB_DID),
            pages({WEB_URL: web_document(OTHER)}),
            "proof",
            ("failed", "proof_signature_invalid"),
        ),
    ],
    ids=["tampered", "other-issuer", "two-keys", "no-key", "wrong-key"],
)
def test_bare_did_fails_clearly_when_it_does_not_name_the_signing_key(
    signed: dict[str, Any], fetch: Any, check: str, result: tuple[str, str]
) -> None:
    report = verify_credential(signed, fetch_json=fetch, now=NOW)
    assert not report.verified
    assert outcomes(report)[check] == result
    assert report.check(check).message


# -- <https issuer>#<publicKeyMultibase> ----------------------------------------------------


def fragment_signed() -> dict[str, Any]:
    return sign_credential(ob_credential(ISSUER_URL), KEY, FRAGMENT_VM)


def profile(*methods: str) -> dict[str, Any]:
    entries = [
        {
            "id": vm,
            "type": "Multikey",
            "controller": ISSUER_URL,
            "publicKeyMultibase": vm.rsplit("#", 1)[1],
        }
        for vm in methods
    ]
    return {
        "id": ISSUER_URL,
        "type": ["Profile"],
        "verificationMethod": entries,
        "assertionMethod": list(methods),
    }


def test_fragment_key_passes_with_a_warning_when_the_issuer_document_cannot_be_fetched() -> None:
    report = verify_credential(fragment_signed(), fetch_json=pages({}), now=NOW)
    assert report.verified, report.to_dict()
    assert outcomes(report)["proof"] == ("passed", "proof_verified")
    assert outcomes(report)["issuer_key"] == ("passed", "issuer_key_unconfirmed")
    assert outcomes(report)["proof_purpose"][0] == "passed"
    [warning] = report.warnings
    assert (warning["check"], warning["code"]) == ("issuer_key", "issuer_key_unconfirmed")
    assert "the issuer's own document could not confirm this key" in warning["message"]
    assert ISSUER_URL in warning["message"]


def test_fragment_key_that_the_issuer_document_cannot_confirm_fails_when_strict() -> None:
    report = verify_credential(fragment_signed(), fetch_json=pages({}), now=NOW, strict=True)
    assert not report.verified
    assert outcomes(report)["issuer_key"] == ("failed", "issuer_key_unconfirmed")
    assert "could not confirm this key" in report.check("issuer_key").message


@pytest.mark.parametrize("strict", [False, True])
def test_fragment_key_listed_by_the_issuer_document_is_bound_without_a_warning(
    strict: bool,
) -> None:
    fetch = pages({ISSUER_URL: profile(FRAGMENT_VM)})
    report = verify_credential(fragment_signed(), fetch_json=fetch, now=NOW, strict=strict)
    assert report.verified, report.to_dict()
    assert outcomes(report)["issuer_key"] == ("passed", "issuer_key_bound")
    assert report.warnings == []


def test_fragment_key_missing_from_a_fetched_issuer_document_is_not_bound() -> None:
    other_vm = f"{ISSUER_URL}#{OTHER.public_multibase()}"
    report = verify_credential(
        fragment_signed(), fetch_json=pages({ISSUER_URL: profile(other_vm)}), now=NOW
    )
    assert not report.verified
    assert outcomes(report)["issuer_key"] == ("error", "issuer_key_not_listed")


@pytest.mark.parametrize("strict", [False, True])
def test_fragment_key_of_our_own_issuer_stays_confirmed(strict: bool) -> None:
    def ours(issuer: str, multibase: str) -> bool:
        return (issuer, multibase) == (ISSUER_URL, KEY.public_multibase())

    report = verify_credential(
        fragment_signed(),
        fetch_json=pages({}),
        now=NOW,
        trusted_issuer_keys=ours,
        strict=strict,
    )
    assert report.verified, report.to_dict()
    assert report.warnings == []


def test_fragment_key_with_a_tampered_credential_fails_the_proof() -> None:
    report = verify_credential(tampered(fragment_signed()), fetch_json=pages({}), now=NOW)
    assert outcomes(report)["proof"] == ("failed", "proof_signature_invalid")
    assert report.warnings == []


def test_unreachable_issuer_document_is_fetched_once() -> None:
    fetched: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        fetched.append(url)
        raise OSError("timeout")

    verify_credential(fragment_signed(), fetch_json=fetch, now=NOW)
    assert fetched == [ISSUER_URL]


# -- VC-JWT keys ---------------------------------------------------------------------------


def jwt_with_header(
    header: dict[str, Any], claims: dict[str, Any], key: KeyPair = RSA_KEY, alg: str = "RS256"
) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jose_jwt.encode(
            {"alg": alg, "typ": "JWT", **header},
            claims,
            jose_rsa_key(key.private_jwk()) if alg == "RS256" else _okp(key),
            algorithms=[alg],
        )


def _okp(key: KeyPair) -> Any:
    from joserfc.jwk import OKPKey

    return OKPKey.import_key(key.private_jwk())


def ob3_claims(issuer: str, **extra: Any) -> dict[str, Any]:
    credential = ob_credential(issuer)
    return {
        **credential,
        "iss": issuer,
        "jti": credential["id"],
        "sub": "did:example:learner",
        "nbf": int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
        **extra,
    }


def forged(token: str) -> str:
    head, body, signature = token.split(".")
    claims = json.loads(_b64decode(body))
    claims["name"] = "Forged"
    return ".".join([head, b64url_encode(json.dumps(claims).encode()), signature])


def _b64decode(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_rs256_jwt_with_a_4096_bit_embedded_jwk_verifies_with_an_unconfirmed_key() -> None:
    token = jwt_with_header({"jwk": RSA_KEY.public_jwk()}, ob3_claims(ISSUER_URL))
    assert len(token.split(".")[0]) > 512  # joserfc's default header limit
    report = verify_credential(token, now=NOW)
    assert report.verified, report.to_dict()
    assert outcomes(report)["proof"] == ("passed", "proof_verified")
    assert outcomes(report)["issuer_key"] == ("passed", "issuer_key_unconfirmed")
    assert "embedded in the JWT header" in report.warnings[0]["message"]
    strict = verify_credential(token, now=NOW, strict=True)
    assert outcomes(strict)["issuer_key"] == ("failed", "issuer_key_unconfirmed")


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (
            forged(jwt_with_header({"jwk": RSA_KEY.public_jwk()}, ob3_claims(ISSUER_URL))),
            "jwt_signature_invalid",
        ),
        (
            jwt_with_header({"jwk": RSA_KEY.private_jwk()}, ob3_claims(ISSUER_URL)),
            "jwt_private_key_refused",
        ),
        (
            jwt_with_header(
                {"jwk": RSA_KEY.public_jwk(), "cty": "y" * 9000}, ob3_claims(ISSUER_URL)
            ),
            "jwt_malformed",
        ),
    ],
    ids=["forged", "private-jwk", "header-over-8-KiB"],
)
def test_embedded_jwk_jwts_that_must_not_verify(token: str, code: str) -> None:
    report = verify_credential(token, now=NOW)
    assert not report.verified
    assert outcomes(report)["proof"] == ("failed", code)


KID_UNDER_ISSUER = f"{ISSUER_URL}/keys/1"
KID_ELSEWHERE = "https://keys.example/jwks/1"


@pytest.mark.parametrize(
    ("kid", "strict", "issuer_key"),
    [
        (KID_UNDER_ISSUER, False, ("passed", "issuer_key_bound")),
        (KID_UNDER_ISSUER, True, ("passed", "issuer_key_bound")),
        (KID_ELSEWHERE, False, ("passed", "issuer_key_unconfirmed")),
        (KID_ELSEWHERE, True, ("failed", "issuer_key_unconfirmed")),
    ],
)
def test_kid_url_returning_a_bare_jwk_is_bound_by_where_it_lives(
    kid: str, strict: bool, issuer_key: tuple[str, str]
) -> None:
    token = jwt_with_header({"kid": kid}, ob3_claims(ISSUER_URL))
    fetch = pages({kid: RSA_KEY.public_jwk()})
    report = verify_credential(token, fetch_json=fetch, now=NOW, strict=strict)
    assert outcomes(report)["proof"] == ("passed", "proof_verified")
    assert outcomes(report)["issuer_key"] == issuer_key
    assert outcomes(report)["proof_purpose"][0] == "passed"
    assert report.verified is (issuer_key[0] == "passed")
    assert len(report.warnings) == (issuer_key[1] == "issuer_key_unconfirmed" and not strict)


def test_kid_url_under_a_did_web_issuers_folder_is_bound() -> None:
    kid = "https://badges.example.org/issuers/alpha/keys/1"
    token = jwt_with_header({"kid": kid}, ob3_claims(WEB_DID))
    report = verify_credential(token, fetch_json=pages({kid: RSA_KEY.public_jwk()}), now=NOW)
    assert outcomes(report)["issuer_key"] == ("passed", "issuer_key_bound")


@pytest.mark.parametrize(
    ("served", "code"),
    [
        (None, "jwt_key_unresolved"),
        (RSA_KEY.private_jwk(), "jwt_key_unresolved"),
        (generate_key("RSA").public_jwk(), "jwt_signature_invalid"),
    ],
    ids=["unreachable", "private-jwk", "other-key"],
)
def test_kid_url_that_does_not_give_the_signing_key_fails(served: Any, code: str) -> None:
    token = jwt_with_header({"kid": KID_UNDER_ISSUER}, ob3_claims(ISSUER_URL))
    fetch = pages({} if served is None else {KID_UNDER_ISSUER: served})
    report = verify_credential(token, fetch_json=fetch, now=NOW)
    assert not report.verified
    assert outcomes(report)["proof"] == ("failed", code)


def vc11_claims(**vc_extra: Any) -> dict[str, Any]:
    credential = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Intro",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": ob_credential(DID)["credentialSubject"]["achievement"],
        },
        **vc_extra,
    }
    return {
        "iss": DID,
        "jti": "urn:uuid:1355319d-8ae6-4f8d-a5be-0601399a1f50",
        "sub": "did:example:learner",
        "nbf": int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
        "exp": int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()),
        "vc": credential,
    }


def vc11_jwt(claims: dict[str, Any]) -> str:
    return jwt_with_header({"kid": f"{DID}#{KEY.public_multibase()}"}, claims, KEY, "EdDSA")


def test_vc11_jwt_is_checked_as_the_credential_in_its_vc_claim() -> None:
    report = verify_credential(vc11_jwt(vc11_claims()), now=NOW)
    assert report.verified, report.to_dict()
    assert report.credential is not None
    assert report.credential["issuer"] == DID
    assert report.credential["issuanceDate"] == "2025-01-01T00:00:00Z"
    assert outcomes(report)["structure"] == ("passed", "structure_valid")
    assert outcomes(report)["valid_from"] == ("passed", "valid_from_passed")
    assert "2025-01-01T00:00:00Z" in report.check("valid_from").message
    assert outcomes(report)["valid_until"] == ("passed", "valid_until_passed")
    assert "2026-01-01T00:00:00Z" in report.check("valid_until").message


@pytest.mark.parametrize(
    ("claims", "check", "result"),
    [
        (
            {**vc11_claims(), "nbf": None},
            "valid_from",
            ("failed", "credential_not_yet_valid"),
        ),
        (
            vc11_claims(issuanceDate="2024-01-01T00:00:00Z"),
            "proof",
            ("failed", "jwt_claim_mismatch"),
        ),
    ],
    ids=["issuance-date-in-the-future", "claims-contradict-the-vc"],
)
def test_vc11_jwt_dates_and_claims_are_checked(
    claims: dict[str, Any], check: str, result: tuple[str, str]
) -> None:
    if claims.get("nbf") is None:
        claims = {k: v for k, v in claims.items() if k != "nbf"}
        claims["vc"] = {**claims["vc"], "issuanceDate": "2025-07-01T00:00:00Z"}
    report = verify_credential(vc11_jwt(claims), now=NOW)
    assert not report.verified
    assert outcomes(report)[check] == result


def test_vc11_jwt_with_a_forged_payload_fails_the_proof() -> None:
    report = verify_credential(forged(vc11_jwt(vc11_claims())), now=NOW)
    assert outcomes(report)["proof"][0] == "failed"


def test_our_own_jwt_is_checked_without_its_registered_claims() -> None:
    token = sign_jwt(ob_credential(DID), KEY, f"{DID}#{KEY.public_multibase()}", now=NOW)
    report = verify_credential(token, now=NOW)
    assert report.verified, report.to_dict()
    assert report.credential is not None
    assert not {"iss", "nbf", "jti", "sub", "iat"} & report.credential.keys()
