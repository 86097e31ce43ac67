"""``/console/{slug}/profile`` and ``/console/{slug}/keys``: the issuer's public Profile, its
logo, its did:web and its signing keys (rotate, revoke). Each form calls the service the API's
route calls (``api/routes/issuers.py``), as the signed-in member."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from badgeservice.domain.urls import SITE, did_document_url, issuer_url
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.http.deps import ClockDep, KeyStoreDep, SessionDep, SettingsDep
from badgeservice.services import issuers, key_revocation, keys
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
from badgeservice.web.console.issuer_forms import (
    PROFILE_FORM_FIELDS,
    field_errors,
    posted_values,
    profile_fields,
    profile_values,
    revocation_reason,
)
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
TEMPLATE = "console/profile.html"
TITLE = N_("Profile and keys")


def profile_page(
    request: Request, session: Session, staff: Staff, status_code: int = 200, **overrides: Any
) -> Response:
    """The profile page: the form (the issuer's values unless ``overrides`` gives the posted
    ones and their ``errors``), the logo, the did:web and every key with its state."""
    issuer = staff.issuer
    context: dict[str, Any] = {
        "values": profile_values(issuer),
        "errors": {},
        "logo_errors": {},
        "key_errors": {},
        "failed_key": "",
        "keys": keys.issuer_keys(session, issuer, statuses=keys.ALL_STATUSES),
        "did": issuer.did,
        "did_document": did_document_url(SITE, issuer.slug),
        "public_profile": issuer_url(SITE, issuer.slug),
        "notice": request.query_params.get("notice", ""),
        "title": i18n.gettext(i18n.negotiate(request), TITLE),
        **overrides,
    }
    return render_console(request, TEMPLATE, context, staff, status_code, section="profile")


@router.get("/console/{slug}/profile", response_class=Response)
def show_profile(
    request: Request, session: SessionDep, staff: Annotated[Staff, StaffDep("issuer:read")]
) -> Response:
    return profile_page(request, session, staff)


@router.post("/console/{slug}/profile", response_class=Response)
async def save_profile(
    request: Request, session: SessionDep, staff: Annotated[Staff, StaffDep("issuer:write")]
) -> Response:
    """The Profile's name, URL, email and description, checked as the API's PATCH checks them."""
    form = await console_form(request, staff)
    try:
        fields = profile_fields(form)
        issuers.update_profile(session, staff.issuer, fields, actor=staff.principal.actor)
    except ValidationFailedError as exc:
        session.rollback()
        values = posted_values(form, PROFILE_FORM_FIELDS)
        return profile_page(request, session, staff, 422, values=values, errors=field_errors(exc))
    session.commit()
    return see_other(console_url(staff.issuer.slug, "profile"), "saved")


@router.post("/console/{slug}/profile/logo", response_class=Response)
async def upload_logo(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: Annotated[Staff, StaffDep("issuer:write")],
) -> Response:
    """The logo as the API's ``PUT .../image`` takes it: the same checks, the same service."""
    await console_form(request, staff)
    upload = (await request.form()).get("logo")
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    try:
        if not content:
            raise ValidationFailedError(errors=[FieldError("/body", "No file.", "file_missing")])
        issuers.set_issuer_image(
            session, staff.issuer, content, settings.base_url, actor=staff.principal.actor
        )
    except ValidationFailedError as exc:
        session.rollback()
        return profile_page(request, session, staff, 422, logo_errors=field_errors(exc))
    session.commit()
    return see_other(console_url(staff.issuer.slug, "profile"), "logo")


@router.post("/console/{slug}/keys/rotate", response_class=Response)
async def rotate_keys(
    request: Request,
    session: SessionDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("keys:manage")],
) -> Response:
    """New keys sign from now on; the old ones stay published, so what they signed verifies."""
    await console_form(request, staff)
    actor = staff.principal.actor
    keys.rotate_keys(session, staff.issuer, key_store, actor=actor, now=clock.now())
    session.commit()
    return see_other(console_url(staff.issuer.slug, "profile"), "rotated")


@router.post("/console/{slug}/keys/{key_id}/revoke", response_class=Response)
async def revoke_key(
    request: Request,
    key_id: str,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("keys:manage")],
) -> Response:
    """Final: what the key signed no longer verifies (a reason and a ticked confirmation)."""
    form = await console_form(request, staff)
    try:
        reason = revocation_reason(form)
    except ValidationFailedError as exc:
        overrides = {"key_errors": field_errors(exc), "failed_key": key_id[:100]}
        overrides["reason"] = form.get("reason", "")[:500]
        return profile_page(request, session, staff, 422, **overrides)
    now = clock.now()
    signer = ListSigner(settings.base_url, key_store, now)
    key_revocation.revoke_key(
        session, staff.issuer, key_id, reason, signer, actor=staff.principal.actor, now=now
    )
    session.commit()
    return see_other(console_url(staff.issuer.slug, "profile"), "revoked")
