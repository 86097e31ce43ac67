"""Multibase strings (base58btc ``z``, base64url ``u``) and multicodec headers.

A multikey value is ``multibase(varint(multicodec) || raw key bytes)``; this module does the
byte-level part and leaves the key semantics to :mod:`badgeservice.vc.keys`.
"""

from __future__ import annotations

import base64
import binascii

import base58

from badgeservice.vc.errors import KeyFormatError

__all__ = [
    "ED25519_PRIV",
    "ED25519_PUB",
    "P256_PRIV",
    "P256_PUB",
    "P384_PRIV",
    "P384_PUB",
    "P521_PRIV",
    "P521_PUB",
    "add_multicodec",
    "b64url_decode",
    "b64url_encode",
    "decode_base58btc",
    "decode_multibase",
    "encode_base58btc",
    "encode_base64url",
    "split_multicodec",
]

# Multicodec table codes (https://github.com/multiformats/multicodec/blob/master/table.csv).
ED25519_PUB = 0xED
ED25519_PRIV = 0x1300
P256_PUB = 0x1200
P384_PUB = 0x1201
P521_PUB = 0x1202
P256_PRIV = 0x1306
P384_PRIV = 0x1307
P521_PRIV = 0x1308

_MAX_VARINT_BYTES = 9


def encode_base58btc(data: bytes) -> str:
    """``'z'`` + base58btc (Bitcoin alphabet) of ``data``.

    See: https://www.w3.org/TR/cid-1.0/#multibase-0
    """
    return "z" + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: str) -> bytes:
    """Decode a ``'z'``-prefixed base58btc multibase string.

    See: https://www.w3.org/TR/cid-1.0/#multibase-0
    """
    if not isinstance(value, str) or len(value) < 2 or not value.startswith("z"):
        raise KeyFormatError(
            "expected a base58btc multibase value ('z…')", code="multibase_invalid"
        )
    try:
        return base58.b58decode(value[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise KeyFormatError(f"invalid base58btc: {exc}", code="multibase_invalid") from exc


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 4648 §5), as JOSE and multibase ``u`` use it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(value: str) -> bytes:
    """Decode base64url with or without padding; refuse any other alphabet."""
    if not isinstance(value, str) or "=" in value.rstrip("="):
        raise KeyFormatError("invalid base64url value", code="multibase_invalid")
    stripped = value.rstrip("=")
    if len(stripped) % 4 == 1:
        raise KeyFormatError("invalid base64url length", code="multibase_invalid")
    try:
        return base64.b64decode(
            stripped + "=" * (-len(stripped) % 4), altchars=b"-_", validate=True
        )
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError(f"invalid base64url: {exc}", code="multibase_invalid") from exc


def encode_base64url(data: bytes) -> str:
    """``'u'`` + base64url without padding.

    See: https://www.w3.org/TR/cid-1.0/#multibase-0
    """
    return "u" + b64url_encode(data)


def decode_multibase(value: str) -> bytes:
    """Decode a multibase string in base58btc (``z``) or base64url (``u``).

    See: https://www.w3.org/TR/cid-1.0/#multibase-0
    """
    if isinstance(value, str) and value.startswith("u"):
        return b64url_decode(value[1:])
    return decode_base58btc(value)


def add_multicodec(code: int, raw: bytes) -> bytes:
    """Prefix ``raw`` with the unsigned-varint encoding of ``code``.

    See: https://github.com/multiformats/unsigned-varint
    """
    out = bytearray()
    while True:
        byte = code & 0x7F
        code >>= 7
        if code:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out) + raw


def split_multicodec(data: bytes) -> tuple[int, bytes]:
    """Read the leading unsigned varint: ``(code, rest)``.

    See: https://github.com/multiformats/unsigned-varint
    """
    code, shift = 0, 0
    for position, byte in enumerate(data[:_MAX_VARINT_BYTES]):
        code |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return code, data[position + 1 :]
    raise KeyFormatError("truncated multicodec header", code="multicodec_invalid")
