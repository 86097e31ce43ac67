"""Limits on JSON we are sent, checked before anything else reads it: nesting depth (checked on
the raw text, before a parser recurses into it) and NUL characters (PostgreSQL cannot store
them in text; no field of ours means one)."""

from __future__ import annotations

import re
from typing import Any

MAX_JSON_DEPTH = 64
# A string (skipped whole, escapes included) or a bracket; nothing else matters for depth.
_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')
_OPENING = frozenset(b"[{")


def too_deep(text: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON ``text`` nests arrays and objects more than ``limit`` levels deep."""
    depth = 0
    for match in _TOKENS.finditer(text):
        first = match.group()[0]
        if first in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif first != ord('"'):
            depth -= 1
    return False


def nul_pointer(value: Any, prefix: str = "") -> str | None:
    """The JSON Pointer of the first string (member name or value) holding a NUL, or None."""
    if isinstance(value, str):
        return prefix if "\x00" in value else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, member in items:
        here = f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}"
        if isinstance(key, str) and "\x00" in key:
            return here
        found = nul_pointer(member, here)
        if found is not None:
            return found
    return None
