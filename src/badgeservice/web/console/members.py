"""``/console/{slug}/members``: the issuer's staff, seen by every member; owners invite by
Wikimedia username or email, change roles and remove members (``services/members``, as the
API's ``/members`` routes; the last owner stays)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from badgeservice.errors import ValidationFailedError
from badgeservice.http.deps import ClockDep, KeyStoreDep, SessionDep, SettingsDep
from badgeservice.services import members
from badgeservice.services.members import LastOwnerError, MemberExistsError
from badgeservice.web import i18n
from badgeservice.web.console.common import (
    CONSOLE,
    ROLE_NAMES,
    Staff,
    StaffDep,
    console_form,
    console_url,
    render_console,
    see_other,
)
from badgeservice.web.console.issuer_forms import field_errors, posted_values
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
TITLE = N_("Members")
INVITE_FIELDS = ("kind", "value", "role")
KIND_NAMES = {"wikimedia": N_("Wikimedia account"), "email": N_("Email address")}


def members_page(
    request: Request, session: Session, staff: Staff, status_code: int = 200, **overrides: Any
) -> Response:
    """Every member with their role; the invite form blank unless ``overrides`` has the
    posted ``values`` and their ``errors``; ``problem``: a refused change (``last_owner``)."""
    language = i18n.negotiate(request)
    rows = members.list_members(session, staff.issuer)
    names = members.actor_names(session, [row.added_by for row in rows])
    context: dict[str, Any] = {
        "title": i18n.gettext(language, TITLE),
        "members": rows,
        "added_by": names,
        "roles": [(role, i18n.gettext(language, ROLE_NAMES[role])) for role in members.ROLES],
        "kinds": [
            (kind, i18n.gettext(language, KIND_NAMES[kind])) for kind in members.MEMBER_KINDS
        ],
        "values": {"kind": "wikimedia", "value": "", "role": "viewer"},
        "errors": {},
        "problem": "",
        "notice": request.query_params.get("notice", ""),
        **overrides,
    }
    return render_console(request, "console/members.html", context, staff, status_code, "members")


@router.get("/console/{slug}/members", response_class=Response)
def list_members(
    request: Request, session: SessionDep, staff: Annotated[Staff, StaffDep("issuer:read")]
) -> Response:
    return members_page(request, session, staff)


@router.post("/console/{slug}/members", response_class=Response)
async def invite_member(
    request: Request,
    session: SessionDep,
    key_store: KeyStoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("members:manage")],
) -> Response:
    """Whoever signs in with that Wikimedia account or verifies that email is the member;
    an email member is mailed a link to the console, in the inviter's language."""
    form = await console_form(request, staff)
    invitation = members.invitation_of(settings, i18n.negotiate(request), clock.now())
    try:
        members.invite(
            session, staff.issuer, kind=form.get("kind", ""), value=form.get("value", ""),
            role=form.get("role", ""), actor=staff.principal.actor, key_store=key_store,
            invitation=invitation,
        )  # fmt: skip
    except (ValidationFailedError, MemberExistsError) as exc:
        session.rollback()
        errors = field_errors(exc) if isinstance(exc, ValidationFailedError) else {}
        errors = errors or {"value": exc.code}
        values = posted_values(form, INVITE_FIELDS)
        return members_page(request, session, staff, exc.status, values=values, errors=errors)
    session.commit()
    return see_other(console_url(staff.issuer.slug, "members"), "invited")


@router.post("/console/{slug}/members/{member_id}/role", response_class=Response)
async def change_role(
    request: Request,
    member_id: uuid.UUID,
    session: SessionDep,
    staff: Annotated[Staff, StaffDep("members:manage")],
) -> Response:
    form = await console_form(request, staff)
    actor = staff.principal.actor
    try:
        members.change_role(session, staff.issuer, member_id, form.get("role", ""), actor=actor)
    except (ValidationFailedError, LastOwnerError) as exc:
        session.rollback()
        return members_page(request, session, staff, exc.status, problem=exc.code)
    session.commit()
    return see_other(console_url(staff.issuer.slug, "members"), "changed")


@router.post("/console/{slug}/members/{member_id}/remove", response_class=Response)
async def remove_member(
    request: Request,
    member_id: uuid.UUID,
    session: SessionDep,
    staff: Annotated[Staff, StaffDep("members:manage")],
) -> Response:
    """The member loses access at once (their next page is a 404); never the last owner."""
    await console_form(request, staff)
    try:
        members.remove(session, staff.issuer, member_id, actor=staff.principal.actor)
    except LastOwnerError as exc:
        session.rollback()
        return members_page(request, session, staff, exc.status, problem=exc.code)
    still_staff = members.role_of(session, staff.user, staff.issuer) is not None
    session.commit()
    if not still_staff:  # they removed themselves: this issuer's pages are a 404 for them now
        return see_other(CONSOLE)
    return see_other(console_url(staff.issuer.slug, "members"), "removed")
