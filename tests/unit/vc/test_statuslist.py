"""Bitstring Status List: bit order, encode/decode, builders, refusals, a property test."""

from __future__ import annotations

import base64
import gzip
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badgeservice.vc.errors import StatusListError
from badgeservice.vc.statuslist import (
    DEFAULT_SIZE,
    StatusList,
    build_status_entry,
    build_status_list_credential,
    read_status_entry,
)
from tests.conftest import stable_id

LIST_URL = "https://example.com/status/1"


def u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(
    ("index", "byte", "value"),
    [(0, 0, 0x80), (7, 0, 0x01), (8, 1, 0x80), (23, 2, 0x01), (DEFAULT_SIZE - 1, 16383, 0x01)],
)
def test_bit_zero_is_the_most_significant_bit_of_byte_zero(
    index: int, byte: int, value: int
) -> None:
    status = StatusList()
    status.set(index)
    assert status.to_bytes()[byte] == value
    assert status.get(index) == 1
    assert status.set_indexes() == [index]


@pytest.mark.parametrize(
    ("index", "value", "first_byte"),
    [(0, 0b10, 0x80), (0, 0b11, 0xC0), (1, 0b01, 0x10), (3, 0b11, 0x03)],
)
def test_multi_bit_entries_are_written_most_significant_first(
    index: int, value: int, first_byte: int
) -> None:
    status = StatusList(16, status_size=2)
    status.set(index, value)
    assert status.to_bytes()[0] == first_byte
    assert status.get(index) == value


def test_set_zero_clears_an_entry() -> None:
    status = StatusList()
    status.set(42)
    status.set(42, 0)
    assert status.get(42) == 0
    assert status.set_indexes() == []


def test_default_list_matches_the_spec_example_byte_for_byte() -> None:
    assert (
        StatusList().encode()
        == "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
    )


@pytest.mark.parametrize("prefix", ["u", ""])
def test_decode_accepts_multibase_and_statuslist2021_forms(prefix: str) -> None:
    status = StatusList(DEFAULT_SIZE)
    status.set(94567)
    encoded = status.encode()
    decoded = StatusList.decode(prefix + encoded[1:])
    assert decoded.size == DEFAULT_SIZE
    assert decoded.set_indexes() == [94567]


def test_decode_reads_lists_from_other_gzip_writers() -> None:
    data = bytearray(12_500)  # DCC-sized list: 100,000 entries
    data[0] = 0x01
    decoded = StatusList.decode(u(gzip.compress(bytes(data), mtime=1_700_000_000)))
    assert decoded.size == 100_000
    assert decoded.get(7) == 1


def _gzip_with_trailer() -> str:
    return u(gzip.compress(b"\0" * 16) + b"junk")


@pytest.mark.parametrize(
    ("encoded", "kwargs", "code"),
    [
        ("", {}, "status_list_invalid"),
        (None, {}, "status_list_invalid"),
        ("u!!!!", {}, "status_list_invalid"),
        (u(b"not gzip at all"), {}, "status_list_invalid"),
        (u(gzip.compress(b"\0" * 100)[:-6]), {}, "status_list_invalid"),
        (_gzip_with_trailer(), {}, "status_list_invalid"),
        (u(gzip.compress(b"")), {}, "status_list_length_invalid"),
        (
            u(gzip.compress(b"\0" * 12_500)),
            {"min_size": DEFAULT_SIZE},
            "status_list_length_invalid",
        ),
        (u(gzip.compress(b"\0" * 4096)), {"max_bytes": 1024}, "status_list_too_large"),
        (u(gzip.compress(b"\0" * 16)), {"status_size": 9}, "status_size_invalid"),
    ],
    ids=stable_id,
)
def test_decode_refuses_garbage_and_oversize(
    encoded: Any, kwargs: dict[str, Any], code: str
) -> None:
    with pytest.raises(StatusListError) as info:
        StatusList.decode(encoded, **kwargs)
    assert info.value.code == code


def test_decode_stops_a_gzip_bomb_without_expanding_it() -> None:
    deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = deflater.compress(b"\0" * (64 * 1024 * 1024)) + deflater.flush()
    with pytest.raises(StatusListError) as info:
        StatusList.decode(u(bomb))
    assert info.value.code == "status_list_too_large"


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda s: s.get(DEFAULT_SIZE), "status_list_range"),
        (lambda s: s.get(-1), "status_list_range"),
        (lambda s: s.get(True), "status_list_range"),
        (lambda s: s.set(0, 2), "status_value_invalid"),
        (lambda s: StatusList(0), "status_list_length_invalid"),
        (lambda s: StatusList(8, data=b"\0\0"), "status_list_length_invalid"),
    ],
)
def test_status_list_refuses_out_of_range_use(call: Any, code: str) -> None:
    with pytest.raises(StatusListError) as info:
        call(StatusList())
    assert info.value.code == code


@settings(max_examples=60, deadline=None)
@given(
    status_size=st.sampled_from([1, 2, 3, 8]),
    writes=st.lists(st.tuples(st.integers(0, 999), st.integers(0, 255)), max_size=40),
)
def test_set_then_get_round_trips_through_encoding(
    status_size: int, writes: list[tuple[int, int]]
) -> None:
    status, expected = StatusList(1000, status_size=status_size), {}
    for index, raw in writes:
        value = raw % (1 << status_size)
        status.set(index, value)
        expected[index] = value
    decoded = StatusList.decode(status.encode(), status_size=status_size)
    assert all(decoded.get(i) == expected.get(i, 0) for i in range(1000))


def test_build_status_entry_writes_the_index_as_a_string() -> None:
    assert build_status_entry(LIST_URL, 94567) == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    assert build_status_entry(LIST_URL, 1, "message", status_size=2)["statusSize"] == 2


@pytest.mark.parametrize("index", [-1, True, "3"])
def test_build_status_entry_refuses_bad_indexes(index: Any) -> None:
    with pytest.raises(StatusListError):
        build_status_entry(LIST_URL, index)


def test_build_status_list_credential_carries_the_encoded_list() -> None:
    status = StatusList()
    status.set(7)
    document = build_status_list_credential(
        LIST_URL,
        "did:web:example.com",
        "revocation",
        status,
        valid_from="2024-01-01T00:00:00Z",
        ttl=300000,
    )
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = document["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert StatusList.decode(subject["encodedList"]).set_indexes() == [7]
    assert document["validFrom"] == "2024-01-01T00:00:00Z"
    assert subject["ttl"] == 300000


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (build_status_entry(LIST_URL, 5), (LIST_URL, 5, "revocation", 1)),
        (
            {
                "type": "StatusList2021Entry",
                "statusPurpose": "suspension",
                "statusListIndex": 23,
                "statusListCredential": LIST_URL,
            },
            (LIST_URL, 23, "suspension", 1),
        ),
    ],
)
def test_read_status_entry_accepts_string_and_number_indexes(
    entry: dict[str, Any], expected: tuple[str, int, str, int]
) -> None:
    assert read_status_entry(entry) == expected


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"type": "1EdTechRevocationList"}, "status_entry_invalid"),
        ({"statusListIndex": "-1"}, "status_entry_invalid"),
        ({"statusListIndex": "\uff11"}, "status_entry_invalid"),
        ({"statusListIndex": 1.5}, "status_entry_invalid"),
        ({"statusListCredential": None}, "status_entry_invalid"),
        ({"statusSize": 0}, "status_size_invalid"),
    ],
)
def test_read_status_entry_refuses_bad_entries(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(StatusListError) as info:
        read_status_entry({**build_status_entry(LIST_URL, 5), **changes})
    assert info.value.code == code
