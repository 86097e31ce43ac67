"""A person's progress through a pack, computed issuer-side from the credentials they hold
ACTIVE at ``now`` (``domain/credential_state.py`` through ``credentials.state_clause``), never
from what they chose to make public. A ``pack`` step is done when the child pack is complete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Pack, PackAward, User
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


def pack_progress(
    session: Session, pack: Pack, lookup: str, now: datetime, *, depth: int = 0
) -> Progress:
    steps = packs.steps_of(session, pack)
    held = active_of(session, lookup, [s.achievement_id for s in steps if s.achievement_id], now)
    complete: set[str] = set()
    if depth < MAX_NESTING:
        for step in steps:
            child = session.get(Pack, step.child_pack_id) if step.child_pack_id else None
            if (
                child is not None
                and pack_progress(session, child, lookup, now, depth=depth + 1).complete
            ):
                complete.add(str(child.id))
    return progress(
        packs.step_rules(steps), packs.group_rules(pack), {str(a) for a in held}, complete
    )


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


def learner_lookup(session: Session, user: User, pack: Pack, now: datetime) -> str | None:
    """Which of the user's recipients (an email, a Wikimedia account) is on ``pack``: the one it
    was awarded to, else the one holding the most of its steps; None when none holds any.
    Progress, like the award, is one recipient's: the learner's pages show this one's."""
    lookups = list(session.scalars(backpack.claimed(user)))
    best: tuple[int, str] | None = None
    for lookup in sorted(lookups):
        if award_of(session, pack, lookup) is not None:
            return lookup
        held = sum(s.done for s in pack_progress(session, pack, lookup, now).steps)
        if held and (best is None or held > best[0]):
            best = (held, lookup)
    return best[1] if best else None


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
