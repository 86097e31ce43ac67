"""Request counts in the database, so every replica counts the same (DESIGN.md §11).

A bucket is a keyed hash (``KeyStore.lookup_hash``) of what is limited, such as
``sign-in-address:ada@example.org`` or ``sign-in-ip:192.0.2.1``: neither an address nor an IP
is stored. ``allow`` counts the bucket's hits within the window and records one more only when
under the limit, so a refused request does not lengthen its own wait. Two replicas counting at
the same instant may both let one more through: a limit of 5 can let 6 pass, never 50.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import RateLimitHit
from badgeservice.services.keystore import KeyStore


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per ``window`` for the bucket named by ``key``."""

    key: str
    count: int
    window: timedelta


def allow(session: Session, key_store: KeyStore, limits: Sequence[Limit], now: datetime) -> bool:
    """Whether a request passes every limit; if so, it is counted in each bucket."""
    buckets = [(key_store.lookup_hash("rate-limit:" + limit.key), limit) for limit in limits]
    oldest = now - max((limit.window for limit in limits), default=timedelta())
    session.execute(delete(RateLimitHit).where(RateLimitHit.at < oldest))
    for bucket, limit in buckets:
        used = session.scalar(
            select(func.count())
            .select_from(RateLimitHit)
            .where(RateLimitHit.bucket == bucket, RateLimitHit.at > now - limit.window)
        )
        if (used or 0) >= limit.count:
            return False
    session.add_all(RateLimitHit(bucket=bucket, at=now) for bucket, _ in buckets)
    session.flush()
    return True
