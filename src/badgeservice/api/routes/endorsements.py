"""`/api/v1/issuers/{slug}/endorsements`: issue, list, read and revoke EndorsementCredentials."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from badgeservice.api.schemas.common import Limit, Offset, Page
from badgeservice.api.schemas.credentials import StatusChangeIn
from badgeservice.api.schemas.endorsements import EndorsementIn, EndorsementOut
from badgeservice.db.models import Endorsement, Issuer
from badgeservice.domain.urls import endorsement_url
from badgeservice.http.deps import (
    ClockDep,
    IssuerDep,
    KeyStoreDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from badgeservice.http.problems import problem_responses
from badgeservice.services import endorsements, issuance
from badgeservice.services.status_lists import ListSigner
from badgeservice.settings import Settings

router = APIRouter(prefix="/api/v1/issuers/{slug}/endorsements", tags=["endorsements"])
_ERRORS = problem_responses(401, 403, 404, 422)


def endorsement_out(endorsement: Endorsement, issuer: Issuer, settings: Settings) -> EndorsementOut:
    return EndorsementOut(
        id=endorsement.id,
        issuer=issuer.slug,
        subject_kind=endorsement.subject_kind,
        subject_id=endorsement.subject_id,
        name=endorsement.name,
        url=endorsement_url(settings.base_url, endorsement.id),
        endorsement=json.loads(endorsement.document),
        issued_at=endorsement.issued_at,
        valid_until=endorsement.valid_until,
        revoked=endorsement.revoked_at is not None,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=_ERRORS)
def issue_endorsement(
    issuer: Annotated[Issuer, IssuerDep("credentials:issue")],
    body: EndorsementIn,
    response: Response,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
) -> EndorsementOut:
    """Sign an EndorsementCredential of an achievement, an issuer's Profile, a credential or
    any IRI. The public Achievement and Profile documents embed their endorsements until they
    are revoked or expire. 404 when the achievement, issuer or credential is not found."""
    kind, value = body.subject.target()
    request = endorsements.EndorsementRequest(
        target=endorsements.Target(kind, value),
        name=body.name,
        comment=body.comment,
        description=body.description,
        valid_until=body.valid_until,
    )
    context = issuance.IssueContext(settings.base_url, key_store, principal.actor, clock.now())
    endorsement = endorsements.issue_endorsement(session, issuer, request, context)
    session.commit()
    response.headers["Location"] = endorsement_url(settings.base_url, endorsement.id)
    return endorsement_out(endorsement, issuer, settings)


@router.get("", responses=_ERRORS)
def list_endorsements(
    issuer: Annotated[Issuer, IssuerDep("credentials:read")],
    session: SessionDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[EndorsementOut]:
    """The issuer's endorsements, newest first."""
    items, total = endorsements.list_endorsements(session, issuer, limit=limit, offset=offset)
    return Page[EndorsementOut](
        items=[endorsement_out(e, issuer, settings) for e in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{endorsement_id}", responses=_ERRORS)
def get_endorsement(
    issuer: Annotated[Issuer, IssuerDep("credentials:read")],
    endorsement_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
) -> EndorsementOut:
    endorsement = endorsements.get_endorsement(session, issuer, endorsement_id)
    return endorsement_out(endorsement, issuer, settings)


@router.post("/{endorsement_id}/revoke", responses=_ERRORS)
def revoke_endorsement(
    issuer: Annotated[Issuer, IssuerDep("credentials:revoke")],
    endorsement_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    key_store: KeyStoreDep,
    body: StatusChangeIn | None = None,
) -> EndorsementOut:
    """Final: the status list bit is set (the list re-signed) and the documents stop
    embedding it."""
    endorsement = endorsements.get_endorsement(session, issuer, endorsement_id)
    now = clock.now()
    endorsements.revoke_endorsement(
        session,
        endorsement,
        body.reason if body else None,
        actor=principal.actor,
        now=now,
        signer=ListSigner(settings.base_url, key_store, now),
    )
    session.commit()
    return endorsement_out(endorsement, issuer, settings)
