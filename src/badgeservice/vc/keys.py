"""Key pairs over ``cryptography``: Ed25519, ECDSA P-256/P-384/P-521, RSA (for RS256).

One :class:`KeyPair` type carries the algorithm name, the public key and (optionally) the
private key, and converts to and from Multikey (multibase + multicodec) and JWK.
Signatures are in the form the proof formats want: raw 64-byte Ed25519, IEEE P1363
``r || s`` for ECDSA, PKCS#1 v1.5 with SHA-256 for RSA.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from badgeservice.vc import multibase as mb
from badgeservice.vc.errors import KeyFormatError

__all__ = [
    "ALGORITHMS",
    "JWS_ALGORITHMS",
    "KeyPair",
    "generate_key",
    "key_from_jwk",
    "key_from_multibase",
    "load_key_file",
]

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class _Curve:
    name: str
    curve: type[ec.EllipticCurve]
    hash: type[hashes.HashAlgorithm]
    size: int
    pub_code: int
    priv_code: int


_CURVES = {
    "P-256": _Curve("P-256", ec.SECP256R1, hashes.SHA256, 32, mb.P256_PUB, mb.P256_PRIV),
    "P-384": _Curve("P-384", ec.SECP384R1, hashes.SHA384, 48, mb.P384_PUB, mb.P384_PRIV),
    "P-521": _Curve("P-521", ec.SECP521R1, hashes.SHA512, 66, mb.P521_PUB, mb.P521_PRIV),
}
ALGORITHMS = frozenset({"Ed25519", "RSA", *_CURVES})
#: JWS ``alg`` for each key algorithm (RFC 7518 §3.1, RFC 8037 §3.1).
JWS_ALGORITHMS = {
    "Ed25519": "EdDSA",
    "P-256": "ES256",
    "P-384": "ES384",
    "P-521": "ES512",
    "RSA": "RS256",
}
_ED25519_SIZE = 32


@dataclass(frozen=True)
class KeyPair:
    """A public key and, when known, its private key.

    See: https://www.w3.org/TR/cid-1.0/#Multikey
    """

    algorithm: str
    public_key: PublicKey
    private_key: PrivateKey | None = None

    @property
    def has_private(self) -> bool:
        return self.private_key is not None

    @property
    def jws_algorithm(self) -> str:
        return JWS_ALGORITHMS[self.algorithm]

    def public_only(self) -> KeyPair:
        return KeyPair(self.algorithm, self.public_key)

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``: Ed25519 raw, ECDSA P1363 ``r || s`` (curve's hash), RSA PKCS#1 v1.5.

        See: https://www.w3.org/TR/vc-di-ecdsa/#algorithms
        """
        key = self.private_key
        if key is None:
            raise KeyFormatError("this key has no private part", code="key_private_missing")
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            curve = _CURVES[self.algorithm]
            r, s = decode_dss_signature(key.sign(data, ec.ECDSA(curve.hash())))
            return r.to_bytes(curve.size, "big") + s.to_bytes(curve.size, "big")
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True when ``signature`` is valid for ``data``; never raises on a bad signature.

        See: https://www.w3.org/TR/vc-di-ecdsa/#algorithms
        """
        key = self.public_key
        try:
            if isinstance(key, ed25519.Ed25519PublicKey):
                key.verify(signature, data)
            elif isinstance(key, ec.EllipticCurvePublicKey):
                curve = _CURVES[self.algorithm]
                if len(signature) != 2 * curve.size:
                    return False
                r = int.from_bytes(signature[: curve.size], "big")
                s = int.from_bytes(signature[curve.size :], "big")
                key.verify(encode_dss_signature(r, s), data, ec.ECDSA(curve.hash()))
            else:
                key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True

    def public_raw(self) -> bytes:
        """The raw public key as a multikey carries it (EC points compressed)."""
        key = self.public_key
        if isinstance(key, ed25519.Ed25519PublicKey):
            return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if isinstance(key, ec.EllipticCurvePublicKey):
            return key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
        raise KeyFormatError("RSA keys have no Multikey form here", code="key_type_unsupported")

    def public_multibase(self) -> str:
        """``publicKeyMultibase``: ``z`` + base58btc(multicodec header || raw public key).

        See: https://www.w3.org/TR/cid-1.0/#Multikey
        """
        code = mb.ED25519_PUB if self.algorithm == "Ed25519" else None
        if self.algorithm in _CURVES:
            code = _CURVES[self.algorithm].pub_code
        if code is None:
            raise KeyFormatError("RSA keys have no Multikey form here", code="key_type_unsupported")
        return mb.encode_base58btc(mb.add_multicodec(code, self.public_raw()))

    def secret_multibase(self) -> str:
        """``secretKeyMultibase``: the Ed25519 seed or the EC scalar, with its multicodec header.

        See: https://www.w3.org/TR/cid-1.0/#Multikey
        """
        key = self.private_key
        if isinstance(key, ed25519.Ed25519PrivateKey):
            raw = key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            return mb.encode_base58btc(mb.add_multicodec(mb.ED25519_PRIV, raw))
        if isinstance(key, ec.EllipticCurvePrivateKey):
            curve = _CURVES[self.algorithm]
            raw = key.private_numbers().private_value.to_bytes(curve.size, "big")
            return mb.encode_base58btc(mb.add_multicodec(curve.priv_code, raw))
        if key is None:
            raise KeyFormatError("this key has no private part", code="key_private_missing")
        raise KeyFormatError("RSA keys have no Multikey form here", code="key_type_unsupported")

    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWK (OKP, EC or RSA), without ``kid``.

        See: https://www.rfc-editor.org/rfc/rfc7517#section-4
        """
        key = self.public_key
        if isinstance(key, ed25519.Ed25519PublicKey):
            return {"kty": "OKP", "crv": "Ed25519", "x": mb.b64url_encode(self.public_raw())}
        if isinstance(key, ec.EllipticCurvePublicKey):
            numbers, size = key.public_numbers(), _CURVES[self.algorithm].size
            return {
                "kty": "EC",
                "crv": self.algorithm,
                "x": mb.b64url_encode(numbers.x.to_bytes(size, "big")),
                "y": mb.b64url_encode(numbers.y.to_bytes(size, "big")),
            }
        rsa_numbers = key.public_numbers()
        return {"kty": "RSA", "n": _b64_int(rsa_numbers.n), "e": _b64_int(rsa_numbers.e)}

    def private_jwk(self) -> dict[str, Any]:
        """The key pair as a private JWK (``d`` and, for RSA, the CRT members).

        See: https://www.rfc-editor.org/rfc/rfc7518#section-6
        """
        key, jwk = self.private_key, self.public_jwk()
        if isinstance(key, ed25519.Ed25519PrivateKey):
            seed = key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            return {**jwk, "d": mb.b64url_encode(seed)}
        if isinstance(key, ec.EllipticCurvePrivateKey):
            size = _CURVES[self.algorithm].size
            d = key.private_numbers().private_value.to_bytes(size, "big")
            return {**jwk, "d": mb.b64url_encode(d)}
        if isinstance(key, rsa.RSAPrivateKey):
            n = key.private_numbers()
            extra = {"d": n.d, "p": n.p, "q": n.q, "dp": n.dmp1, "dq": n.dmq1, "qi": n.iqmp}
            return {**jwk, **{name: _b64_int(value) for name, value in extra.items()}}
        raise KeyFormatError("this key has no private part", code="key_private_missing")


def _b64_int(value: int) -> str:
    return mb.b64url_encode(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def _jwk_int(jwk: dict[str, Any], name: str) -> int:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise KeyFormatError(f"JWK member {name!r} is missing", code="jwk_invalid")
    return int.from_bytes(mb.b64url_decode(value), "big")


def generate_key(algorithm: str, *, rsa_bits: int = 2048) -> KeyPair:
    """A fresh key pair: ``Ed25519``, ``P-256``, ``P-384``, ``P-521`` or ``RSA`` (``rsa_bits``,
    at least 2048 as RS256 requires).

    See: https://www.rfc-editor.org/rfc/rfc7518#section-3.3
    """
    private: PrivateKey
    if algorithm == "Ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
    elif algorithm in _CURVES:
        private = ec.generate_private_key(_CURVES[algorithm].curve())
    elif algorithm == "RSA":
        if rsa_bits < 2048:
            raise KeyFormatError("RSA keys need at least 2048 bits", code="key_invalid")
        private = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    else:
        raise KeyFormatError(
            f"unsupported key algorithm {algorithm!r}", code="key_type_unsupported"
        )
    return KeyPair(algorithm, private.public_key(), private)


def _public_from_multikey(code: int, raw: bytes) -> KeyPair:
    if code == mb.ED25519_PUB:
        if len(raw) != _ED25519_SIZE:
            raise KeyFormatError("an Ed25519 public key has 32 bytes", code="key_length_invalid")
        return KeyPair("Ed25519", ed25519.Ed25519PublicKey.from_public_bytes(raw))
    for curve in _CURVES.values():
        if code == curve.pub_code:
            try:
                public = ec.EllipticCurvePublicKey.from_encoded_point(curve.curve(), raw)
            except ValueError as exc:
                raise KeyFormatError(
                    f"invalid {curve.name} public key", code="key_point_invalid"
                ) from exc
            return KeyPair(curve.name, public)
    raise KeyFormatError(
        f"unsupported multicodec 0x{code:x} for a public key", code="key_type_unsupported"
    )


def _private_from_multikey(algorithm: str, code: int, raw: bytes) -> PrivateKey:
    if algorithm == "Ed25519" and code == mb.ED25519_PRIV:
        # Legacy 64-byte secrets are seed || public key: the seed is what counts.
        if len(raw) not in (_ED25519_SIZE, 2 * _ED25519_SIZE):
            raise KeyFormatError("an Ed25519 secret key has 32 bytes", code="key_length_invalid")
        return ed25519.Ed25519PrivateKey.from_private_bytes(raw[:_ED25519_SIZE])
    curve = _CURVES.get(algorithm)
    if curve is not None and code == curve.priv_code:
        if len(raw) != curve.size:
            raise KeyFormatError(
                f"a {algorithm} secret key has {curve.size} bytes", code="key_length_invalid"
            )
        try:
            return ec.derive_private_key(int.from_bytes(raw, "big"), curve.curve())
        except ValueError as exc:
            raise KeyFormatError(f"invalid {algorithm} secret key", code="key_invalid") from exc
    raise KeyFormatError(
        f"secret key header 0x{code:x} does not fit a {algorithm} key", code="key_type_unsupported"
    )


def _checked_pair(public: KeyPair, private: PrivateKey) -> KeyPair:
    pair = KeyPair(public.algorithm, private.public_key(), private)
    if pair.public_jwk() != public.public_jwk():
        raise KeyFormatError(
            "the secret key does not match the public key", code="key_pair_mismatch"
        )
    return pair


@functools.lru_cache(maxsize=4096)
def _public_key(public: str) -> KeyPair:
    """Public keys are immutable values: decode each once per process (verifiers see the same
    few issuer keys again and again)."""
    return _public_from_multikey(*mb.split_multicodec(mb.decode_multibase(public)))


def key_from_multibase(public: str, secret: str | None = None) -> KeyPair:
    """Decode ``publicKeyMultibase`` (and optionally ``secretKeyMultibase``) into a key pair.

    See: https://www.w3.org/TR/cid-1.0/#Multikey
    """
    pair = _public_key(public)
    if secret is None:
        return pair
    code, raw = mb.split_multicodec(mb.decode_multibase(secret))
    return _checked_pair(pair, _private_from_multikey(pair.algorithm, code, raw))


def _okp_from_jwk(jwk: dict[str, Any]) -> KeyPair:
    if jwk.get("crv") != "Ed25519":
        raise KeyFormatError(
            f"unsupported OKP curve {jwk.get('crv')!r}", code="key_type_unsupported"
        )
    x = mb.b64url_decode(str(jwk.get("x", "")))
    if len(x) != _ED25519_SIZE:
        raise KeyFormatError("an Ed25519 public key has 32 bytes", code="key_length_invalid")
    pair = KeyPair("Ed25519", ed25519.Ed25519PublicKey.from_public_bytes(x))
    if "d" not in jwk:
        return pair
    seed = mb.b64url_decode(str(jwk["d"]))
    return _checked_pair(pair, _private_from_multikey("Ed25519", mb.ED25519_PRIV, seed))


def _ec_from_jwk(jwk: dict[str, Any]) -> KeyPair:
    curve = _CURVES.get(str(jwk.get("crv")))
    if curve is None:
        raise KeyFormatError(
            f"unsupported EC curve {jwk.get('crv')!r}", code="key_type_unsupported"
        )
    try:
        numbers = ec.EllipticCurvePublicNumbers(
            _jwk_int(jwk, "x"), _jwk_int(jwk, "y"), curve.curve()
        )
        pair = KeyPair(curve.name, numbers.public_key())
    except ValueError as exc:
        raise KeyFormatError(f"invalid {curve.name} public key", code="key_point_invalid") from exc
    if "d" not in jwk:
        return pair
    d = mb.b64url_decode(str(jwk["d"])).rjust(curve.size, b"\0")
    return _checked_pair(pair, _private_from_multikey(curve.name, curve.priv_code, d))


def _rsa_from_jwk(jwk: dict[str, Any]) -> KeyPair:
    try:
        public = rsa.RSAPublicNumbers(_jwk_int(jwk, "e"), _jwk_int(jwk, "n"))
        if "d" not in jwk:
            return KeyPair("RSA", public.public_key())
        names = ("p", "q", "d", "dp", "dq", "qi")
        p, q, d, dp, dq, qi = (_jwk_int(jwk, name) for name in names)
        private = rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, public).private_key()
    except ValueError as exc:
        raise KeyFormatError(f"invalid RSA key: {exc}", code="key_invalid") from exc
    return KeyPair("RSA", private.public_key(), private)


def key_from_jwk(jwk: dict[str, Any]) -> KeyPair:
    """A key pair from a JWK (OKP Ed25519, EC P-256/384/521, RSA); private when ``d`` is there.

    See: https://www.rfc-editor.org/rfc/rfc7517#section-4
    """
    if not isinstance(jwk, dict):
        raise KeyFormatError("a JWK must be a JSON object", code="jwk_invalid")
    kty = jwk.get("kty")
    if kty == "OKP":
        return _okp_from_jwk(jwk)
    if kty == "EC":
        return _ec_from_jwk(jwk)
    if kty == "RSA":
        return _rsa_from_jwk(jwk)
    raise KeyFormatError(f"unsupported JWK kty {kty!r}", code="key_type_unsupported")


def load_key_file(data: dict[str, Any]) -> KeyPair:
    """A key pair from a W3C vector key file (``publicKeyMultibase`` + ``secretKeyMultibase`` or
    ``privateKeyMultibase``), or from ``publicKeyJwk``/``privateKeyJwk``.

    See: https://www.w3.org/TR/vc-di-eddsa/#representation-eddsa-rdfc-2022
    """
    if not isinstance(data, dict):
        raise KeyFormatError("a key file must be a JSON object", code="key_file_invalid")
    public = data.get("publicKeyMultibase")
    if isinstance(public, str):
        secret = data.get("secretKeyMultibase", data.get("privateKeyMultibase"))
        return key_from_multibase(public, secret if isinstance(secret, str) else None)
    jwk = data.get("privateKeyJwk", data.get("publicKeyJwk"))
    if isinstance(jwk, dict):
        return key_from_jwk(jwk)
    raise KeyFormatError("the key file has no publicKeyMultibase or JWK", code="key_file_invalid")
