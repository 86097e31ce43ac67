"""Key pairs: sign/verify, Multikey and JWK round trips, W3C key files, refused inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from badgeservice.vc import multibase as mb
from badgeservice.vc.errors import KeyFormatError
from badgeservice.vc.keys import (
    KeyPair,
    generate_key,
    key_from_jwk,
    key_from_multibase,
    load_key_file,
)
from tests.conftest import stable_id

ALL = ["Ed25519", "P-256", "P-384", "P-521", "RSA"]
MULTIKEY = ["Ed25519", "P-256", "P-384", "P-521"]
PREFIXES = {"Ed25519": ("z6Mk", "z3u2"), "P-256": ("zDna", "z42"), "P-384": ("z82L", None)}
SIGNATURE_LENGTHS = {"Ed25519": 64, "P-256": 64, "P-384": 96, "P-521": 132, "RSA": 256}


@pytest.fixture(scope="module", params=ALL)
def key(request: pytest.FixtureRequest) -> KeyPair:
    return generate_key(request.param)


def test_sign_produces_a_verifiable_signature_of_the_expected_length(key: KeyPair) -> None:
    signature = key.sign(b"data")
    assert len(signature) == SIGNATURE_LENGTHS[key.algorithm]
    assert key.public_only().verify(signature, b"data")


@pytest.mark.parametrize(
    "tamper",
    [lambda s: s[:-1] + bytes([s[-1] ^ 1]), lambda s: s[:-1], lambda s: b"", lambda s: s + b"\0"],
)
def test_verify_returns_false_when_signature_is_damaged(key: KeyPair, tamper) -> None:
    assert key.verify(tamper(key.sign(b"data")), b"data") is False


def test_verify_returns_false_when_data_differs(key: KeyPair) -> None:
    assert key.verify(key.sign(b"data"), b"other") is False


def test_private_jwk_round_trips(key: KeyPair) -> None:
    again = key_from_jwk(key.private_jwk())
    assert again.has_private
    assert again.private_jwk() == key.private_jwk()
    assert key_from_jwk(key.public_jwk()).has_private is False


@pytest.mark.parametrize("algorithm", MULTIKEY)
def test_multikey_round_trips_with_expected_prefixes(algorithm: str) -> None:
    key = generate_key(algorithm)
    public, secret = key.public_multibase(), key.secret_multibase()
    pub_prefix, secret_prefix = PREFIXES.get(algorithm, (None, None))
    assert pub_prefix is None or public.startswith(pub_prefix)
    assert secret_prefix is None or secret.startswith(secret_prefix)
    again = key_from_multibase(public, secret)
    assert again.public_jwk() == key.public_jwk()
    assert again.has_private


@pytest.mark.parametrize(
    ("path", "algorithm"),
    [
        ("vectors/eddsa-rdfc-2022/keyPair.json", "Ed25519"),
        ("vectors/ecdsa-rdfc-2019-p256/p256KeyPair.json", "P-256"),
    ],
)
def test_load_key_file_reexports_the_w3c_vector_keys(
    shared_data: Path, path: str, algorithm: str
) -> None:
    data = json.loads((shared_data / path).read_text())
    key = load_key_file(data)
    secret = data.get("secretKeyMultibase", data.get("privateKeyMultibase"))
    assert key.algorithm == algorithm
    assert (key.public_multibase(), key.secret_multibase()) == (data["publicKeyMultibase"], secret)


def test_legacy_64_byte_ed25519_secret_is_accepted() -> None:
    key = generate_key("Ed25519")
    seed = mb.decode_multibase(key.secret_multibase())[2:]
    legacy = mb.encode_base58btc(mb.add_multicodec(mb.ED25519_PRIV, seed + key.public_raw()))
    assert key_from_multibase(key.public_multibase(), legacy).secret_multibase() == (
        key.secret_multibase()
    )


def test_load_key_file_reads_jwk_members() -> None:
    key = generate_key("P-256")
    assert load_key_file({"privateKeyJwk": key.private_jwk()}).has_private


def _other_secret() -> str:
    return generate_key("Ed25519").secret_multibase()


ED = generate_key("Ed25519")
P256 = generate_key("P-256")


@pytest.mark.parametrize(
    ("public", "secret", "code"),
    [
        ("6Mk", None, "multibase_invalid"),
        ("z0OIl", None, "multibase_invalid"),
        ("uAAA*", None, "multibase_invalid"),
        (
            mb.encode_base58btc(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
            None,
            "multicodec_invalid",
        ),
        (mb.encode_base58btc(mb.add_multicodec(0x1205, b"x" * 32)), None, "key_type_unsupported"),
        (
            mb.encode_base58btc(mb.add_multicodec(mb.ED25519_PUB, b"x" * 31)),
            None,
            "key_length_invalid",
        ),
        (
            mb.encode_base58btc(mb.add_multicodec(mb.P256_PUB, b"\x02" + b"\xff" * 32)),
            None,
            "key_point_invalid",
        ),
        (ED.public_multibase(), _other_secret(), "key_pair_mismatch"),
        (ED.public_multibase(), P256.secret_multibase(), "key_type_unsupported"),
        (
            ED.public_multibase(),
            mb.encode_base58btc(mb.add_multicodec(mb.ED25519_PRIV, b"x" * 5)),
            "key_length_invalid",
        ),
        (
            P256.public_multibase(),
            mb.encode_base58btc(mb.add_multicodec(mb.P256_PRIV, b"\0" * 32)),
            "key_invalid",
        ),
        (
            P256.public_multibase(),
            mb.encode_base58btc(mb.add_multicodec(mb.P256_PRIV, b"\1" * 31)),
            "key_length_invalid",
        ),
    ],
    ids=stable_id,
)
def test_key_from_multibase_refuses_bad_input(public: str, secret: str | None, code: str) -> None:
    with pytest.raises(KeyFormatError) as info:
        key_from_multibase(public, secret)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("jwk", "code"),
    [
        ("not a dict", "jwk_invalid"),
        ({"kty": "oct", "k": "AA"}, "key_type_unsupported"),
        ({"kty": "OKP", "crv": "X25519", "x": "AA"}, "key_type_unsupported"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, "key_length_invalid"),
        ({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}, "key_type_unsupported"),
        ({"kty": "EC", "crv": "P-256", "x": "AA"}, "jwk_invalid"),
        ({"kty": "EC", "crv": "P-256", "x": "AQ", "y": "AQ"}, "key_point_invalid"),
        ({"kty": "RSA", "n": "AQ", "e": "AQAB"}, "key_invalid"),
        ({**P256.public_jwk(), "d": ED.private_jwk()["d"]}, "key_pair_mismatch"),
    ],
)
def test_key_from_jwk_refuses_bad_input(jwk: object, code: str) -> None:
    with pytest.raises(KeyFormatError) as info:
        key_from_jwk(jwk)  # type: ignore[arg-type]
    assert info.value.code == code


@pytest.mark.parametrize(
    ("data", "code"), [([], "key_file_invalid"), ({"id": "x"}, "key_file_invalid")]
)
def test_load_key_file_refuses_files_without_keys(data: object, code: str) -> None:
    with pytest.raises(KeyFormatError) as info:
        load_key_file(data)  # type: ignore[arg-type]
    assert info.value.code == code


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: generate_key("Ed448"), "key_type_unsupported"),
        (lambda: ED.public_only().sign(b"x"), "key_private_missing"),
        (lambda: ED.public_only().secret_multibase(), "key_private_missing"),
        (lambda: ED.public_only().private_jwk(), "key_private_missing"),
        (lambda: generate_key("RSA").public_multibase(), "key_type_unsupported"),
    ],
)
def test_key_operations_refuse_what_the_key_cannot_do(call, code: str) -> None:
    with pytest.raises(KeyFormatError) as info:
        call()
    assert info.value.code == code


@pytest.mark.parametrize(
    ("data", "encoded"),
    [(b"", "u"), (b"\xfb\xff", "u-_8"), (b"hello", "uaGVsbG8")],
)
def test_base64url_multibase_round_trips(data: bytes, encoded: str) -> None:
    assert mb.encode_base64url(data) == encoded
    assert mb.decode_multibase(encoded) == data
