"""The shared catalogue: achievements their issuers share so that any issuer can issue them
(the OB 3.0 skill-assertion pattern: one `Achievement`, `achievementType: Competency`, its
defining organisation as `creator`, issued by many with their own signatures)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Issuer

__all__ = ["MAX_QUERY", "shared_achievements"]

MAX_QUERY = 200


def _matches(achievement: Achievement, words: list[str]) -> bool:
    texts = [*achievement.name.values(), *achievement.description.values(), *achievement.tags]
    texts += [str(a.get("targetName", "")) for a in achievement.alignments]
    haystack = "\n".join(texts).casefold()
    return all(word in haystack for word in words)


def shared_achievements(
    session: Session, query: str = "", *, limit: int = 50, offset: int = 0
) -> tuple[list[tuple[Achievement, Issuer]], int]:
    """Shared achievements whose name, description, tags or alignments hold every word of
    ``query`` (any language, case-insensitive), oldest first, with their defining issuers."""
    words = query[:MAX_QUERY].casefold().split()
    rows = session.execute(
        select(Achievement, Issuer)
        .join(Issuer, Issuer.id == Achievement.issuer_id)
        .where(Achievement.shared.is_(True))
        .order_by(Achievement.created_at, Achievement.id)
    )
    found = [(a, i) for a, i in rows if _matches(a, words)]
    return found[offset : offset + limit], len(found)
