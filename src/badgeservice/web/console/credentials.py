"""``/console/{slug}/credentials``: find issued credentials, and revoke, suspend, lift a
suspension or mail the recipient again. Each form calls the service the API route calls
(``api/routes/credentials``), as the member."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Credential
from badgeservice.domain.credential_state import STATES, State
from badgeservice.domain.languages import pick_text
from badgeservice.domain.recipient import RecipientError
from badgeservice.domain.urls import SITE, credential_url
from badgeservice.errors import FieldError, NotFoundError, ServiceError, ValidationFailedError
from badgeservice.http.deps import ClockDep, KeyStoreDep, SessionDep, SettingsDep
from badgeservice.services import achievements, credential_mail, credentials, recipient_search
from badgeservice.services.keystore import KeyStore
from badgeservice.services.status_lists import ListSigner
from badgeservice.web import i18n
from badgeservice.web.console.common import (
    Staff,
    StaffDep,
    console_form,
    console_url,
    render_console,
    see_other,
)
from badgeservice.web.console.listing import PAGE_SIZE, BadDateError, day_bound, page_number, paging
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
STATE_NAMES: dict[str, str] = {
    "active": N_("Valid"),
    "not_yet_valid": N_("Not yet valid"),
    "expired": N_("Expired"),
    "suspended": N_("Suspended"),
    "revoked": N_("Revoked"),
}
KIND_NAMES = {
    "email": N_("email (hidden)"),
    "wikimedia_username": N_("Wikimedia username (hidden)"),
    "did": N_("DID"),
    "url": N_("URL"),
}
# Problem codes (the API's) → what the page says next to the field or at the top.
PROBLEMS = {
    "invalid_recipient": N_(
        "Enter an email address, a Wikimedia username, a DID or a web address (URL)."
    ),
    "invalid_date": N_("Enter a date as YYYY-MM-DD."),
    "confirm_required": N_("Tick the box to confirm: revoking cannot be undone."),
    "reason_too_long": N_("The reason is too long: at most 1000 characters."),
    "email_too_long": N_("The email address is too long."),
    "credential_revoked": N_("This credential is revoked, and revoking is final."),
    "credential_not_suspendable": N_(
        "This credential was issued without a suspension entry; it can only be revoked."
    ),
    "invalid_email": N_("This is not an email address."),
    "email_not_recipient": N_("This is not the email address the credential was issued to."),
    "recipient_address_unknown": N_(
        "No email address is known for this recipient: enter the address the credential "
        "was issued to."
    ),
    "mail_disabled": N_("This service sends no mail."),
    "too_many_resends": N_("The message was sent again too often. Try again in an hour."),
}
NOTICES = {
    "issued": N_("The credential is issued."),
    "revoked": N_("The credential is revoked."),
    "suspended": N_("The credential is suspended."),
    "unsuspended": N_("The suspension is lifted: the credential is valid again."),
    "mail_resent": N_("The message to the recipient is on its way."),
}
REASON_MAX = 1000


def say(request: Request, message: str) -> str:
    return i18n.gettext(i18n.negotiate(request), message)


def recipient_shown(credential: Credential) -> dict[str, str | None]:
    """What the table shows of the recipient: the name given, and the DID or URL (a hashed
    email or username is only named as such)."""
    shown: str | None = None
    if credential.recipient_type in ("did", "url"):
        subject = json.loads(credential.document).get("credentialSubject", {})
        shown = str(subject.get("id", "")) or None
    return {
        "name": credential.recipient_name,
        "kind": KIND_NAMES.get(credential.recipient_type, credential.recipient_type),
        "id": shown,
    }


def achievement_names(found: list[Achievement], language: str) -> dict[uuid.UUID, str]:
    return {a.id: pick_text(a.name, language, a.default_language)[1] for a in found}


def _search_filter(
    key_store: KeyStore, fields: dict[str, str], choices: dict[uuid.UUID, str]
) -> tuple[credentials.CredentialFilter, dict[str, str]]:
    """The filter the search form asks for, and the codes of its fields that are wrong."""
    errors: dict[str, str] = {}
    achievement = next((a for a in choices if str(a) == fields["achievement"]), None)
    state: State | None = next((s for s in STATES if s == fields["state"]), None)
    bounds: dict[str, datetime | None] = {}
    for name, end in (("issued_from", False), ("issued_to", True)):
        try:
            bounds[name] = day_bound(fields[name], end=end)
        except BadDateError:
            bounds[name], errors[name] = None, "invalid_date"
    where = credentials.CredentialFilter(
        achievement, None, state, bounds["issued_from"], bounds["issued_to"]
    )
    if fields["recipient"].strip():
        try:
            where = recipient_search.recipient_filter(key_store, fields["recipient"], where)
        except RecipientError:
            errors["recipient"] = "invalid_recipient"
    return where, errors


@router.get("/console/{slug}/credentials", response_class=Response)
def credential_search(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    key_store: KeyStoreDep,
    staff: Annotated[Staff, StaffDep("credentials:read")],
) -> Response:
    """The issuer's credentials, newest first, by recipient, achievement, state and date."""
    context = _search_context(request, session, key_store, staff, clock.now())
    status_code = 422 if context["errors"] else 200
    return render_console(
        request, "console/credentials.html", context, staff, status_code, section="credentials"
    )


def _search_context(
    request: Request, session: Session, key_store: KeyStore, staff: Staff, now: datetime
) -> dict[str, Any]:
    query = request.query_params
    names = ("recipient", "achievement", "state", "issued_from", "issued_to")
    fields = {name: query.get(name, "")[:2048] for name in names}
    found, _total = achievements.list_achievements(session, staff.issuer, limit=500, offset=0)
    choices = achievement_names(found, i18n.negotiate(request))
    where, errors = _search_filter(key_store, fields, choices)
    page = page_number(query.get("page"))
    rows: list[Credential] = []
    total = 0
    if not errors:
        offset = (page - 1) * PAGE_SIZE
        rows, total = credentials.list_credentials(
            session, staff.issuer, where, limit=PAGE_SIZE, offset=offset, now=now
        )
    return {
        "fields": fields,
        "errors": {k: say(request, PROBLEMS[v]) for k, v in errors.items()},
        "achievements": choices,
        "states": {s: say(request, STATE_NAMES[s]) for s in STATES},
        "rows": [_row(staff, c, choices, now) for c in rows],
        "paging": paging(console_url(staff.issuer.slug, "credentials"), fields, page, total),
        "title": say(request, N_("Credentials")),
    }


def _row(
    staff: Staff, credential: Credential, names: dict[uuid.UUID, str], now: datetime
) -> dict[str, Any]:
    return {
        "credential": credential,
        "recipient": recipient_shown(credential),
        "achievement": names.get(credential.achievement_id, ""),
        "state": credentials.state_of(credential, now),
        "href": console_url(staff.issuer.slug, "credentials", str(credential.id)),
    }


def _credential(session: Session, staff: Staff, credential_id: str) -> Credential:
    try:
        ident = uuid.UUID(credential_id)
    except ValueError:
        raise NotFoundError("No such credential.") from None
    return credentials.get_credential(session, staff.issuer, ident)


def detail_page(
    request: Request,
    session: Session,
    staff: Staff,
    credential: Credential,
    now: datetime,
    *,
    problem: ServiceError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """The credential and its forms; after a refused form, its problem at the top and next
    to the field it concerns (``form`` names which form was sent, and keeps its values)."""
    achievement = achievements.get_issuable(session, staff.issuer, credential.achievement_id)
    language = i18n.negotiate(request)
    state = credentials.state_of(credential, now)
    notice = NOTICES.get(request.query_params.get("notice", ""))
    context = {
        "credential": credential,
        "achievement": pick_text(achievement.name, language, achievement.default_language)[1],
        "recipient": recipient_shown(credential),
        "state": state,
        "state_name": say(request, STATE_NAMES[state]),
        "suspendable": isinstance(json.loads(credential.document).get("credentialStatus"), list),
        "page_url": credential_url(SITE, credential.id),
        "json_url": credential_url(SITE, credential.id, ".jwt" if credential.jwt else ".json"),
        "action_url": console_url(staff.issuer.slug, "credentials", str(credential.id)),
        "notice": say(request, notice) if notice else "",
        "form": form or {},
        "title": pick_text(achievement.name, language, achievement.default_language)[1],
    } | _problem_context(request, problem)
    status_code = problem.status if problem is not None else 200
    response = render_console(
        request, "console/credential.html", context, staff, status_code, section="credentials"
    )
    if problem is not None and "Retry-After" in problem.headers:
        response.headers["Retry-After"] = problem.headers["Retry-After"]
    return response


def _problem_context(request: Request, problem: ServiceError | None) -> dict[str, Any]:
    """``problem`` (the top summary) and ``field_errors`` (field name → words)."""
    if problem is None:
        return {"problem": "", "field_errors": {}}
    fields: dict[str, str] = {}
    if isinstance(problem, ValidationFailedError):
        for error in problem.errors:
            fields[error.pointer.rsplit("/", 1)[-1]] = say(request, _words(error.code))
    top = next(iter(fields.values()), "") if fields else say(request, _words(problem.code))
    return {"problem": top, "field_errors": fields}


def _words(code: str) -> str:
    return PROBLEMS.get(code, N_("This could not be done."))


@router.get("/console/{slug}/credentials/{credential_id}", response_class=Response)
def credential_detail(
    request: Request,
    credential_id: str,
    session: SessionDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("credentials:read")],
) -> Response:
    credential = _credential(session, staff, credential_id)
    return detail_page(request, session, staff, credential, clock.now())


@router.post("/console/{slug}/credentials/{credential_id}/resend-mail", response_class=Response)
async def resend_mail(
    request: Request,
    credential_id: str,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    key_store: KeyStoreDep,
    staff: Annotated[Staff, StaffDep("credentials:issue")],
) -> Response:
    """``credential_mail.resend_issued``, as ``POST …/credentials/{id}/resend-mail``."""
    form = await console_form(request, staff) | {"form": "resend"}
    credential, now = _credential(session, staff, credential_id), clock.now()
    email = form.get("email", "").strip() or None
    try:
        if email is not None and len(email) > 320:
            raise _invalid("email", "email_too_long")
        credential_mail.resend_issued(
            session,
            settings,
            key_store,
            credential,
            email=email,
            actor=staff.principal.actor,
            now=now,
        )
    except ServiceError as exc:
        session.rollback()
        return detail_page(request, session, staff, credential, now, problem=exc, form=form)
    session.commit()
    return see_other(_detail_path(staff, credential), "mail_resent")


@router.post("/console/{slug}/credentials/{credential_id}/{action}", response_class=Response)
async def change_status(
    request: Request,
    credential_id: str,
    action: str,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    key_store: KeyStoreDep,
    staff: Annotated[Staff, StaffDep("credentials:revoke")],
) -> Response:
    """``revoke`` (final: the confirmation box must be ticked), ``suspend`` or ``unsuspend``,
    with the ``ListSigner`` of ``api/routes/credentials.change_status``."""
    if action not in ("revoke", "suspend", "unsuspend"):
        raise NotFoundError("No such action.")
    form = await console_form(request, staff) | {"form": action}
    credential, now = _credential(session, staff, credential_id), clock.now()
    signer = ListSigner(settings.base_url, key_store, now)
    try:
        notice = _change(session, credential, form, staff.principal.actor, now, signer)
    except ServiceError as exc:
        session.rollback()
        return detail_page(request, session, staff, credential, now, problem=exc, form=form)
    session.commit()
    return see_other(_detail_path(staff, credential), notice)


def _change(
    session: Session,
    credential: Credential,
    form: dict[str, str],
    actor: str,
    now: datetime,
    signer: ListSigner,
) -> str:
    """The form's change (``form["form"]``: the action), checked first; its notice."""
    action, reason = form["form"], form.get("reason", "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        raise _invalid("reason", "reason_too_long")
    if action == "revoke":
        if form.get("confirm") != "yes":
            raise _invalid("confirm", "confirm_required")
        credentials.revoke(session, credential, reason, actor=actor, now=now, signer=signer)
        return "revoked"
    if action == "suspend":
        credentials.suspend(session, credential, reason, actor=actor, now=now, signer=signer)
        return "suspended"
    credentials.unsuspend(session, credential, actor=actor, signer=signer)
    return "unsuspended"


def _invalid(field: str, code: str) -> ValidationFailedError:
    return ValidationFailedError(errors=[FieldError(f"/form/{field}", code, code)])


def _detail_path(staff: Staff, credential: Credential) -> str:
    return console_url(staff.issuer.slug, "credentials", str(credential.id))
