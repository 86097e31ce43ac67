"""The shared catalogue: achievements their issuers share so that any issuer can issue them
(the OB 3.0 skill-assertion pattern: one `Achievement`, `achievementType: Competency`, its
defining organisation as `creator`, issued by many with their own signatures)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Issuer
from badgeservice.domain.achievement import achievement_languages
from badgeservice.domain.languages import match_language

__all__ = ["MAX_QUERY", "shared_achievements", "shared_by_others"]

MAX_QUERY = 200


def _matches(achievement: Achievement, words: list[str]) -> bool:
    texts = [*achievement.name.values(), *achievement.description.values(), *achievement.tags]
    texts += [str(a.get("targetName", "")) for a in achievement.alignments]
    haystack = "\n".join(texts).casefold()
    return all(word in haystack for word in words)


def _offers(achievement: Achievement, language: str | None) -> bool:
    """Whether the achievement has a name in ``language`` (``de`` serves ``de-CH``)."""
    if language is None:
        return True
    offered = achievement_languages(achievement.default_language, achievement.name)
    return match_language(offered, language) is not None


def shared_achievements(
    session: Session,
    query: str = "",
    *,
    language: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Achievement, Issuer]], int]:
    """Shared achievements whose name, description, tags or alignments hold every word of
    ``query`` (any language, case-insensitive) and, when ``language`` (a normalized BCP 47
    tag) is given, that are named in it; oldest first, with their defining issuers."""
    words = query[:MAX_QUERY].casefold().split()
    rows = session.execute(
        select(Achievement, Issuer)
        .join(Issuer, Issuer.id == Achievement.issuer_id)
        .where(Achievement.shared.is_(True))
        .order_by(Achievement.created_at, Achievement.id)
    )
    found = [(a, i) for a, i in rows if _matches(a, words) and _offers(a, language)]
    return found[offset : offset + limit], len(found)


def shared_by_others(
    session: Session, issuer: Issuer, *, limit: int
) -> list[tuple[Achievement, Issuer]]:
    """The catalogue's achievements ``issuer`` did not define (its own are in its list), with
    their defining issuers: what its issue forms offer "from the shared catalogue"."""
    rows = session.execute(
        select(Achievement, Issuer)
        .join(Issuer, Issuer.id == Achievement.issuer_id)
        .where(Achievement.shared.is_(True), Achievement.issuer_id != issuer.id)
        .order_by(Achievement.created_at, Achievement.id)
        .limit(limit)
    )
    return [(a, i) for a, i in rows]
