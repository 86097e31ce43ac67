"""The fetcher's per-process cache: TTL, ``Cache-Control``, bounds. HTTP through
``httpx.MockTransport``, time through an injected clock (no sleeping)."""

from __future__ import annotations

import httpx
import pytest

from badgeservice.remote import TtlCache, cache_lifetime
from tests.unit.test_remote import PUBLIC, json_ok, make_fetcher, recording


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("cache_control", "honour", "ttl", "advance", "requests"),
    [
        (None, False, 300, 299, 1),
        (None, False, 300, 301, 2),
        ("no-store", False, 300, 10, 1),  # not honoured: the fetcher's own TTL applies
        ("no-store", True, 300, 0, 2),
        ("no-cache", True, 300, 0, 2),
        ("max-age=60", True, 300, 59, 1),
        ("max-age=60", True, 300, 61, 2),
        ("max-age=600", True, 300, 599, 1),
        ("public, max-age=0", True, 300, 0, 2),
        (None, True, 300, 299, 1),
        (None, False, 0, 0, 2),
    ],
)
def test_fetch_caches_per_ttl_and_cache_control(
    cache_control: str | None, honour: bool, ttl: float, advance: float, requests: int
) -> None:
    headers = {"Cache-Control": cache_control} if cache_control else {}
    handler, seen = recording(lambda request: httpx.Response(200, headers=headers, content=b"{}"))
    clock = Clock()
    fetcher = make_fetcher(handler, cache_ttl=ttl, clock=clock)
    first = fetcher.fetch_bytes(f"{PUBLIC}/list", honour_cache_control=honour)
    clock.now += advance
    again = fetcher.fetch_bytes(f"{PUBLIC}/list", honour_cache_control=honour)
    assert len(seen) == requests
    assert again.content == first.content


def test_fetch_bypasses_cache_when_use_cache_is_false() -> None:
    handler, seen = recording(json_ok)
    fetcher = make_fetcher(handler)
    for _ in range(2):
        fetcher.fetch_bytes(f"{PUBLIC}/doc", use_cache=False)
    fetcher.fetch_bytes(f"{PUBLIC}/doc")
    assert len(seen) == 3


def test_fetch_with_refresh_skips_the_cached_copy_and_keeps_the_new_one() -> None:
    counter = iter(range(1, 10))
    handler, seen = recording(lambda request: httpx.Response(200, json={"n": next(counter)}))
    fetcher = make_fetcher(handler)
    assert fetcher.fetch_json(f"{PUBLIC}/list") == {"n": 1}
    assert fetcher.fetch_json(f"{PUBLIC}/list") == {"n": 1}
    assert fetcher.fetch_json(f"{PUBLIC}/list", refresh=True) == {"n": 2}
    assert fetcher.fetch_json(f"{PUBLIC}/list") == {"n": 2}
    assert len(seen) == 2


def test_fetch_keeps_cache_entries_per_accept() -> None:
    handler, seen = recording(json_ok)
    fetcher = make_fetcher(handler)
    fetcher.fetch_bytes(f"{PUBLIC}/doc", accept="application/json")
    fetcher.fetch_bytes(f"{PUBLIC}/doc", accept="application/vc+jwt")
    fetcher.fetch_bytes(f"{PUBLIC}/doc", accept="application/json")
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 300.0),
        ({"cache-control": "max-age=120"}, 120.0),
        ({"cache-control": "public, MAX-AGE=120", "age": "20"}, 100.0),
        ({"cache-control": "max-age=10", "age": "30"}, 0.0),
        ({"cache-control": 'max-age="45"'}, 45.0),
        ({"cache-control": "max-age=abc"}, 300.0),
        ({"cache-control": "no-store, max-age=120"}, 0.0),
        ({"cache-control": "no-cache"}, 0.0),
    ],
)
def test_cache_lifetime_reads_cache_control(headers: dict[str, str], expected: float) -> None:
    assert cache_lifetime(headers, 300.0) == expected


def test_ttl_cache_drops_least_recently_used_when_full() -> None:
    cache: TtlCache[str] = TtlCache(2, clock=Clock())
    cache.put("a", "A", 60)
    cache.put("b", "B", 60)
    assert cache.get("a") == "A"
    cache.put("c", "C", 60)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == ("A", None, "C", 2)


def test_fetch_json_returns_a_fresh_dict_when_cached() -> None:
    fetcher = make_fetcher(json_ok)
    first = fetcher.fetch_json(f"{PUBLIC}/doc")
    first["id"] = "changed"
    assert fetcher.fetch_json(f"{PUBLIC}/doc") == {"id": f"{PUBLIC}/doc"}
