"""`/api/v1/issuers/{slug}/members`: issuer staff and their roles (the console's Members page
calls the same services)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from badgeservice.api.schemas.members import MemberCreate, MemberOut, MemberPatch
from badgeservice.db.models import Issuer, IssuerMember
from badgeservice.http.deps import (
    ClockDep,
    IssuerDep,
    KeyStoreDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from badgeservice.http.problems import problem_responses
from badgeservice.services import members

router = APIRouter(prefix="/api/v1/issuers/{slug}/members", tags=["members"])
_ERRORS = problem_responses(401, 403, 404, 409, 422)


def member_out(member: IssuerMember) -> MemberOut:
    return MemberOut(
        id=member.id,
        kind=member.kind,
        value=member.label,
        role=member.role,
        added_by=member.added_by,
        created_at=member.created_at,
    )


@router.get("", responses=_ERRORS, summary="List the issuer's members")
def list_members(
    issuer: Annotated[Issuer, IssuerDep("issuer:read")], session: SessionDep
) -> list[MemberOut]:
    return [member_out(m) for m in members.list_members(session, issuer)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=_ERRORS, summary="Invite a member")
def invite_member(
    issuer: Annotated[Issuer, IssuerDep("members:manage")],
    body: MemberCreate,
    principal: PrincipalDep,
    session: SessionDep,
    key_store: KeyStoreDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> MemberOut:
    """Whoever signs in with the Wikimedia account, or verifies the email address, becomes a
    member with the role (no acceptance step; before their first sign-in it waits). An email
    member is mailed a link to the console (`language`: of that message) when mail is set up."""
    member = members.invite(
        session, issuer, kind=body.kind, value=body.value, role=body.role,
        actor=principal.actor, key_store=key_store,
        invitation=members.invitation_of(settings, body.language, clock.now()),
    )  # fmt: skip
    session.commit()
    return member_out(member)


@router.patch("/{member_id}", responses=_ERRORS, summary="Change a member's role")
def change_member_role(
    issuer: Annotated[Issuer, IssuerDep("members:manage")],
    member_id: uuid.UUID,
    body: MemberPatch,
    principal: PrincipalDep,
    session: SessionDep,
) -> MemberOut:
    """The last owner cannot be demoted (409 `last_owner`)."""
    member = members.change_role(session, issuer, member_id, body.role, actor=principal.actor)
    session.commit()
    return member_out(member)


@router.delete(
    "/{member_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS,
    summary="Remove a member",
)  # fmt: skip
def remove_member(
    issuer: Annotated[Issuer, IssuerDep("members:manage")],
    member_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
) -> Response:
    """The last owner cannot be removed (409 `last_owner`)."""
    members.remove(session, issuer, member_id, actor=principal.actor)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
