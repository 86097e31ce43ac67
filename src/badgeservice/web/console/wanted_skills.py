"""``/console/{slug}/wanted-skills``: what the issuer says it needs, with each skill's gap
(nobody holds it, few do, covered) from the issuer's skills map; staff who may change the
issuer add skills found in the imported frameworks, remove them, or import a Capacity
Exchange organisation's ``wanted_capacities`` (``services/skills_needs``, as the API's
``/wanted-skills`` routes)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from badgeservice.domain.urls import SITE, skills_map_page_url
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.http.deps import ClockDep, SessionDep, SettingsDep
from badgeservice.services import skills_map, skills_needs
from badgeservice.settings import Settings
from badgeservice.web import i18n
from badgeservice.web.console import skill_picker
from badgeservice.web.console.common import (
    Staff,
    StaffDep,
    console_form,
    console_url,
    render_console,
    see_other,
)
from badgeservice.web.console.issuer_forms import field_errors
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
TITLE = N_("Wanted skills")
SECTION = "wanted-skills"
#: The longest CapX export the form takes (the API's body limit is the request's).
MAX_EXPORT = 2_000_000


def wanted_page(
    request: Request,
    session: Session,
    staff: Staff,
    settings: Settings,
    clock: ClockDep,
    status_code: int = 200,
    **overrides: Any,
) -> Response:
    """The wanted skills with their gaps, the skill search (``q``) and the CapX import form;
    ``overrides``: ``errors`` of a refused form, ``unmatched`` QIDs of an import."""
    language = i18n.negotiate(request)
    result = skills_map.skills_map(
        session, staff.issuer, now=clock.now(), threshold=settings.skills_map_threshold
    )
    items = [item for item in result.items if item.wanted]
    sources = {
        (e.framework_key, e.code): e.source for e in skills_needs.list_wanted(session, staff.issuer)
    }
    context: dict[str, Any] = {
        "title": i18n.gettext(language, TITLE),
        "items": [
            {
                "item": item,
                "label": item.label(language),
                "source": sources.get((item.framework_key, item.code), "manual"),
            }
            for item in items
        ],
        "threshold": result.threshold,
        "public_map": skills_map_page_url(SITE, staff.issuer.slug),
        "skills": skill_picker.state(session, request.query_params.get("q", ""), language),
        "errors": {},
        "unmatched": [],
        "export": "",
        "notice": request.query_params.get("notice", ""),
        **overrides,
    }
    return render_console(
        request, "console/wanted_skills.html", context, staff, status_code, SECTION
    )


@router.get("/console/{slug}/wanted-skills", response_class=Response)
def show_wanted(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("issuer:read")],
) -> Response:
    return wanted_page(request, session, staff, settings, clock)


def _manual(session: Session, staff: Staff) -> list[dict[str, str]]:
    return [
        {"framework": e.framework_key, "code": e.code}
        for e in skills_needs.list_wanted(session, staff.issuer)
        if e.source == "manual"
    ]


@router.post("/console/{slug}/wanted-skills/add", response_class=Response)
@router.post("/console/{slug}/wanted-skills/remove", response_class=Response)
@router.post("/console/{slug}/wanted-skills/clear", response_class=Response)
@router.post("/console/{slug}/wanted-skills/capx", response_class=Response)
async def change_wanted(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("issuer:write")],
) -> Response:
    """``add`` or ``remove`` one skill (``framework``, ``code``), ``clear`` them all, or
    ``capx``: import the pasted export's wanted capacities (the path's last segment)."""
    action = request.url.path.rsplit("/", 1)[-1]
    form = await console_form(request, staff)
    ref = {"framework": form.get("framework", ""), "code": form.get("code", "")}
    try:
        notice = _apply(session, staff, action, ref, form.get("export", ""))
    except ValidationFailedError as exc:
        session.rollback()
        errors = field_errors(exc) if action != "capx" else {"export": "export"}
        page = wanted_page(request, session, staff, settings, clock, exc.status, errors=errors,
                           export=form.get("export", "")[:MAX_EXPORT])  # fmt: skip
        return page
    session.commit()
    if isinstance(notice, list):  # QIDs the capx framework does not hold
        return wanted_page(request, session, staff, settings, clock, unmatched=notice,
                           notice="imported")  # fmt: skip
    return see_other(console_url(staff.issuer.slug, SECTION), notice)


def _apply(
    session: Session, staff: Staff, action: str, ref: dict[str, str], export: str
) -> str | list[str]:
    """Do ``action``; the notice to show, or the unmatched QIDs of an import."""
    manual = _manual(session, staff)
    if action == "add":
        skills_needs.put_wanted(session, staff.issuer, {"items": [*manual, ref]})
        return "added"
    if action == "remove":
        kept = [r for r in manual if r != ref]
        skills_needs.put_wanted(session, staff.issuer, {"items": kept})
        return "removed"
    if action == "clear":
        skills_needs.clear_wanted(session, staff.issuer)
        return "cleared"
    return skills_needs.import_capx_wanted(session, staff.issuer, _export(export)).unmatched


def _export(text: str) -> Any:
    if len(text) > MAX_EXPORT:
        raise ValidationFailedError(errors=[FieldError("/export", "Too long.")])
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValidationFailedError(errors=[FieldError("/export", "Not JSON.")]) from exc
