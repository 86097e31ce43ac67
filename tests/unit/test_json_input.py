"""The JSON input limits: depth counted on the raw text, NULs found with their pointer."""

from __future__ import annotations

import json

import pytest

from badgeservice.domain.json_input import MAX_JSON_DEPTH, nul_pointer, too_deep


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_depth_limit_is_inclusive() -> None:
    assert not too_deep(nested(MAX_JSON_DEPTH))
    assert too_deep(nested(MAX_JSON_DEPTH + 1))
    assert too_deep(b'{"a": ' + nested(MAX_JSON_DEPTH) + b"}")


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": "' + b"[" * 200 + b'"}',  # brackets inside a string do not nest
        b'{"a": "\\"' + b"{" * 200 + b'"}',  # nor after an escaped quote
        b'["\\\\", "' + b"[" * 200 + b'"]',  # an escaped backslash ends before the quote
        b"[" + b",".join([nested(10)] * 1000) + b"]",  # wide, not deep
    ],
)
def test_strings_and_width_do_not_count(text: bytes) -> None:
    json.loads(text)  # valid JSON, so the test is about the limit only
    assert not too_deep(text)


def test_nul_pointer_names_the_member() -> None:
    assert nul_pointer({"a": [1, {"b/c": "x\x00"}]}) == "/a/1/b~1c"
    assert nul_pointer({"a\x00": 1}) == "/a\x00"
    assert nul_pointer(["ok", "\x00"]) == "/1"
    assert nul_pointer({"a": ["\\u0000", 0, None]}) is None
