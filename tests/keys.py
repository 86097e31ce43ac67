"""Test keys that are slow to make, made once per checkout and kept in ``.cache/``."""

from __future__ import annotations

import functools
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

from tests.conftest import REPO_ROOT, install_lock

KEYS_DIR = REPO_ROOT / ".cache" / "test-keys"


@functools.cache
def rsa_4096() -> rsa.RSAPrivateKey:
    """A 4,096-bit RSA key (a second or more to generate): generated on first use in a checkout
    and kept in ``.cache/test-keys/`` (never in the repository), read back without OpenSSL's
    slow consistency check (the key is our own)."""
    with install_lock(KEYS_DIR):
        path = KEYS_DIR / "rsa-4096.pem"
        if not path.is_file():
            key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
            path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
    loaded = serialization.load_pem_private_key(
        path.read_bytes(), None, unsafe_skip_rsa_key_validation=True
    )
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


def jose_rsa_key(private_jwk: dict[str, Any]) -> RSAKey:
    """joserfc's key for a private RSA JWK, built once per key (joserfc checks the key, which
    takes a good part of a second at 4,096 bits)."""
    return _jose_rsa_key(json.dumps(private_jwk, sort_keys=True))


@functools.cache
def _jose_rsa_key(private_jwk: str) -> RSAKey:
    return RSAKey.import_key(json.loads(private_jwk))
