"""A person's progress through a pack, computed issuer-side from the credentials they hold
ACTIVE at ``now`` (``domain/credential_state.py`` through ``credentials.state_clause``), never
from what they chose to make public. A ``pack`` step is done when the child pack is complete."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Pack, PackAward, PackStep, User
from badgeservice.domain.pack import MAX_NESTING, Progress, progress
from badgeservice.domain.recipient import RecipientError, RecipientKind
from badgeservice.domain.urls import credential_url
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.services import backpack, packs
from badgeservice.services.credentials import state_clause
from badgeservice.services.keystore import KeyStore


def active_of(
    session: Session, lookup: str, achievement_ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, Credential]:
    """achievement id → the newest credential of it that ``lookup`` holds active at ``now``."""
    if not achievement_ids:
        return {}
    query = (
        select(Credential)
        .where(Credential.recipient_lookup == lookup)
        .where(Credential.achievement_id.in_(achievement_ids))
        .where(state_clause("active", now))
        .order_by(Credential.issued_at, Credential.id)
    )
    return {c.achievement_id: c for c in session.scalars(query)}


def progress_of_packs(
    session: Session, pack_ids: Collection[uuid.UUID], lookups: Collection[str], now: datetime
) -> dict[tuple[uuid.UUID, str], Progress]:
    """``(pack id, lookup)`` → that recipient's progress through that pack, for every pair, in
    a few statements whatever the number of packs: the packs and their child packs (to
    ``MAX_NESTING``) with their steps, then the step achievements each lookup holds active."""
    loaded: dict[uuid.UUID, Pack] = {}
    steps: dict[uuid.UUID, list[PackStep]] = {}
    wanted = set(pack_ids)
    for _depth in range(MAX_NESTING + 1):
        if not wanted:
            break
        loaded |= {p.id: p for p in session.scalars(select(Pack).where(Pack.id.in_(wanted)))}
        in_order = select(PackStep).where(PackStep.pack_id.in_(wanted)).order_by(PackStep.position)
        for step in session.scalars(in_order):
            steps.setdefault(step.pack_id, []).append(step)
        children = {s.child_pack_id for w in wanted for s in steps.get(w, []) if s.child_pack_id}
        wanted = children - loaded.keys()
    achievements = {s.achievement_id for found in steps.values() for s in found if s.achievement_id}
    held: dict[str, set[str]] = {lookup: set() for lookup in lookups}
    if achievements and lookups:
        query = (
            select(Credential.recipient_lookup, Credential.achievement_id)
            .where(Credential.recipient_lookup.in_(list(lookups)))
            .where(Credential.achievement_id.in_(achievements))
            .where(state_clause("active", now))
        )
        for lookup, achievement_id in session.execute(query):
            held[str(lookup)].add(str(achievement_id))
    walked: dict[tuple[uuid.UUID, str], Progress] = {}

    def walk(pack_id: uuid.UUID, lookup: str, depth: int) -> Progress:
        if (pack_id, lookup) not in walked:
            own = steps.get(pack_id, [])
            complete = {
                str(s.child_pack_id)
                for s in own
                if s.child_pack_id in loaded
                and depth < MAX_NESTING
                and walk(s.child_pack_id, lookup, depth + 1).complete
            }
            rules = packs.step_rules(own), packs.group_rules(loaded[pack_id])
            walked[(pack_id, lookup)] = progress(*rules, held[lookup], complete)
        return walked[(pack_id, lookup)]

    return {
        (pack_id, lookup): walk(pack_id, lookup, 0)
        for pack_id in pack_ids
        if pack_id in loaded
        for lookup in lookups
    }


def pack_progress(session: Session, pack: Pack, lookup: str, now: datetime) -> Progress:
    """One recipient's progress through one pack."""
    return progress_of_packs(session, [pack.id], [lookup], now)[(pack.id, lookup)]


def recipient_progress(
    session: Session,
    key_store: KeyStore,
    pack: Pack,
    kind: RecipientKind,
    value: str,
    now: datetime,
) -> tuple[Progress, PackAward | None]:
    """An email's or a Wikimedia username's progress through ``pack``, and its award if made."""
    from badgeservice.services.issuance import lookup_of  # issuance → pack_awards → here

    try:
        lookup = lookup_of(key_store, kind, value)
    except RecipientError as exc:
        raise ValidationFailedError(errors=[FieldError("/query/recipient", str(exc))]) from exc
    return pack_progress(session, pack, lookup, now), award_of(session, pack, lookup)


def award_of(session: Session, pack: Pack, lookup: str) -> PackAward | None:
    query = select(PackAward).where(
        PackAward.pack_id == pack.id, PackAward.recipient_lookup == lookup
    )
    return session.scalar(query)


def nothing_held(session: Session, pack: Pack) -> Progress:
    """The progress of someone who holds none of the pack's steps."""
    return progress(
        packs.step_rules(packs.steps_of(session, pack)), packs.group_rules(pack), (), ()
    )


def choose_lookup(candidates: Mapping[str, tuple[bool, int]]) -> str | None:
    """Which recipient's progress a learner sees, from each one's ``(awarded, steps held)``:
    the first (in sorted order) the pack was awarded to, else the one holding the most of its
    steps (the first on a tie); None when none holds any."""
    best: tuple[int, str] | None = None
    for lookup in sorted(candidates):
        awarded, held = candidates[lookup]
        if awarded:
            return lookup
        if held and (best is None or held > best[0]):
            best = (held, lookup)
    return best[1] if best else None


@dataclass(frozen=True)
class LearnerProgress:
    lookup: str | None  # whose progress it is (``choose_lookup``); None: none holds a step
    progress: Progress
    award: PackAward | None


def learner_progress(
    session: Session, user: User, packs_of: Collection[Pack], now: datetime
) -> dict[uuid.UUID, LearnerProgress]:
    """pack id → the user's progress through it: one recipient's (``choose_lookup``), as the
    award is one recipient's. The learner's pages and CLR show this one."""
    lookups = sorted(session.scalars(backpack.claimed(user)))
    ids = [pack.id for pack in packs_of]
    found = progress_of_packs(session, ids, lookups, now)
    query = select(PackAward).where(
        PackAward.pack_id.in_(ids), PackAward.recipient_lookup.in_(lookups)
    )
    awards = {(a.pack_id, a.recipient_lookup): a for a in session.scalars(query)}
    out: dict[uuid.UUID, LearnerProgress] = {}
    for pack in packs_of:
        candidates = {
            lookup: (
                (pack.id, lookup) in awards,
                sum(s.done for s in found[(pack.id, lookup)].steps),
            )
            for lookup in lookups
        }
        chosen = choose_lookup(candidates)
        shown = chosen or (lookups[0] if lookups else None)  # none holds a step: nothing done
        progress = found[(pack.id, shown)] if shown else nothing_held(session, pack)
        award = awards.get((pack.id, chosen)) if chosen else None
        out[pack.id] = LearnerProgress(chosen, progress, award)
    return out


def learner_lookup(session: Session, user: User, pack: Pack, now: datetime) -> str | None:
    """Which of the user's recipients (an email, a Wikimedia account) is on ``pack``."""
    return learner_progress(session, user, [pack], now)[pack.id].lookup


def progress_body(progress: Progress, award: PackAward | None, base_url: str) -> dict[str, Any]:
    """A progress as the API and the learner's ``.json`` say it."""
    return {
        "complete": progress.complete,
        "stepsDone": progress.done,
        "stepsNeeded": progress.needed,
        "steps": [
            {"position": s.position, "kind": s.kind, "done": s.done, "counted": s.counted}
            for s in progress.steps
        ],
        "groups": [
            {"key": g.key, "required": g.required, "done": g.done, "met": g.met}
            for g in progress.groups
        ],
        "award": None
        if award is None
        else {
            "awardedAt": award.awarded_at.isoformat(),
            "credential": credential_url(base_url, award.credential_id)
            if award.credential_id
            else None,
        },
    }
