"""A small per-process cache of fetched documents, and the ``Cache-Control`` lifetime rules.

A cache only: losing it, or two processes holding different copies for a while, changes
nothing but latency (DESIGN.md §11).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping
from typing import Generic, TypeVar

import cachetools

V = TypeVar("V")


class TtlCache(Generic[V]):
    """Bounded (least recently used goes first), thread-safe, with a lifetime per entry."""

    def __init__(self, maxsize: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._maxsize = maxsize
        self._lock = threading.Lock()
        self._entries: cachetools.TLRUCache[Hashable, tuple[float, V]] = cachetools.TLRUCache(
            maxsize=max(maxsize, 1), ttu=_expires_at, timer=clock
        )

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
        return None if entry is None else entry[1]

    def put(self, key: Hashable, value: V, ttl: float) -> None:
        """Keep ``value`` for ``ttl`` seconds; a lifetime of zero or less is not stored."""
        if ttl <= 0 or self._maxsize <= 0:
            return
        with self._lock:
            self._entries[key] = (ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            self._entries.expire()
            return len(self._entries)


def _expires_at(_key: Hashable, entry: tuple[float, object], now: float) -> float:
    return now + entry[0]


def cache_lifetime(headers: Mapping[str, str], default: float) -> float:
    """Seconds a response may be reused: 0 for ``no-store``/``no-cache``, else ``max-age``
    less ``Age``, else ``default``.

    See: https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2
    """
    directives = _directives(headers.get("cache-control", ""))
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    max_age = _seconds(directives.get("max-age"))
    if max_age is None:
        return default
    age = _seconds(headers.get("age")) or 0
    return float(max(max_age - age, 0))


def _directives(value: str) -> dict[str, str]:
    directives: dict[str, str] = {}
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        if name:
            directives.setdefault(name.strip().lower(), argument.strip().strip('"'))
    return directives


def _seconds(value: str | None) -> int | None:
    """A delta-seconds value, or ``None`` when absent or malformed (RFC 9111 §1.2.2)."""
    if value is None or not value.isdigit():
        return None
    return int(value)
