"""CLR 2.0 for a learning pack: the learner's credentials on one pack, bundled and related.

The record holds what the person holds ACTIVE now on the pack's path (the same rule as their
progress, ``pack_progress.active_of``): the pack credential if it was awarded, the credential
of each achievement step, and for each ``pack`` step the child pack's credential and, below
it, that pack's own steps (bounded by ``MAX_NESTING``). How they relate comes from the pack:
the pack achievement ``isParentOf`` each of its steps' achievements, and each step's
achievement ``precedes`` the next one's (a pack's steps are ordered). Only Data Integrity
credentials can be bundled; a VC-JWT step is left out (the record says nothing false, only
less).

See: https://www.imsglobal.org/spec/clr/v2p0/#association
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Issuer, Pack, User
from badgeservice.domain.clr import MAX_BUNDLED, Association
from badgeservice.domain.pack import MAX_NESTING
from badgeservice.errors import FieldError, NotFoundError, ValidationFailedError
from badgeservice.services import pack_progress, packs
from badgeservice.services.clr import SignedClr, is_active, record_clr, sign_clr
from badgeservice.services.issuance import IssueContext

__all__ = ["PackRecord", "issue_pack_clr", "learner_pack_clr", "pack_record"]


@dataclass
class PackRecord:
    """The credentials of a pack's path (in path order, each once) and their associations."""

    credentials: list[Credential] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)

    def add(self, row: Credential) -> str:
        """Bundle ``row`` (once); its achievement's id as the signed document names it."""
        if all(kept.id != row.id for kept in self.credentials):
            self.credentials.append(row)
        return _achievement_id(row)

    def relate(self, kind: str, source: str, target: str) -> None:
        association = Association(kind, source, target)
        if source != target and association not in self.associations:
            self.associations.append(association)


def _achievement_id(row: Credential) -> str:
    document: dict[str, Any] = json.loads(row.document)
    return str(document["credentialSubject"]["achievement"]["id"])


def _bundlable(row: Credential | None, now: datetime) -> Credential | None:
    if row is None or row.format != "ldp" or not is_active(row, now):
        return None
    return row


def _walk(
    session: Session, record: PackRecord, pack: Pack, lookup: str, now: datetime, depth: int
) -> list[str]:
    """Add the credentials of ``pack``'s steps to ``record``; the achievement ids, in step
    order, of the steps the person holds."""
    steps = packs.steps_of(session, pack)
    held = pack_progress.active_of(
        session, lookup, [s.achievement_id for s in steps if s.achievement_id], now
    )
    done: list[str] = []
    for step in steps:
        if step.achievement_id is not None:
            row = _bundlable(held.get(step.achievement_id), now)
            if row is not None:
                done.append(record.add(row))
        elif step.child_pack_id is not None and depth < MAX_NESTING:
            child = session.get_one(Pack, step.child_pack_id)
            done.extend(_pack_level(session, record, child, lookup, now, depth + 1))
    for earlier, later in pairwise(done):
        record.relate("precedes", earlier, later)
    return done


def _pack_level(
    session: Session, record: PackRecord, pack: Pack, lookup: str, now: datetime, depth: int
) -> list[str]:
    """The achievement ids standing for ``pack`` in its parent's order: its own credential's
    when awarded (parent of its steps), else its steps'."""
    award = pack_progress.award_of(session, pack, lookup)
    own = None
    if award is not None and award.credential_id is not None:
        own = _bundlable(session.get(Credential, award.credential_id), now)
    parent = record.add(own) if own is not None else None
    steps = _walk(session, record, pack, lookup, now, depth)
    if parent is None:
        return steps
    for step in steps:
        record.relate("isParentOf", parent, step)
    return [parent]


def pack_record(session: Session, pack: Pack, lookup: str, now: datetime) -> PackRecord:
    """What a person's CLR for ``pack`` bundles; empty when they hold nothing of it."""
    record = PackRecord()
    _pack_level(session, record, pack, lookup, now, 0)
    del record.credentials[MAX_BUNDLED:]
    kept = {_achievement_id(row) for row in record.credentials}
    record.associations = [a for a in record.associations if a.source in kept and a.target in kept]
    return record


def issue_pack_clr(
    session: Session,
    issuer: Issuer,
    pack: Pack,
    lookup: str,
    context: IssueContext,
    *,
    name: str,
) -> dict[str, Any]:
    """The signed ClrCredential of one recipient's credentials on ``pack``; 422 (at
    ``/body/recipient``) when they hold none of its steps."""
    record = pack_record(session, pack, lookup, context.now)
    if not record.credentials:
        raise ValidationFailedError(
            errors=[
                FieldError("/body/recipient", "holds no active credential of this pack's steps")
            ]
        )
    signed = sign_clr(
        session, issuer, record.credentials, context, name=name, associations=record.associations
    )
    return record_clr(session, signed, context.actor)


def learner_pack_clr(
    session: Session, user: User, pack: Pack, context: IssueContext, *, name: str
) -> SignedClr:
    """The signed CLR of the user's credentials on ``pack`` (read only: the caller records it
    with ``record_clr``); NotFoundError when none."""
    lookup = pack_progress.learner_lookup(session, user, pack, context.now)
    record = pack_record(session, pack, lookup, context.now) if lookup else PackRecord()
    if not record.credentials:
        raise NotFoundError("You hold no credential of this pack to put in a learner record.")
    issuer = session.get_one(Issuer, pack.issuer_id)
    return sign_clr(
        session, issuer, record.credentials, context, name=name, associations=record.associations
    )
