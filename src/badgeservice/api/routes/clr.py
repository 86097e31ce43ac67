"""`/api/v1/issuers/{slug}/clr`: a signed CLR 2.0 ClrCredential of credentials we issued."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from badgeservice.api.schemas.clr import ClrIn
from badgeservice.db.models import Issuer
from badgeservice.domain.clr import Association
from badgeservice.http.deps import (
    ClockDep,
    IssuerDep,
    KeyStoreDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from badgeservice.http.problems import problem_responses
from badgeservice.services import clr, issuance

router = APIRouter(prefix="/api/v1/issuers/{slug}/clr", tags=["clr"])
_ERRORS = problem_responses(401, 403, 404, 422)


@router.post("", responses=_ERRORS)
def issue_clr(
    issuer: Annotated[Issuer, IssuerDep("credentials:issue")],
    body: ClrIn,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
) -> dict[str, Any]:
    """Sign a ClrCredential bundling these credentials (active, Data Integrity, issued by this
    issuer to one recipient), with the achievements they are for and the associations given
    (between those achievements' ids). The CLR is signed for this answer and not stored;
    422 names the credential that cannot be bundled, 404 one that is not this issuer's."""
    context = issuance.IssueContext(settings.base_url, key_store, principal.actor, clock.now())
    associations = [
        Association(a.association_type, a.source_id, a.target_id) for a in body.associations
    ]
    signed = clr.issue_clr(
        session,
        issuer,
        body.credentials,
        context,
        name=body.name,
        description=body.description,
        associations=associations,
    )
    session.commit()
    return signed
