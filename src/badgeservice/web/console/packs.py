"""``/console/{slug}/packs``: the issuer's learning packs: the list, the editor that creates
and changes one (texts per language, the pack achievement, groups, ordered steps with their
resources), delete with a confirmation, and the report of awards whose step credentials are
no longer all active. Saving calls ``services/packs`` with the body the API validates
(``pack_form``); the rules of steps and groups are the service's, their errors its own."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Pack
from badgeservice.domain.languages import LanguageTagError, normalize_language, pick_text
from badgeservice.domain.pack import AUDIENCES, STEP_KINDS
from badgeservice.domain.urls import SITE, pack_page_url
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.http.deps import ClockDep, SessionDep
from badgeservice.services import achievements, catalogue, pack_awards, packs
from badgeservice.services.packs import PackInUseError, PackSlugTakenError
from badgeservice.web import i18n
from badgeservice.web.console.achievements import OFFERED_LANGUAGES
from badgeservice.web.console.common import (
    Staff,
    StaffDep,
    console_form,
    console_url,
    render_console,
    see_other,
)
from badgeservice.web.console.credentials import STATE_NAMES
from badgeservice.web.console.pack_errors import error_words
from badgeservice.web.console.pack_form import (
    OTHER_PACK,
    PackForm,
    form_of_body,
    pack_fields,
    parse_form,
)
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
LISTED = 200  # the packs listed, and the achievements and packs a step may name
# Blank rows after the filled ones; "Add more rows" shows the form again with as many more.
BLANK_STEPS, BLANK_GROUPS, BLANK_RESOURCES = 3, 2, 1
AUDIENCE_NAMES = {
    "newcomer": N_("Newcomers"),
    "affiliate": N_("Affiliates"),
    "partner": N_("Partners"),
}
KIND_NAMES = {
    "achievement": N_("Earn an achievement"),
    "pack": N_("Complete another pack"),
    "activity": N_("An activity (a link; counts for nothing by itself)"),
}


def _name(pack: Pack, language: str) -> str:
    return pick_text(pack.name, language, pack.default_language)[1] if pack.name else pack.slug


@router.get("/console/{slug}/packs", response_class=Response)
def list_page(
    request: Request, session: SessionDep, staff: Annotated[Staff, StaffDep("achievements:read")]
) -> Response:
    """The issuer's packs: name, audience, steps, awards made, the public page."""
    found, total = packs.list_packs(session, staff.issuer, limit=LISTED, offset=0)
    counts = packs.counts(session, staff.issuer)
    language = i18n.negotiate(request)
    rows = [
        {
            "name": _name(pack, language),
            "slug": pack.slug,
            "audience": i18n.gettext(language, AUDIENCE_NAMES[pack.audience]),
            "steps": counts.get(pack.id, (0, 0))[0],
            "awards": counts.get(pack.id, (0, 0))[1],
            "edit": console_url(staff.issuer.slug, "packs", pack.slug, "edit"),
            "report": console_url(staff.issuer.slug, "packs", pack.slug, "report"),
            "public": pack_page_url(SITE, staff.issuer.slug, pack.slug),
        }
        for pack in found
    ]
    context = {
        "title": i18n.gettext(language, N_("Learning packs")),
        "rows": rows,
        "total": total,
        "notice": request.query_params.get("notice", ""),
    }
    return render_console(request, "console/packs.html", context, staff, section="packs")


@router.get("/console/{slug}/packs/new", response_class=Response)
def new_page(
    request: Request, session: SessionDep, staff: Annotated[Staff, StaffDep("achievements:write")]
) -> Response:
    form = form_of_body({"defaultLanguage": i18n.negotiate(request), "audience": "newcomer"})
    return _editor(request, session, staff, form, None)


@router.post("/console/{slug}/packs/new", response_class=Response)
async def create(
    request: Request, session: SessionDep, staff: Annotated[Staff, StaffDep("achievements:write")]
) -> Response:
    """Save a new pack, or show the editor again (more rows, another language, errors)."""
    return await _post(request, session, staff, None)


@router.get("/console/{slug}/packs/{pack_slug}/edit", response_class=Response)
def edit_page(
    request: Request,
    pack_slug: str,
    session: SessionDep,
    staff: Annotated[Staff, StaffDep("achievements:read")],
) -> Response:
    pack = packs.get_pack(session, staff.issuer, pack_slug)
    form = form_of_body(packs.body(packs.view(session, pack)))
    notice = request.query_params.get("notice", "")
    return _editor(request, session, staff, form, pack, notice=notice)


@router.post("/console/{slug}/packs/{pack_slug}/edit", response_class=Response)
async def update(
    request: Request,
    pack_slug: str,
    session: SessionDep,
    staff: Annotated[Staff, StaffDep("achievements:write")],
) -> Response:
    """Save the pack (``revision`` + 1 when anything changed), or show the editor again."""
    pack = packs.get_pack(session, staff.issuer, pack_slug)
    return await _post(request, session, staff, pack)


async def _post(request: Request, session: Session, staff: Staff, pack: Pack | None) -> Response:
    fields = await console_form(request, staff)
    action = fields.get("action", "save")
    form = parse_form(fields)
    if action == "add-language":
        with contextlib.suppress(LanguageTagError):
            form = form.with_language(normalize_language(fields.get("addLanguage", "")))
    if action != "save":  # "more-rows", "add-language": the same form, with more inputs
        return _editor(request, session, staff, form, pack)
    current = packs.body(packs.view(session, pack)) if pack is not None else None
    actor = staff.principal.actor
    try:
        wire = pack_fields(form, current)
        if pack is None:
            pack = packs.create_pack(session, staff.issuer, wire, actor=actor)
        else:
            packs.update_pack(session, staff.issuer, pack, wire, actor=actor)
    except (ValidationFailedError, PackSlugTakenError) as exc:
        session.rollback()  # the steps written before the error, the slug changed
        errors = exc.errors if isinstance(exc, ValidationFailedError) else [_taken(exc)]
        return _editor(request, session, staff, form, pack, errors=errors)
    session.commit()
    return see_other(console_url(staff.issuer.slug, "packs", pack.slug, "edit"), "saved")


def _taken(exc: PackSlugTakenError) -> FieldError:
    return FieldError("/body/slug", exc.detail, exc.code)


def _choices(
    session: Session, staff: Staff, pack: Pack | None, language: str
) -> dict[str, list[tuple[str, str]]]:
    """What a select may name: the issuer's achievements and the catalogue's shared skills,
    its other packs and other issuers' shared packs (``issuer/pack``)."""
    found, _ = achievements.list_achievements(session, staff.issuer, limit=LISTED, offset=0)
    shared = catalogue.shared_by_others(session, staff.issuer, limit=LISTED)
    others, _ = packs.list_packs(session, staff.issuer, limit=LISTED, offset=0)
    offered, _ = packs.shared_packs(session, limit=LISTED)

    def achievement_name(a: Achievement) -> str:
        return pick_text(a.name, language, a.default_language)[1]

    return {
        "achievements": [(str(a.id), achievement_name(a)) for a in found]
        + [(str(a.id), f"{achievement_name(a)} ({owner.name})") for a, owner in shared],
        "packs": [(p.slug, _name(p, language)) for p in others if pack is None or p.id != pack.id]
        + [
            (f"{owner.slug}{OTHER_PACK}{p.slug}", f"{_name(p, language)} ({owner.name})")
            for p, owner in offered
            if owner.id != staff.issuer.id
        ],
    }


def _editor(
    request: Request,
    session: Session,
    staff: Staff,
    form: PackForm,
    pack: Pack | None,
    *,
    errors: list[FieldError] | None = None,
    notice: str = "",
) -> Response:
    """The editor: the form with blank rows to fill, each field's errors next to it and
    summarised at the top."""
    language = i18n.negotiate(request)
    words = error_words(errors or [], form.default_language, language)
    slug = staff.issuer.slug
    parts = ("packs", pack.slug, "edit") if pack is not None else ("packs", "new")
    title = _name(pack, language) if pack is not None else N_("New learning pack")
    context = {
        "title": i18n.gettext(language, title) if pack is None else title,
        "form": form,
        "record": pack,
        "action": console_url(slug, *parts),
        "list_url": console_url(slug, "packs"),
        "public_url": pack_page_url(SITE, slug, pack.slug) if pack is not None else None,
        "report_url": console_url(slug, "packs", pack.slug, "report") if pack else None,
        "delete_url": console_url(slug, "packs", pack.slug, "delete") if pack else None,
        "errors": words,
        "field_errors": {error["id"]: error["message"] for error in reversed(words)},
        "offered": [tag for tag in OFFERED_LANGUAGES if tag not in form.languages],
        "audiences": [(a, i18n.gettext(language, AUDIENCE_NAMES[a])) for a in AUDIENCES],
        "kinds": [(k, i18n.gettext(language, KIND_NAMES[k])) for k in STEP_KINDS],
        "choices": _choices(session, staff, pack, language),
        "groups": [*(form.body.get("groups") or []), *({} for _ in range(BLANK_GROUPS))],
        "steps": [*(form.body.get("steps") or []), *({} for _ in range(BLANK_STEPS))],
        "blank_resources": BLANK_RESOURCES,
        "may_write": staff.may("achievements:write"),
        "notice": notice,
    }
    status = 422 if errors else 200
    return render_console(request, "console/pack.html", context, staff, status, section="packs")


@router.get("/console/{slug}/packs/{pack_slug}/delete", response_class=Response)
def delete_page(
    request: Request,
    pack_slug: str,
    session: SessionDep,
    staff: Annotated[Staff, StaffDep("achievements:write")],
) -> Response:
    pack = packs.get_pack(session, staff.issuer, pack_slug)
    return _delete_page(request, staff, pack)


def _delete_page(request: Request, staff: Staff, pack: Pack, problem: str = "") -> Response:
    language = i18n.negotiate(request)
    context = {
        "title": _name(pack, language),
        "pack": pack,
        "action": console_url(staff.issuer.slug, "packs", pack.slug, "delete"),
        "edit_url": console_url(staff.issuer.slug, "packs", pack.slug, "edit"),
        "problem": problem,
    }
    status = {"": 200, "confirm_required": 422}.get(problem, 409)
    return render_console(
        request, "console/pack_delete.html", context, staff, status, section="packs"
    )


@router.post("/console/{slug}/packs/{pack_slug}/delete", response_class=Response)
async def delete(
    request: Request,
    pack_slug: str,
    session: SessionDep,
    staff: Annotated[Staff, StaffDep("achievements:write")],
) -> Response:
    """Delete the pack (its awards' credentials stay valid), once the box is ticked; refused
    while another pack has it as a step."""
    form = await console_form(request, staff)
    pack = packs.get_pack(session, staff.issuer, pack_slug)
    if form.get("confirm") != "yes":
        return _delete_page(request, staff, pack, "confirm_required")
    try:
        packs.delete_pack(session, staff.issuer, pack, actor=staff.principal.actor)
    except PackInUseError as exc:
        session.rollback()
        return _delete_page(request, staff, pack, exc.code)
    session.commit()
    return see_other(console_url(staff.issuer.slug, "packs"), "deleted")


@router.get("/console/{slug}/packs/{pack_slug}/report", response_class=Response)
def report_page(
    request: Request,
    pack_slug: str,
    session: SessionDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("achievements:read")],
) -> Response:
    """The awards whose step credentials are no longer all active: the pack credential
    stays valid; the issuer decides whether to revoke it."""
    pack = packs.get_pack(session, staff.issuer, pack_slug)
    changed = pack_awards.changed_awards(session, pack, clock.now())
    language = i18n.negotiate(request)
    context = {
        "title": _name(pack, language),
        "pack": pack,
        "edit_url": console_url(staff.issuer.slug, "packs", pack.slug, "edit"),
        "list_url": console_url(staff.issuer.slug, "packs"),
        "items": [_changed(staff, c) for c in changed],
        "states": {s: i18n.gettext(language, STATE_NAMES[s]) for s in STATE_NAMES},
    }
    return render_console(request, "console/pack_report.html", context, staff, section="packs")


def _changed(staff: Staff, changed: pack_awards.ChangedAward) -> dict[str, Any]:
    def link(credential_id: object) -> str:
        return console_url(staff.issuer.slug, "credentials", str(credential_id))

    award = changed.award
    return {
        "awarded_at": award.awarded_at,
        "credential": link(award.credential_id) if award.credential_id else None,
        "credential_id": str(award.credential_id) if award.credential_id else None,
        "inactive": [
            {"id": str(i), "href": link(i), "state": changed.states[i]} for i in changed.inactive
        ],
    }
