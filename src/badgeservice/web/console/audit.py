"""``/console/{slug}/audit``: the issuer's audit trail, with the API's filters
(``audit.list_events``), who acted shown by name (``members.actor_names``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from badgeservice.db.models import AuditEvent
from badgeservice.http.deps import SessionDep
from badgeservice.services import audit, members
from badgeservice.web import i18n
from badgeservice.web.console.common import Staff, StaffDep, console_url, render_console
from badgeservice.web.console.listing import PAGE_SIZE, BadDateError, day_bound, page_number, paging
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
COMMAND_LINE = N_("Command line")
BAD_DATE = N_("Enter a date as YYYY-MM-DD.")
FIELDS = ("action", "actor", "since", "before")


def who(actor: str, names: dict[str, str], language: str) -> str:
    """A person's or token's name; the command line in words; else the actor as recorded."""
    if actor == "cli":
        return i18n.gettext(language, COMMAND_LINE)
    return names.get(actor, actor)


def action_choices(actions: list[str]) -> list[tuple[str, str]]:
    """Each kind (``credential.``: every credential action) followed by its actions."""
    choices: list[tuple[str, str]] = []
    for action in actions:
        kind = action.split(".", 1)[0] + "."
        if "." in action and (kind, kind + "*") not in choices:
            choices.append((kind, kind + "*"))
        choices.append((action, action))
    return choices


def _filter(fields: dict[str, str]) -> tuple[audit.EventFilter, dict[str, str]]:
    errors: dict[str, str] = {}
    bounds: dict[str, datetime | None] = {}
    for name, end in (("since", False), ("before", True)):
        try:
            bounds[name] = day_bound(fields[name], end=end)
        except BadDateError:
            bounds[name], errors[name] = None, BAD_DATE
    where = audit.EventFilter(
        action=fields["action"] or None,
        actor=fields["actor"] or None,
        since=bounds["since"],
        before=bounds["before"],
    )
    return where, errors


@router.get("/console/{slug}/audit", response_class=Response)
def audit_trail(
    request: Request, session: SessionDep, staff: Annotated[Staff, StaffDep("issuer:read")]
) -> Response:
    """Who did what and when, newest first; filtered by action, person and day."""
    query, language = request.query_params, i18n.negotiate(request)
    fields = {name: query.get(name, "")[:200] for name in FIELDS}
    where, errors = _filter(fields)
    page = page_number(query.get("page"))
    events: list[AuditEvent] = []
    total = 0
    if not errors:
        offset = (page - 1) * PAGE_SIZE
        events, total = audit.list_events(
            session, staff.issuer.id, limit=PAGE_SIZE, offset=offset, where=where
        )
    actions, actors = audit.seen(session, staff.issuer.id)
    names = members.actor_names(session, [*actors, *(e.actor for e in events)])
    path = console_url(staff.issuer.slug, "audit")
    context = {
        "fields": fields,
        "errors": {k: i18n.gettext(language, v) for k, v in errors.items()},
        "actions": action_choices(actions),
        "actors": sorted(((a, who(a, names, language)) for a in actors), key=lambda p: p[1]),
        "rows": [_row(staff, event, names, language) for event in events],
        "paging": paging(path, fields, page, total),
        "title": i18n.gettext(language, N_("Audit trail")),
    }
    return render_console(
        request, "console/audit.html", context, staff, 422 if errors else 200, section="audit"
    )


def _row(staff: Staff, event: AuditEvent, names: dict[str, str], language: str) -> dict[str, Any]:
    href = None
    if event.subject_type == "credential":
        href = console_url(staff.issuer.slug, "credentials", event.subject_id)
    return {
        "event": event,
        "who": who(event.actor, names, language),
        "href": href,
        "details": [(str(k), str(v)) for k, v in sorted((event.details or {}).items())],
    }
