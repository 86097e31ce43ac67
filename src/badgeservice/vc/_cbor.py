"""A strict, bounded CBOR reader for the subset ``ecdsa-sd-2023`` proof values use.

Proof values are CBOR arrays of byte strings, text strings, unsigned integers, arrays and
maps, with definite lengths and no tags (the suite forbids tagging; tag 64 around a byte
string, which some encoders write for a typed byte array, is read as that byte string).
Everything else (floats, simple values, indefinite lengths, other tags, negative integers)
is refused, as is trailing data. Work is bounded: at most ``MAX_ITEMS`` items and
``MAX_DEPTH`` levels of nesting, and no length may exceed the bytes left.

See: https://www.rfc-editor.org/rfc/rfc8949#section-3
"""

from __future__ import annotations

from typing import Any

from badgeservice.vc.errors import ProofError

__all__ = ["MAX_DEPTH", "MAX_ITEMS", "decode"]

MAX_DEPTH = 8
MAX_ITEMS = 100_000

_UINT, _BYTES, _TEXT, _ARRAY, _MAP, _TAG = 0, 2, 3, 4, 5, 6
_TYPED_BYTES_TAG = 64


def _malformed(message: str) -> ProofError:
    return ProofError(f"proofValue CBOR: {message}", code="proof_value_malformed")


class _Reader:
    __slots__ = ("data", "items", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.items = 0

    def take(self, count: int) -> bytes:
        if count > len(self.data) - self.pos:
            raise _malformed("truncated")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def head(self) -> tuple[int, int]:
        """The initial byte's major type and its argument (RFC 8949 §3)."""
        self.items += 1
        if self.items > MAX_ITEMS:
            raise _malformed(f"more than {MAX_ITEMS} items")
        initial = self.take(1)[0]
        major, info = initial >> 5, initial & 0x1F
        if info < 24:
            return major, info
        if info > 27:
            raise _malformed("indefinite lengths and reserved values are not allowed")
        return major, int.from_bytes(self.take(1 << (info - 24)), "big")

    def item(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _malformed(f"nested deeper than {MAX_DEPTH}")
        major, argument = self.head()
        if major == _UINT:
            return argument
        if major in (_BYTES, _TEXT):
            chunk = self.take(argument)
            if major == _BYTES:
                return chunk
            try:
                return chunk.decode("utf-8")
            except UnicodeDecodeError:
                raise _malformed("a text string is not UTF-8") from None
        if major in (_ARRAY, _MAP):
            # Every item takes at least one byte: a longer count cannot be honest.
            if argument > len(self.data) - self.pos:
                raise _malformed("truncated")
            if major == _ARRAY:
                return [self.item(depth + 1) for _ in range(argument)]
            return self.pairs(argument, depth)
        if major == _TAG and argument == _TYPED_BYTES_TAG:
            value = self.item(depth + 1)
            if isinstance(value, bytes):
                return value
        raise _malformed(f"unsupported item (major type {major})")

    def pairs(self, count: int, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for _ in range(count):
            key = self.item(depth + 1)
            if not isinstance(key, int | str):
                raise _malformed("map keys must be integers or text")
            if key in result:
                raise _malformed("duplicate map key")
            result[key] = self.item(depth + 1)
        return result


def decode(data: bytes) -> Any:
    """Decode one CBOR data item that fills ``data`` exactly; ProofError otherwise."""
    reader = _Reader(data)
    value = reader.item(0)
    if reader.pos != len(data):
        raise _malformed("trailing bytes after the data item")
    return value
