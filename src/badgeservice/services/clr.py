"""CLR 2.0: an issuer signs a ``ClrCredential`` bundling credentials it issued to one learner.

The bundled credentials are the stored signed documents, unchanged; only active Data Integrity
credentials of this issuer to the same recipient can be bundled (a VC-JWT is a string, not an
object the CLR can embed). A CLR is a download, not a record we keep: it is signed each time
and audited, never stored.

See: https://www.imsglobal.org/spec/clr/v2p0/#clrcredential
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Issuer, User
from badgeservice.domain.clr import MAX_BUNDLED, Association, ClrContent, build_clr
from badgeservice.errors import NotFoundError, ValidationFailedError
from badgeservice.services import backpack, issuers
from badgeservice.services.audit import record_event
from badgeservice.services.credentials import state_of
from badgeservice.services.endorsements import sign_checked
from badgeservice.services.issuance import IssueContext
from badgeservice.services.tenancy import get_owned

__all__ = [
    "SignedClr",
    "is_active",
    "issue_clr",
    "learner_clr",
    "learner_clr_issuers",
    "record_clr",
    "sign_clr",
]


@dataclass(frozen=True)
class SignedClr:
    """A signed CLR and what its audit record names (``record_clr`` writes it)."""

    document: dict[str, Any]
    issuer_id: uuid.UUID
    credential_ids: tuple[str, ...]


def is_active(row: Credential, now: datetime) -> bool:
    return state_of(row, now) == "active"


def _learner_rows(session: Session, user: User, now: datetime) -> list[tuple[Credential, Issuer]]:
    """The user's active Data Integrity credentials with their issuers, oldest first."""
    query = (
        select(Credential, Issuer)
        .join(Issuer, Issuer.id == Credential.issuer_id)
        .where(Credential.recipient_lookup.in_(backpack.claimed(user)))
        .where(Credential.format == "ldp")
        .order_by(Credential.issued_at, Credential.id)
    )
    return [(row, issuer) for row, issuer in session.execute(query) if is_active(row, now)]


def learner_clr_issuers(session: Session, user: User, now: datetime) -> list[Issuer]:
    """The issuers the user can download a CLR of (one per issuer: each signs its own)."""
    found: dict[str, Issuer] = {}
    for _, issuer in _learner_rows(session, user, now):
        found.setdefault(issuer.slug, issuer)
    return sorted(found.values(), key=lambda issuer: issuer.name.casefold())


def learner_clr(
    session: Session, user: User, slug: str, context: IssueContext, *, name: str
) -> SignedClr:
    """The signed ClrCredential of the user's active credentials from the issuer ``slug``
    (read only: the caller records it with ``record_clr``); NotFoundError when they hold none."""
    rows = [row for row, issuer in _learner_rows(session, user, context.now) if issuer.slug == slug]
    if not rows:
        raise NotFoundError(f"You hold no credential of {slug} to put in a learner record.")
    issuer = session.get_one(Issuer, rows[0].issuer_id)
    return sign_clr(session, issuer, rows[:MAX_BUNDLED], context, name=name)


def _bundled(
    session: Session, issuer: Issuer, credential_ids: Sequence[uuid.UUID], context: IssueContext
) -> list[Credential]:
    rows = [
        get_owned(session, Credential, credential_id, issuer) for credential_id in credential_ids
    ]
    for row in rows:
        if row.format != "ldp":
            raise ValidationFailedError(
                f"Credential {row.id} is a VC-JWT: a CLR bundles Data Integrity credentials."
            )
        state = state_of(row, context.now)
        if state != "active":
            raise ValidationFailedError(f"Credential {row.id} is {state.replace('_', ' ')}.")
    lookups = {row.recipient_lookup for row in rows}
    if len(lookups) != 1 or None in lookups:
        raise ValidationFailedError("A CLR bundles the credentials of one recipient.")
    return rows


def issue_clr(
    session: Session,
    issuer: Issuer,
    credential_ids: Sequence[uuid.UUID],
    context: IssueContext,
    *,
    name: str,
    description: str | None = None,
    associations: Sequence[Association] = (),
) -> dict[str, Any]:
    """The signed ClrCredential of these credentials (in this order), recorded."""
    rows = _bundled(session, issuer, credential_ids, context)
    signed = sign_clr(
        session,
        issuer,
        rows,
        context,
        name=name,
        description=description,
        associations=associations,
    )
    return record_clr(session, signed, context.actor)


def sign_clr(
    session: Session,
    issuer: Issuer,
    rows: Sequence[Credential],
    context: IssueContext,
    *,
    name: str,
    description: str | None = None,
    associations: Sequence[Association] = (),
) -> SignedClr:
    """Signs (and checks) the CLR of ``rows``; not recorded yet (``record_clr``)."""
    content = ClrContent(
        id=uuid.uuid4().urn,
        issuer=issuers.profile(issuer),
        name=name,
        description=description,
        credentials=[json.loads(row.document) for row in rows],
        valid_from=context.now,
        associations=associations,
    )
    signed = sign_checked(session, issuer, build_clr(content), context, context.now, "CLR")
    return SignedClr(signed, issuer.id, tuple(str(row.id) for row in rows))


def record_clr(session: Session, signed: SignedClr, actor: str) -> dict[str, Any]:
    """The audit record of a CLR signed for ``actor`` (a CLR itself is never stored); the
    document."""
    record_event(
        session,
        action="clr.issued",
        actor=actor,
        issuer_id=signed.issuer_id,
        subject_type="clr",
        subject_id=signed.document["id"],
        details={"credentials": list(signed.credential_ids)},
    )
    return signed.document
