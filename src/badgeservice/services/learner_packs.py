"""A learner's learning packs (the backpack's ``/me/packs``): the packs they are on, how far
they have come through each, and the packs whose steps would give them skills they lack.

A learner is on a pack when one of their recipients (``backpack.claimed``) holds an active
credential of one of its steps, was awarded it, or is on one of its child packs. Progress is
one recipient's (``pack_progress.learner_lookup``), as the award is. A suggestion is a pack
they are not on whose achievement steps align to framework items (imported skills) none of
their active credentials aligns to; the most new skills first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import (
    Achievement,
    Credential,
    FrameworkItem,
    Issuer,
    Pack,
    PackAward,
    PackStep,
    User,
)
from badgeservice.domain.pack import MAX_NESTING, Progress
from badgeservice.services import pack_progress, skills_map
from badgeservice.services.backpack import claimed
from badgeservice.services.credentials import state_clause

MAX_PACKS = 100  # a learner on more packs sees the first hundred, by issuer and slug
SUGGESTIONS = 6
CHUNK = 500  # URLs per IN (…) when reading framework items


@dataclass(frozen=True)
class LearnerPack:
    pack: Pack
    issuer: Issuer
    progress: Progress
    award: PackAward | None


@dataclass(frozen=True)
class Suggestion:
    pack: Pack
    issuer: Issuer
    skills: list[FrameworkItem]  # the skills its steps would add, in framework order


def _held_achievements(user: User, now: datetime) -> Any:
    return (
        select(Credential.achievement_id)
        .where(Credential.recipient_lookup.in_(claimed(user)))
        .where(state_clause("active", now))
    )


def _pack_ids_on(session: Session, user: User, now: datetime) -> set[uuid.UUID]:
    by_step = select(PackStep.pack_id).where(
        PackStep.achievement_id.in_(_held_achievements(user, now))
    )
    by_award = select(PackAward.pack_id).where(PackAward.recipient_lookup.in_(claimed(user)))
    found = set(session.scalars(by_step)) | set(session.scalars(by_award))
    frontier = set(found)
    for _depth in range(MAX_NESTING):  # the packs that have those as steps, and theirs
        if not frontier:
            break
        parents = select(PackStep.pack_id).where(PackStep.child_pack_id.in_(frontier))
        frontier = set(session.scalars(parents)) - found
        found |= frontier
    return found


def _on(session: Session, user: User, found: list[Pack], now: datetime) -> list[LearnerPack]:
    progress = pack_progress.learner_progress(session, user, found, now)
    issuers = {i.id: i for i in session.scalars(select(Issuer).where(
        Issuer.id.in_({pack.issuer_id for pack in found})))}  # fmt: skip
    return [
        LearnerPack(
            pack, issuers[pack.issuer_id], progress[pack.id].progress, progress[pack.id].award
        )
        for pack in found
    ]


def progress_of(session: Session, user: User, pack: Pack, now: datetime) -> LearnerPack:
    """How far the user has come through ``pack`` (nothing done when they are not on it)."""
    return _on(session, user, [pack], now)[0]


def packs_on(session: Session, user: User, now: datetime) -> list[LearnerPack]:
    """The packs the user is on, each with their progress: unfinished ones first."""
    ids = _pack_ids_on(session, user, now)
    if not ids:
        return []
    query = (
        select(Pack)
        .join(Issuer, Issuer.id == Pack.issuer_id)
        .where(Pack.id.in_(ids))
        .order_by(Issuer.slug, Pack.slug)
        .limit(MAX_PACKS)
    )
    found = _on(session, user, list(session.scalars(query)), now)
    return sorted(found, key=lambda p: p.progress.complete)


def _items(session: Session, urls: set[str]) -> dict[str, FrameworkItem]:
    ordered = sorted(urls)
    found: dict[str, FrameworkItem] = {}
    for start in range(0, len(ordered), CHUNK):
        query = select(FrameworkItem).where(FrameworkItem.url.in_(ordered[start : start + CHUNK]))
        found |= {item.url: item for item in session.scalars(query)}
    return found


def suggestions(
    session: Session,
    user: User,
    now: datetime,
    *,
    exclude: set[uuid.UUID],
    limit: int = SUGGESTIONS,
) -> list[Suggestion]:
    """Packs not in ``exclude`` (those the user is on) that would add skills they lack."""
    held = {
        item.url for _, items in skills_map.learner_skills(session, user, now) for item in items
    }
    steps = select(PackStep.pack_id, Achievement.alignments).join(
        Achievement, Achievement.id == PackStep.achievement_id
    )
    wanted: dict[uuid.UUID, set[str]] = {}
    for pack_id, alignments in session.execute(steps):
        if pack_id in exclude:
            continue
        for alignment in alignments or []:
            url = alignment.get("targetUrl") if isinstance(alignment, dict) else None
            if isinstance(url, str) and url not in held:
                wanted.setdefault(pack_id, set()).add(url)
    items = _items(session, set().union(*wanted.values()))
    adds = {
        pack_id: sorted(
            (items[url] for url in urls if url in items), key=lambda i: (i.position, i.code)
        )
        for pack_id, urls in wanted.items()
    }
    ranked = sorted(
        (pack_id for pack_id in adds if adds[pack_id]), key=lambda p: (-len(adds[p]), str(p))
    )
    chosen: list[Suggestion] = []
    for pack_id in ranked[:limit]:
        pack = session.get_one(Pack, pack_id)
        chosen.append(Suggestion(pack, session.get_one(Issuer, pack.issuer_id), adds[pack_id]))
    return chosen
