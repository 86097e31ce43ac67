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
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Issuer
from badgeservice.domain.clr import Association, ClrContent, build_clr
from badgeservice.domain.credential_state import credential_state
from badgeservice.errors import ValidationFailedError
from badgeservice.services import issuers
from badgeservice.services.audit import record_event
from badgeservice.services.endorsements import sign_checked
from badgeservice.services.issuance import IssueContext
from badgeservice.services.tenancy import get_owned

__all__ = ["issue_clr"]


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
        state = credential_state(
            revoked_at=row.revoked_at,
            suspended_at=row.suspended_at,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            now=context.now,
        )
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
    """The signed ClrCredential of these credentials (in this order)."""
    rows = _bundled(session, issuer, credential_ids, context)
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
    record_event(
        session,
        action="clr.issued",
        actor=context.actor,
        issuer_id=issuer.id,
        subject_type="clr",
        subject_id=signed["id"],
        details={"credentials": [str(row.id) for row in rows]},
    )
    return signed
