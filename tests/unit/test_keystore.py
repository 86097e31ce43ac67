from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from badgeservice.services.keystore import (
    KeyStoreError,
    LocalKeyStore,
    build_key_store,
    load_key_encryption_key,
    new_secret,
)
from badgeservice.settings import ConfigurationError, Settings, decode_secret


def test_seal_unseal_round_trip() -> None:
    store = LocalKeyStore(decode_secret(new_secret()))
    sealed = store.seal(b"private key bytes", context="issuer:1/key-1")
    assert b"private key bytes" not in sealed
    assert store.unseal(sealed, context="issuer:1/key-1") == b"private key bytes"


@pytest.mark.parametrize("tamper", ["context", "ciphertext", "kek", "format"])
def test_unseal_refuses_anything_altered(tamper: str) -> None:
    store = LocalKeyStore(decode_secret(new_secret()))
    sealed = store.seal(b"secret", context="a")
    context = "b" if tamper == "context" else "a"
    if tamper == "ciphertext":
        sealed = sealed[:-1] + bytes([sealed[-1] ^ 1])
    if tamper == "format":
        sealed = b"\x02" + sealed[1:]
    if tamper == "kek":
        store = LocalKeyStore(decode_secret(new_secret()))
    with pytest.raises(KeyStoreError):
        store.unseal(sealed, context=context)


def test_development_master_key_is_created_0600_once(tmp_path: Path) -> None:
    settings = Settings(keys_dir=tmp_path / "keys", secret_key=None)
    first = load_key_encryption_key(settings)
    path = tmp_path / "keys" / "master.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key_encryption_key(settings) == first
    sealed = build_key_store(settings).seal(b"x", context="c")
    assert build_key_store(settings).unseal(sealed, context="c") == b"x"


def test_configured_secret_wins_over_file(tmp_path: Path) -> None:
    secret = new_secret()
    settings = Settings(keys_dir=tmp_path, secret_key=secret)
    assert load_key_encryption_key(settings) == decode_secret(secret)
    assert not (tmp_path / "master.key").exists()


@pytest.mark.parametrize("secret", ["short", "!!!not base64!!!", "a" * 60])
def test_bad_secret_key_is_refused_at_startup(secret: str) -> None:
    with pytest.raises(ValidationError):
        Settings(secret_key=secret)


def test_lookup_hash_is_keyed_and_stable() -> None:
    secret = decode_secret(new_secret())
    store = LocalKeyStore(secret)
    assert store.lookup_hash("a@example.org") == LocalKeyStore(secret).lookup_hash("a@example.org")
    assert store.lookup_hash("a@example.org") != store.lookup_hash("b@example.org")
    other = LocalKeyStore(decode_secret(new_secret()))
    assert other.lookup_hash("a@example.org") != store.lookup_hash("a@example.org")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_master_key_readable_by_others_is_refused_naming_chmod(tmp_path: Path, mode: int) -> None:
    settings = Settings(keys_dir=tmp_path / "keys", secret_key=None)
    load_key_encryption_key(settings)
    path = tmp_path / "keys" / "master.key"
    path.chmod(mode)
    with pytest.raises(ConfigurationError) as refused:
        build_key_store(settings)
    assert str(refused.value).endswith(f"run `chmod 600 {path}`")
    assert path.read_text().strip() not in str(refused.value)
    path.chmod(0o600)
    assert build_key_store(settings)


def test_keys_folder_made_for_the_master_key_is_private(tmp_path: Path) -> None:
    load_key_encryption_key(Settings(keys_dir=tmp_path / "keys", secret_key=None))
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700


def test_unreadable_master_key_is_one_line_without_its_content(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    path.write_text("not-a-key-at-all\n")
    path.chmod(0o600)
    with pytest.raises(ConfigurationError) as refused:
        load_key_encryption_key(Settings(keys_dir=tmp_path, secret_key=None))
    assert str(refused.value).startswith(f"{path} must decode to 32 bytes")
    assert "not-a-key-at-all" not in str(refused.value)
