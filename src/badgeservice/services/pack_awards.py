"""The pack achievement's credential, exactly once per person and pack.

After any credential is issued (``issuance.issue_credential`` calls ``after_issue``), every
pack the credential can bring closer is checked; on completion the ``pack_awards`` row is
inserted FIRST, in a savepoint, under its unique ``(pack_id, recipient_lookup)``: a concurrent
completion waits on that row and then finds it taken, a retry or a re-imported batch finds it
there, and none of them issues. Only the one that inserted the row issues, through the normal
issuance, with the step credentials as OB 3.0 ``evidence``. That credential is itself issued,
so a completed pack can complete a parent pack (bounded by ``MAX_NESTING``).

Revoking a step credential later revokes nothing: ``changed_awards`` lists such cases for the
issuer to decide.
"""

from __future__ import annotations

import json
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Credential, Issuer, Pack, PackAward, PackStep
from badgeservice.domain.credential_state import credential_state
from badgeservice.domain.languages import pick_text
from badgeservice.domain.pack import MAX_NESTING
from badgeservice.domain.recipient import Recipient, RecipientKind
from badgeservice.domain.urls import credential_url
from badgeservice.errors import ValidationFailedError
from badgeservice.services import pack_progress, packs

if TYPE_CHECKING:
    from badgeservice.services.issuance import IssueContext

_depth: ContextVar[int] = ContextVar("pack_award_depth", default=0)


def after_issue(
    session: Session, issuer: Issuer, credential: Credential, context: IssueContext
) -> list[PackAward]:
    """Award every pack of ``issuer`` that ``credential`` completes for its recipient (an email
    or username recipient: a DID or URL has no lookup to follow)."""
    lookup = credential.recipient_lookup
    if lookup is None or _depth.get() >= MAX_NESTING:
        return []
    awarded: list[PackAward] = []
    for pack in _candidates(session, credential.achievement_id):
        owner = issuer if pack.issuer_id == issuer.id else session.get_one(Issuer, pack.issuer_id)
        award = _award_if_complete(session, owner, pack, credential, context)
        if award is not None:
            awarded.append(award)
    return awarded


def _candidates(session: Session, achievement_id: uuid.UUID) -> list[Pack]:
    """Packs with ``achievement_id`` as a step, and their parents up the chain (a step of a
    child pack can complete the parent even when the child has no achievement of its own),
    whichever issuer's: a shared achievement or a shared child pack completes another
    issuer's pack, and that pack's issuer signs its award."""
    query = select(PackStep.pack_id).where(PackStep.achievement_id == achievement_id)
    found: list[uuid.UUID] = []
    frontier = set(session.scalars(query))
    for _ in range(MAX_NESTING):
        new = [p for p in sorted(frontier) if p not in found]
        if not new:
            break
        found.extend(new)
        parents = select(PackStep.pack_id).where(PackStep.child_pack_id.in_(new))
        frontier = set(session.scalars(parents))
    rows = session.scalars(
        select(Pack)
        .where(Pack.id.in_(found))
        .where(Pack.achievement_id.is_not(None))
        .order_by(Pack.issuer_id, Pack.slug)
    )
    return list(rows)


def _award_if_complete(
    session: Session,
    issuer: Issuer,
    pack: Pack,
    trigger: Credential,
    context: IssueContext,
) -> PackAward | None:
    lookup = str(trigger.recipient_lookup)
    taken = select(PackAward.id).where(
        PackAward.pack_id == pack.id, PackAward.recipient_lookup == lookup
    )
    if session.scalar(taken) is not None:
        return None
    if not pack_progress.pack_progress(session, pack, lookup, context.now).complete:
        return None
    evidence = _step_credentials(session, pack, lookup, context.now)
    award = PackAward(
        pack_id=pack.id,
        recipient_lookup=lookup,
        step_credentials=[str(c.id) for c in evidence],
        awarded_at=context.now,
    )
    try:
        with session.begin_nested():
            session.add(award)
            session.flush()
    except IntegrityError:
        return None  # another completion made the award (and issues it)
    achievement = session.get(Achievement, pack.achievement_id)
    assert achievement is not None  # RESTRICT keeps it while the pack names it
    award.credential_id = _issue(session, issuer, achievement, trigger, evidence, context).id
    session.flush()
    return award


def _step_credentials(session: Session, pack: Pack, lookup: str, now: datetime) -> list[Credential]:
    """The credentials the award rests on: the active credential of each achievement step,
    and the pack credential of each child pack awarded."""
    steps = packs.steps_of(session, pack)
    held = pack_progress.active_of(
        session, lookup, [s.achievement_id for s in steps if s.achievement_id], now
    )
    out = [held[s.achievement_id] for s in steps if s.achievement_id in held]
    children = [s.child_pack_id for s in steps if s.child_pack_id]
    if children:
        query = (
            select(Credential)
            .join(PackAward, PackAward.credential_id == Credential.id)
            .where(PackAward.pack_id.in_(children), PackAward.recipient_lookup == lookup)
        )
        out.extend(session.scalars(query))
    return out


def _issue(
    session: Session,
    issuer: Issuer,
    achievement: Achievement,
    trigger: Credential,
    evidence: list[Credential],
    context: IssueContext,
) -> Credential:
    from badgeservice.services import issuance  # issuance calls after_issue

    request = issuance.IssueRequest(
        recipient=_recipient_of(trigger),
        recipient_lookup=trigger.recipient_lookup,
        language=_language(achievement, trigger.language),
        evidence=[_evidence(context.base_url, c) for c in evidence],
    )
    token = _depth.set(_depth.get() + 1)
    try:
        return issuance.issue_credential(session, issuer, achievement, request, context)
    finally:
        _depth.reset(token)


def _recipient_of(credential: Credential) -> Recipient:
    """The recipient as the step credential names it: its IdentityHash and salt (the email or
    username itself is never stored), and its display name."""
    subject = json.loads(credential.document)["credentialSubject"]
    identifiers = subject.get("identifier", [])
    hashed = next(i for i in identifiers if i.get("hashed"))
    name = next((i["identityHash"] for i in identifiers if i.get("identityType") == "name"), None)
    kind: RecipientKind = (
        "wikimedia_username" if credential.recipient_type == "wikimedia_username" else "email"
    )
    return Recipient(kind, hashed["identityHash"], name, hashed["salt"])


def _language(achievement: Achievement, language: str | None) -> str | None:
    from badgeservice.services import issuance

    try:
        return issuance.check_language(achievement, language, "/language")
    except ValidationFailedError:
        return None


def _evidence(base_url: str, credential: Credential) -> dict[str, Any]:
    subject = json.loads(credential.document)["credentialSubject"]
    name = subject["achievement"].get("name", "")
    if isinstance(name, dict):  # a language map
        name = pick_text(name, credential.language or "", next(iter(name)))[1]
    return {
        "id": credential_url(base_url, credential.id),
        "name": str(name),
        "narrative": f"Earned {name} (issued {credential.issued_at:%Y-%m-%d}).",
    }


@dataclass(frozen=True)
class ChangedAward:
    """An award and its step credentials no longer active, each with its state (``None``:
    the credential is gone)."""

    award: PackAward
    inactive: list[uuid.UUID]
    states: dict[uuid.UUID, str | None]


def changed_awards(session: Session, pack: Pack, now: datetime) -> list[ChangedAward]:
    """Awards of ``pack`` whose step credentials are no longer all active at ``now``."""
    out: list[ChangedAward] = []
    awards = session.scalars(
        select(PackAward).where(PackAward.pack_id == pack.id).order_by(PackAward.awarded_at)
    )
    for award in awards:
        ids = [uuid.UUID(i) for i in award.step_credentials]
        rows = list(session.scalars(select(Credential).where(Credential.id.in_(ids))))
        state = {
            c.id: credential_state(
                revoked_at=c.revoked_at,
                suspended_at=c.suspended_at,
                valid_from=c.valid_from,
                valid_until=c.valid_until,
                now=now,
            )
            for c in rows
        }
        inactive = [i for i in ids if state.get(i) != "active"]
        if inactive:
            out.append(ChangedAward(award, inactive, {i: state.get(i) for i in inactive}))
    return out
