"""``/console/{slug}/tokens``: the issuer's API tokens: list (never a secret), create (the
secret shown once, on the answer to the form), revoke. The services are the API's
(``auth.grant_token``: a member grants only scopes their role has)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import ApiToken
from badgeservice.errors import ValidationFailedError
from badgeservice.http.deps import ClockDep, SessionDep
from badgeservice.services import auth
from badgeservice.services.auth import ISSUER_SCOPES
from badgeservice.web import i18n
from badgeservice.web.console.common import (
    Staff,
    StaffDep,
    console_form,
    console_url,
    render_console,
    see_other,
)
from badgeservice.web.console.issuer_forms import (
    SCOPE_FIELD,
    chosen_scopes,
    field_errors,
    posted_values,
    token_request,
)
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
TITLE = N_("API tokens")
LISTED = 200  # the newest tokens listed; the API pages through all of them
#: What each scope lets a token do, in words.
SCOPE_WORDS = {
    "issuer:read": N_("Read the issuer, its tokens, keys and audit trail"),
    "issuer:write": N_("Change the profile and logo; revoke tokens"),
    "achievements:read": N_("Read achievements"),
    "achievements:write": N_("Create and edit achievements"),
    "credentials:read": N_("Read credentials and batches"),
    "credentials:issue": N_("Issue credentials"),
    "credentials:revoke": N_("Revoke and suspend credentials"),
    "keys:manage": N_("Rotate and revoke signing keys; choose the JWT algorithm"),
    "members:manage": N_("Invite and remove members, change their roles"),
    "tokens:manage": N_("Create API tokens"),
}


def token_state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def tokens_page(
    request: Request,
    session: Session,
    staff: Staff,
    now: datetime,
    status_code: int = 200,
    **overrides: Any,
) -> Response:
    """The list, and (for ``tokens:manage``) the form, blank unless ``overrides`` has the
    posted ``values``, ``scopes`` and their ``errors``."""
    language = i18n.negotiate(request)
    rows, total = auth.list_tokens(session, staff.issuer, limit=LISTED, offset=0)
    context: dict[str, Any] = {
        "title": i18n.gettext(language, TITLE),
        "tokens": [{"row": row, "state": token_state(row, now)} for row in rows],
        "total": total,
        "scopes": [
            {"name": s, "words": i18n.gettext(language, SCOPE_WORDS[s]), "field": SCOPE_FIELD + s}
            for s in ISSUER_SCOPES
            if staff.may(s)
        ],
        "checked": [],
        "values": {"name": "", "expires": ""},
        "errors": {},
        "today": now.date().isoformat(),
        "notice": request.query_params.get("notice", ""),
        **overrides,
    }
    return render_console(request, "console/tokens.html", context, staff, status_code, "tokens")


@router.get("/console/{slug}/tokens", response_class=Response)
def list_tokens(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("issuer:read")],
) -> Response:
    return tokens_page(request, session, staff, clock.now())


@router.post("/console/{slug}/tokens", response_class=Response)
async def create_token(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("tokens:manage")],
) -> Response:
    """The new token's secret is on this answer only (never stored, never shown again)."""
    form = await console_form(request, staff)
    try:
        body = token_request(form)
    except ValidationFailedError as exc:
        kept = {"values": posted_values(form, ("name", "expires")), "checked": chosen_scopes(form)}
        return tokens_page(
            request, session, staff, clock.now(), 422, errors=field_errors(exc), **kept
        )
    token, secret = auth.grant_token(
        session, staff.principal, staff.issuer, name=body.name, scopes=body.scopes,
        expires_at=body.expires_at,
    )  # fmt: skip
    session.commit()
    context = {"token": token, "secret": secret, "title": body.name}
    return render_console(request, "console/token_created.html", context, staff, 200, "tokens")


@router.post("/console/{slug}/tokens/{token_id}/revoke", response_class=Response)
async def revoke_token(
    request: Request,
    token_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("tokens:manage")],
) -> Response:
    """The token stops working at once (the API's ``DELETE .../tokens/{id}``)."""
    await console_form(request, staff)
    actor = staff.principal.actor
    auth.revoke_token(session, token_id, actor=actor, now=clock.now(), issuer=staff.issuer)
    session.commit()
    return see_other(console_url(staff.issuer.slug, "tokens"), "revoked")
