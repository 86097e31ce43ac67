"""Private keys at rest: AES-256-GCM under a key-encryption key (KEK).

The KEK comes from ``BADGESERVICE_SECRET_KEY`` or, in development, from ``keys/master.key``
(created 0600 on first run; refused when others may read it). ``KeyStore`` is the seam for an
external KMS later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from badgeservice.errors import ServiceError
from badgeservice.settings import ConfigurationError, Settings, decode_secret

log = logging.getLogger(__name__)
_FORMAT_V1 = b"\x01"
MASTER_KEY_FILE = "master.key"


class KeyStoreError(ServiceError):
    code, title = "key_store_error", "A private key could not be unsealed"


class KeyStore(Protocol):
    def seal(self, plaintext: bytes, *, context: str) -> bytes: ...

    def unseal(self, sealed: bytes, *, context: str) -> bytes: ...

    def lookup_hash(self, value: str) -> str: ...


class LocalKeyStore:
    """``0x01 ‖ nonce(12) ‖ AES-GCM(plaintext, aad=context)``. The context (e.g. the key's
    issuer and id) binds a sealed key to its row: swapping rows fails to unseal."""

    def __init__(self, kek: bytes) -> None:
        if len(kek) != 32:
            raise ValueError("the key-encryption key must be 32 bytes")
        self._aead = AESGCM(kek)
        self._lookup_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"badgeservice lookup hash"
        ).derive(kek)

    def lookup_hash(self, value: str) -> str:
        """A keyed hash (HMAC-SHA256 under a key derived from the KEK) for finding records by
        a value we do not store, such as a recipient's email."""
        return hmac.new(self._lookup_key, value.encode(), hashlib.sha256).hexdigest()

    def seal(self, plaintext: bytes, *, context: str) -> bytes:
        nonce = os.urandom(12)
        return _FORMAT_V1 + nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def unseal(self, sealed: bytes, *, context: str) -> bytes:
        if sealed[:1] != _FORMAT_V1 or len(sealed) < 29:
            raise KeyStoreError("Unknown sealed-key format.")
        try:
            return self._aead.decrypt(sealed[1:13], sealed[13:], context.encode())
        except InvalidTag as exc:
            raise KeyStoreError("Wrong key-encryption key, or the sealed key was altered.") from exc


def new_secret() -> str:
    """A fresh KEK in the form ``BADGESERVICE_SECRET_KEY`` takes (base64url, 32 bytes)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def load_key_encryption_key(settings: Settings) -> bytes:
    """The KEK; a ``ConfigurationError`` (one line) when it is missing, malformed or exposed."""
    if settings.secret_key:
        return decode_secret(settings.secret_key)
    if settings.environment == "production":
        raise ConfigurationError(
            "BADGESERVICE_SECRET_KEY: production needs the key-encryption key; "
            "make one with `badgeservice keys new-secret`"
        )
    return _development_master_key(settings.keys_dir / MASTER_KEY_FILE)


def _development_master_key(path: Path) -> bytes:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_master_key(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(new_secret() + "\n")
    log.info("created a development key-encryption key", extra={"path": str(path)})
    return _read_master_key(path)


def _read_master_key(path: Path) -> bytes:
    if path.stat().st_mode & 0o077:
        raise ConfigurationError(
            f"{path} is readable by other users than its owner; run `chmod 600 {path}`"
        )
    try:
        return decode_secret(path.read_text())
    except ValueError as exc:
        raise ConfigurationError(f"{path} {exc}") from None


def build_key_store(settings: Settings) -> KeyStore:
    return LocalKeyStore(load_key_encryption_key(settings))
