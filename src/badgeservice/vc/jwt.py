"""VC-JWT as Open Badges 3.0 defines it: a compact JWS whose payload is the credential plus
the registered claims ``iss``, ``jti``, ``sub``, ``nbf`` (and ``exp``).

Signing is strict (every claim, ``typ: JWT``, ``kid``); verifying refuses ``alg: none``, every
HMAC and any algorithm outside :data:`ALLOWED_ALGORITHMS`, then checks the signature (joserfc)
and, separately, the time claims against an injected ``now``. Missing claims are reported as
warnings (the spec's own examples lack ``nbf``); claims that contradict the credential fail.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey
from joserfc.jws import JWSRegistry

from badgeservice.vc.errors import JwtError, KeyFormatError, VcError
from badgeservice.vc.keys import JWS_ALGORITHMS, KeyPair, key_from_jwk
from badgeservice.vc.multibase import b64url_decode
from badgeservice.vc.proofs import parse_datetime

__all__ = [
    "ALLOWED_ALGORITHMS",
    "DEFAULT_SKEW",
    "JwtResult",
    "credential_from_claims",
    "sign_jwt",
    "verify_jwt",
]

#: The key algorithm each JWS algorithm needs: the inverse of ``keys.JWS_ALGORITHMS``, plus
#: RFC 9864's fully-specified ``Ed25519``.
KEY_ALGORITHM_FOR = {alg: key for key, alg in JWS_ALGORITHMS.items()} | {"Ed25519": "Ed25519"}
#: The JWS algorithms we sign and accept by default (a policy: not ES512, which OB 3.0 and
#: the 1EdTech validator do not use).
ALLOWED_ALGORITHMS = frozenset({"EdDSA", "Ed25519", "ES256", "ES384", "RS256"})
ACCEPTED_TYPES = frozenset({"JWT", "vc+jwt", "vc+ld+json+jwt"})
REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
DEFAULT_SKEW = timedelta(seconds=60)
MAX_TOKEN_CHARS = 1024 * 1024
#: The largest base64url JOSE header we read. joserfc's default (512) refuses an RS256 header
#: that embeds its own public ``jwk``: a 2048-bit modulus alone is 342 characters, a 4096-bit
#: one 683 (header ≈ 1 KB encoded). 8 KiB fits an RSA-8192 JWK plus ``kid`` and ``typ`` and
#: still bounds what ``json.loads`` sees before any signature is checked.
MAX_HEADER_CHARS = 8 * 1024
#: Private JWK members (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2): a header carrying any
#: of them leaks the signer's private key, so the token is refused.
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})

ResolveKey = Callable[[str, dict[str, Any]], KeyPair]


@dataclass(frozen=True)
class JwtResult:
    """A verified VC-JWT: the credential (registered claims removed, ``vc`` unwrapped), the
    JOSE header, all claims, and warnings for claims the spec wants but the token lacks."""

    credential: dict[str, Any]
    header: dict[str, Any]
    claims: dict[str, Any]
    warnings: tuple[str, ...] = field(default=())


def _subject_id(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list) and subject:
        subject = subject[0]
    value = subject.get("id") if isinstance(subject, Mapping) else None
    return value if isinstance(value, str) else None


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) else None


def _jose_key(jwk: dict[str, Any]) -> OKPKey | ECKey | RSAKey:
    kty = jwk["kty"]
    if kty == "OKP":
        return OKPKey.import_key(jwk)
    if kty == "EC":
        return ECKey.import_key(jwk)
    return RSAKey.import_key(jwk)


def _signing_claims(credential: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    issuer, valid_from = _issuer_id(credential), parse_datetime(credential.get("validFrom"))
    if issuer is None or valid_from is None:
        raise JwtError("a VC-JWT needs issuer.id and validFrom", code="jwt_claim_missing")
    if valid_from.microsecond:
        raise JwtError("validFrom must be whole seconds to map to nbf", code="jwt_claim_invalid")
    claims: dict[str, Any] = {"iss": issuer, "nbf": int(valid_from.timestamp())}
    claims["iat"] = int(now.timestamp())
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    if (subject := _subject_id(credential)) is not None:
        claims["sub"] = subject
    if "validUntil" in credential:
        valid_until = parse_datetime(credential["validUntil"])
        if valid_until is None or valid_until.microsecond:
            raise JwtError("validUntil must be a whole-second dateTime", code="jwt_claim_invalid")
        claims["exp"] = int(valid_until.timestamp())
    return claims


def sign_jwt(
    credential: dict[str, Any], key: KeyPair, kid: str, *, now: datetime | None = None
) -> str:
    """Compact JWS of ``credential`` + ``iss``/``jti``/``sub``/``nbf``/``exp``/``iat`` claims,
    header ``{alg, typ: "JWT", kid}``.

    See: https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof
    """
    alg = key.jws_algorithm
    if alg not in ALLOWED_ALGORITHMS:
        raise JwtError(f"we do not sign with {alg}", code="jwt_algorithm_refused")
    if not key.has_private:
        raise JwtError("signing needs a private key", code="jwt_key_unresolved")
    claims = {**credential, **_signing_claims(credential, now or datetime.now(UTC))}
    header = {"alg": alg, "typ": "JWT", "kid": kid}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc flags EdDSA (RFC 9864); OB 3.0 still uses it
        return jose_jwt.encode(header, claims, _jose_key(key.private_jwk()), algorithms=[alg])


def _read_header(token: Any) -> dict[str, Any]:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise JwtError("not a compact JWS of acceptable size", code="jwt_malformed")
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise JwtError("a compact JWS has three dot-separated parts", code="jwt_malformed")
    try:
        header = json.loads(b64url_decode(parts[0]))
    except (KeyFormatError, ValueError) as exc:
        raise JwtError("the JOSE header is not base64url JSON", code="jwt_malformed") from exc
    if not isinstance(header, dict):
        raise JwtError("the JOSE header is not a JSON object", code="jwt_malformed")
    return header


def _check_header(header: dict[str, Any], allowed: frozenset[str]) -> str:
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in allowed or alg not in KEY_ALGORITHM_FOR:
        raise JwtError(f"algorithm {alg!r} is not accepted", code="jwt_algorithm_refused")
    if "typ" in header and header["typ"] not in ACCEPTED_TYPES:
        raise JwtError(f"unexpected typ {header['typ']!r}", code="jwt_header_invalid")
    if "crit" in header:
        raise JwtError("critical header extensions are not supported", code="jwt_header_invalid")
    return alg


def _resolve_key(header: dict[str, Any], resolve_key: ResolveKey, alg: str) -> KeyPair:
    kid, jwk = header.get("kid"), header.get("jwk")
    if isinstance(jwk, dict) and PRIVATE_JWK_MEMBERS & jwk.keys():
        raise JwtError(
            "the jwk header carries a private key; the token is refused",
            code="jwt_private_key_refused",
        )
    try:
        if isinstance(kid, str) and kid:
            key = resolve_key(kid, header)
        elif isinstance(jwk, dict):
            key = key_from_jwk(jwk)
        else:
            raise JwtError("the header has neither kid nor a public jwk", code="jwt_key_unresolved")
    except JwtError:
        raise
    except VcError as exc:
        raise JwtError(f"cannot resolve the key: {exc.message}", code="jwt_key_unresolved") from exc
    if key.algorithm != KEY_ALGORITHM_FOR[alg]:
        raise JwtError(
            f"{alg} needs a {KEY_ALGORITHM_FOR[alg]} key, not {key.algorithm}",
            code="jwt_key_algorithm_mismatch",
        )
    return key


class _Registry(JWSRegistry):
    """joserfc's JWS registry with our bounds: headers up to :data:`MAX_HEADER_CHARS`, payloads
    up to the whole token cap (a credential with a ``data:`` image is larger than 128 kB)."""

    max_header_length = MAX_HEADER_CHARS
    max_payload_length = MAX_TOKEN_CHARS


def _check_signature(token: str, key: KeyPair, alg: str) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            decoded = jose_jwt.decode(
                token.strip(),
                _jose_key(key.public_jwk()),
                algorithms=[alg],
                registry=_Registry(algorithms=[alg]),
            )
    except BadSignatureError as exc:
        raise JwtError("the signature does not match", code="jwt_signature_invalid") from exc
    except (JoseError, ValueError) as exc:
        raise JwtError(f"cannot decode the JWT: {exc}", code="jwt_malformed") from exc
    if not isinstance(decoded.claims, dict):
        raise JwtError("the payload is not a JSON object", code="jwt_malformed")
    return dict(decoded.claims)


def _check_times(claims: Mapping[str, Any], now: datetime, skew: timedelta) -> None:
    for name in ("exp", "nbf", "iat"):
        if name in claims and (
            not isinstance(claims[name], int | float) or isinstance(claims[name], bool)
        ):
            raise JwtError(f"claim {name} is not a NumericDate", code="jwt_malformed")
    instant = now.timestamp()
    if "exp" in claims and claims["exp"] < instant - skew.total_seconds():
        raise JwtError("the JWT has expired", code="jwt_expired")
    if "nbf" in claims and claims["nbf"] > instant + skew.total_seconds():
        raise JwtError("the JWT is not yet valid", code="jwt_not_yet_valid")


def _credential_of(claims: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    if "vc" in claims:  # VC 1.1 JWT encoding: the credential sits in the ``vc`` claim.
        if not isinstance(claims["vc"], dict):
            raise JwtError("the vc claim is not an object", code="jwt_malformed")
        return dict(claims["vc"]), True
    return {k: v for k, v in claims.items() if k not in REGISTERED_CLAIMS}, False


def credential_from_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The credential a VC-JWT carries (not verified): the payload without registered claims,
    or, in the VC 1.1 shape, the ``vc`` claim completed from ``iss``, ``jti``, ``sub``,
    ``nbf`` and ``exp`` where it leaves them out.

    See: https://www.w3.org/TR/vc-data-model-1.1/#jwt-decoding
    """
    credential, legacy = _credential_of(claims)
    return _completed(credential, claims) if legacy else credential


def _completed(credential: dict[str, Any], claims: Mapping[str, Any]) -> dict[str, Any]:
    done = dict(credential)
    for claim, name in (("nbf", "issuanceDate"), ("exp", "expirationDate")):
        moment = claims.get(claim)
        if name not in done and isinstance(moment, int | float) and not isinstance(moment, bool):
            done[name] = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if "id" not in done and isinstance(claims.get("jti"), str):
        done["id"] = claims["jti"]
    if isinstance(claims.get("iss"), str):
        issuer = done.get("issuer")
        if issuer is None:
            done["issuer"] = claims["iss"]
        elif isinstance(issuer, dict) and "id" not in issuer:
            done["issuer"] = {**issuer, "id": claims["iss"]}
    subject = done.get("credentialSubject")
    if isinstance(claims.get("sub"), str) and isinstance(subject, dict) and "id" not in subject:
        done["credentialSubject"] = {**subject, "id": claims["sub"]}
    return done


def _compare_claims(
    claims: Mapping[str, Any], credential: Mapping[str, Any], legacy: bool
) -> list[str]:
    start = "issuanceDate" if legacy else "validFrom"
    end = "expirationDate" if legacy else "validUntil"
    expected: dict[str, Any] = {
        "iss": _issuer_id(credential),
        "jti": credential.get("id"),
        "sub": _subject_id(credential),
        "nbf": _epoch(credential.get(start)),
        "exp": _epoch(credential.get(end)),
    }
    missing = []
    for name, value in expected.items():
        if value is None:
            continue
        if name not in claims:
            missing.append(f"jwt_claim_missing:{name}")
        elif claims[name] != value:
            raise JwtError(
                f"claim {name}={claims[name]!r} contradicts the credential ({value!r})",
                code="jwt_claim_mismatch",
            )
    return missing


def _epoch(value: Any) -> int | None:
    parsed = parse_datetime(value)
    return int(parsed.timestamp()) if parsed is not None else None


def verify_jwt(
    token: str,
    resolve_key: ResolveKey,
    *,
    now: datetime | None = None,
    skew: timedelta = DEFAULT_SKEW,
    allowed_algorithms: frozenset[str] = ALLOWED_ALGORITHMS,
) -> JwtResult:
    """Verify a VC-JWT: algorithm allowlist, key via ``resolve_key(kid, header)`` (or an embedded
    public ``jwk``), signature, ``exp``/``nbf`` against ``now`` ± ``skew``, claims vs credential.

    See: https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof
    """
    header = _read_header(token)
    alg = _check_header(header, allowed_algorithms)
    key = _resolve_key(header, resolve_key, alg)
    claims = _check_signature(token, key, alg)
    _check_times(claims, now or datetime.now(UTC), skew)
    credential, legacy = _credential_of(claims)
    missing = _compare_claims(claims, credential, legacy)
    credential = _completed(credential, claims) if legacy else credential
    return JwtResult(credential, header, claims, tuple(missing))
