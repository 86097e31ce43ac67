"""Test-only CBOR writing for ecdsa-sd-2023 proof values (RFC 8949 definite-length items)."""

from __future__ import annotations

import base64
from typing import Any

BASE_HEADER = b"\xd9\x5d\x00"
DERIVED_HEADER = b"\xd9\x5d\x01"


def head(major: int, argument: int) -> bytes:
    """The initial byte(s) of a data item with the shortest argument encoding."""
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise ValueError("argument too large")


def encode(value: Any) -> bytes:
    """CBOR of ints, bytes, str, lists and dicts (no tags)."""
    if isinstance(value, bool) or value is None:
        raise TypeError("not used by proof values")
    if isinstance(value, int):
        return head(0, value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode("utf-8")
        return head(3, len(data)) + data
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(encode(item) for item in value)
    if isinstance(value, dict):
        items = b"".join(encode(k) + encode(v) for k, v in value.items())
        return head(5, len(value)) + items
    raise TypeError(type(value))


def proof_value(data: bytes) -> str:
    """Multibase base64url without padding."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def proof_bytes(value: str) -> bytes:
    body = value[1:]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
