"""Bitstring Status List: the GZIP'd bitstring, its entries and its list credential.

Bit ``0`` is the most significant bit of byte ``0``; an entry of ``statusSize`` bits at index
``i`` covers bits ``[i * statusSize, (i + 1) * statusSize)``. ``encodedList`` is the multibase
``u`` + base64url (no padding) of the GZIP'd bytes. StatusList2021 uses the same bitstring,
base64url without the multibase prefix.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from badgeservice.vc.errors import KeyFormatError, StatusListError
from badgeservice.vc.multibase import b64url_decode, encode_base64url

__all__ = [
    "DEFAULT_SIZE",
    "MAX_DECODED_BYTES",
    "StatusList",
    "build_status_entry",
    "build_status_list_credential",
    "read_status_entry",
]

#: The spec's minimum list length (16 KiB of bits) and our default.
DEFAULT_SIZE = 131_072
#: Decompressed size above which a list is refused (a GZIP bomb guard): 16 MiB = 134M entries.
MAX_DECODED_BYTES = 16 * 1024 * 1024
MAX_STATUS_SIZE = 8
ENTRY_TYPES = frozenset({"BitstringStatusListEntry", "StatusList2021Entry"})
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


class StatusList:
    """A list of ``size`` entries of ``status_size`` bits each, all zero at first.

    See: https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding
    """

    def __init__(
        self, size: int = DEFAULT_SIZE, *, status_size: int = 1, data: bytes | None = None
    ) -> None:
        if not 1 <= status_size <= MAX_STATUS_SIZE:
            raise StatusListError(
                f"statusSize {status_size} is not supported", code="status_size_invalid"
            )
        if size < 1:
            raise StatusListError(
                "a status list has at least one entry", code="status_list_length_invalid"
            )
        length = (size * status_size + 7) // 8
        if data is not None and len(data) != length:
            raise StatusListError(
                "data does not match the list size", code="status_list_length_invalid"
            )
        self.size = size
        self.status_size = status_size
        self._bits = bytearray(data) if data is not None else bytearray(length)

    def _check_index(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.size:
            raise StatusListError(
                f"index {index!r} is outside the list (0..{self.size - 1})",
                code="status_list_range",
            )

    def get(self, index: int) -> int:
        """The status value at ``index`` (0 = not set).

        See: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
        """
        self._check_index(index)
        value = 0
        for bit in range(index * self.status_size, (index + 1) * self.status_size):
            value = (value << 1) | ((self._bits[bit >> 3] >> (7 - (bit & 7))) & 1)
        return value

    def set(self, index: int, value: int = 1) -> None:
        """Set the status value at ``index`` (most significant bit first).

        See: https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-generation-algorithm
        """
        self._check_index(index)
        if isinstance(value, bool):
            value = int(value)
        if not 0 <= value < (1 << self.status_size):
            raise StatusListError(f"status value {value} does not fit", code="status_value_invalid")
        first = index * self.status_size
        for offset in range(self.status_size):
            bit = first + offset
            mask = 1 << (7 - (bit & 7))
            if (value >> (self.status_size - 1 - offset)) & 1:
                self._bits[bit >> 3] |= mask
            else:
                self._bits[bit >> 3] &= ~mask

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def set_indexes(self) -> list[int]:
        """Every index whose value is not zero (for tests and reports)."""
        return [
            i for i in range(self.size) if self._bits[(i * self.status_size) >> 3] and self.get(i)
        ]

    def encode(self) -> str:
        """``encodedList``: ``u`` + base64url(GZIP(bitstring)), no padding; the same bits always
        give the same string.

        See: https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-generation-algorithm
        """
        # zlib's own GZIP wrapper (mtime 0, OS byte of the platform) at level 6 reproduces the
        # spec's example byte for byte on Unix.
        deflater = zlib.compressobj(6, zlib.DEFLATED, 31)
        return encode_base64url(deflater.compress(bytes(self._bits)) + deflater.flush())

    @classmethod
    def decode(
        cls,
        encoded: str,
        *,
        status_size: int = 1,
        min_size: int = 0,
        max_bytes: int = MAX_DECODED_BYTES,
    ) -> StatusList:
        """Expand ``encodedList`` (``u``-prefixed, or bare base64url as StatusList2021 writes it).

        ``min_size`` (entries) is 0 by default because real lists are smaller than the spec's
        131,072 (DCC's have 100,000); pass :data:`DEFAULT_SIZE` to be strict.
        See: https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-expansion-algorithm
        """
        if not isinstance(encoded, str) or not encoded:
            raise StatusListError(
                "encodedList must be a non-empty string", code="status_list_invalid"
            )
        body = encoded[1:] if encoded.startswith("u") else encoded
        try:
            compressed = b64url_decode(body)
        except KeyFormatError as exc:
            raise StatusListError(
                "encodedList is not base64url", code="status_list_invalid"
            ) from exc
        data = _gunzip(compressed, max_bytes)
        size = len(data) * 8 // status_size
        if size < max(min_size, 1):
            raise StatusListError(
                f"the list has {size} entries, fewer than {max(min_size, 1)}",
                code="status_list_length_invalid",
            )
        return cls(size, status_size=status_size, data=data[: (size * status_size + 7) // 8])


def _gunzip(compressed: bytes, max_bytes: int) -> bytes:
    """GZIP-decompress, refusing more than ``max_bytes`` of output or trailing garbage."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        data = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as exc:
        raise StatusListError("encodedList is not GZIP data", code="status_list_invalid") from exc
    if len(data) > max_bytes:
        raise StatusListError(
            f"the list expands beyond {max_bytes} bytes", code="status_list_too_large"
        )
    if not inflater.eof or inflater.unused_data:
        raise StatusListError(
            "the GZIP stream is truncated or has trailing data", code="status_list_invalid"
        )
    return data


def build_status_entry(
    list_credential: str, index: int, purpose: str = "revocation", *, status_size: int = 1
) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` (``statusListIndex`` as a base-10 string).

    See: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry
    """
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError(f"invalid status list index {index!r}", code="status_list_range")
    entry: dict[str, Any] = {
        "id": f"{list_credential}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential,
    }
    if status_size != 1:
        entry["statusSize"] = status_size
    return entry


def build_status_list_credential(
    list_url: str,
    issuer: str | Mapping[str, Any],
    purpose: str | list[str],
    status_list: StatusList,
    *,
    valid_from: str | None = None,
    valid_until: str | None = None,
    ttl: int | None = None,
) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` whose subject carries ``encodedList``.

    See: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential
    """
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": status_list.encode(),
    }
    if ttl is not None:
        subject["ttl"] = ttl
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": dict(issuer) if isinstance(issuer, Mapping) else issuer,
    }
    if valid_from is not None:
        credential["validFrom"] = valid_from
    if valid_until is not None:
        credential["validUntil"] = valid_until
    credential["credentialSubject"] = subject
    return credential


def read_status_entry(entry: Mapping[str, Any]) -> tuple[str, int, str, int]:
    """``(statusListCredential, index, statusPurpose, statusSize)`` of a BitstringStatusListEntry
    or StatusList2021Entry; accepts the index as a string (spec) or a number (OB fixtures).

    See: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry
    """
    if not isinstance(entry, Mapping) or entry.get("type") not in ENTRY_TYPES:
        raise StatusListError("not a status list entry", code="status_entry_invalid")
    url, purpose, raw = (
        entry.get(k) for k in ("statusListCredential", "statusPurpose", "statusListIndex")
    )
    if not isinstance(url, str) or not isinstance(purpose, str):
        raise StatusListError(
            "the entry lacks statusListCredential or statusPurpose", code="status_entry_invalid"
        )
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        index = int(raw)
    elif isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        index = raw
    else:
        raise StatusListError(f"invalid statusListIndex {raw!r}", code="status_entry_invalid")
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_STATUS_SIZE:
        raise StatusListError(f"invalid statusSize {size!r}", code="status_size_invalid")
    return url, index, purpose, size
