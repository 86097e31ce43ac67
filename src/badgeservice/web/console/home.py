"""``/console``: the issuers a signed-in person is staff of, and each issuer's overview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from badgeservice.http.deps import ClockDep, SessionDep, WebSessionDep
from badgeservice.services import audit, console_overview, members
from badgeservice.web.accounts import private
from badgeservice.web.console.common import (
    ROLE_NAMES,
    SignInNeededError,
    Staff,
    StaffDep,
    console_url,
    render_console,
)

router = APIRouter(include_in_schema=False)
RECENT_EVENTS = 8


@router.get("/console", response_class=Response)
def console_home(request: Request, session: SessionDep, signed_in: WebSessionDep) -> Response:
    """The issuers the person is staff of; straight to the only one when there is one."""
    if signed_in is None:
        raise SignInNeededError("Sign in to use the console.")
    found = members.memberships(session, signed_in[1])
    if len(found) == 1:
        return private(RedirectResponse(console_url(found[0][0].slug), status_code=303))
    context = {
        "memberships": [
            {"issuer": issuer, "role": ROLE_NAMES[role], "href": console_url(issuer.slug)}
            for issuer, role in found
        ],
        "csrf": signed_in[0].csrf_token,
        "user": signed_in[1],
    }
    return render_console(request, "console/index.html", context, None)


@router.get("/console/{slug}", response_class=Response)
def dashboard(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("issuer:read")],
) -> Response:
    """The issuer at a glance: counts, work in progress, the latest changes."""
    counts = console_overview.counts(session, staff.issuer, clock.now())
    events, _total = audit.list_events(session, staff.issuer.id, limit=RECENT_EVENTS, offset=0)
    names = members.actor_names(session, [event.actor for event in events])
    context = {"counts": counts, "events": events, "names": names}
    return render_console(request, "console/dashboard.html", context, staff, section="dashboard")
