"""``/me``: the signed-in learner's backpack, its visibility forms, the ZIP download and the
second email (its one-time link and confirmation). Every answer is ``private, no-store``."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from badgeservice.db.models import FrameworkItem, User, WebSession
from badgeservice.domain.languages import label_in, pick_text
from badgeservice.domain.urls import SITE, learner_clr_url
from badgeservice.errors import NotFoundError, ServiceError, ValidationFailedError
from badgeservice.http.deps import (
    ClockDep,
    DatabaseDep,
    KeyStoreDep,
    SessionDep,
    SettingsDep,
    UnitsOfWork,
    WebSessionDep,
    WriterDep,
)
from badgeservice.services import (
    backpack,
    backpack_export,
    clr,
    email_claims,
    issuance,
    issuers,
    members,
    pack_clr,
    packs,
    skills_map,
    visibility,
)
from badgeservice.services.backpack import SORTS, Sort
from badgeservice.web import i18n
from badgeservice.web.accounts import (
    csrf_failed,
    form_of,
    private,
    render,
    safe_back,
    see_other,
    sign_in_page,
)
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
NOTICES = ("saved", "link_sent", "email_added")
SignedIn = tuple[WebSession, User]


def _label(item: FrameworkItem, request: Request) -> str:
    """A skill's label in the page's language."""
    return label_in(item.labels, i18n.negotiate(request), item.code)


def _page_number(text: str | None) -> int:
    """``?page=``: digits only, else the first page (a huge number is the last page)."""
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 9:
        return 1
    return int(text)


def _query_of(request: Request) -> tuple[str, Sort, int]:
    params = request.query_params
    sort = params.get("sort", "newest")
    chosen: Sort = "name" if sort == "name" else "newest"
    return params.get("q", "")[: backpack.MAX_QUERY], chosen, _page_number(params.get("page"))


def backpack_context(
    request: Request, session: Session, user: User, now: datetime, **extra: Any
) -> dict[str, Any]:
    query, sort, page = _query_of(request)
    found = backpack.backpack_page(session, user, query=query, sort=sort, page=page, now=now)
    notice = request.query_params.get("notice")
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        "title": user.display_name,
        "found": found,
        "query": query,
        "sort": sort,
        "sorts": SORTS,
        "back": back,
        "emails": email_claims.emails_of(session, user),
        "staff_of": members.memberships(session, user),
        "notice": notice if notice in NOTICES else None,
        "email_error": None,
        "email_value": "",
        "clr_issuers": [
            {"name": issuer.name, "clr_href": learner_clr_url(SITE, issuer.slug)}
            for issuer in clr.learner_clr_issuers(session, user, now)
        ],
        "user_excluded": user.skills_map_excluded,
        "skills": [
            (framework, [_label(item, request) for item in items])
            for framework, items in skills_map.learner_skills(session, user, now)
        ],
        **extra,
    }


@router.get("/me", response_class=Response)
def backpack_page(
    request: Request, session: SessionDep, signed_in: WebSessionDep, clock: ClockDep
) -> Response:
    """The backpack; the sign-in links for a visitor who is not signed in."""
    if signed_in is None:
        return sign_in_page(request)
    context = backpack_context(request, session, signed_in[1], clock.now())
    return render(request, "backpack.html", context, signed_in)


@router.post("/me/credentials/{credential_id}/visibility", response_class=Response)
async def set_visibility(
    credential_id: str,
    request: Request,
    session: SessionDep,
    signed_in: WebSessionDep,
    clock: ClockDep,
) -> Response:
    """One credential's three choices (unticked boxes are off); back to the backpack."""
    form = await form_of(request)
    refused = csrf_failed(request, form, signed_in)
    if refused is not None or signed_in is None:
        return refused or sign_in_page(request, 403)
    choices = {name: form.get(name) == "1" for name in visibility.CHOICES}
    visibility.set_visibility(session, signed_in[1], _uuid(credential_id), choices, clock.now())
    session.commit()
    return see_other(safe_back(form.get("back")), "saved", f"c-{credential_id}")


@router.post("/me/skills-map", response_class=Response)
async def set_skills_map_choice(
    request: Request, session: SessionDep, signed_in: WebSessionDep
) -> Response:
    """Leave (box ticked) or join the skills map's counts; back to the backpack."""
    form = await form_of(request)
    refused = csrf_failed(request, form, signed_in)
    if refused is not None or signed_in is None:
        return refused or sign_in_page(request, 403)
    skills_map.set_excluded(session, signed_in[1], excluded=form.get("excluded") == "1")
    session.commit()
    return see_other("/me", "saved", "skills-map")


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFoundError(f"Credential {text} not found.") from None


@router.get("/me/download.zip", response_class=Response)
def download_zip(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    signed_in: WebSessionDep,
    clock: ClockDep,
    database: DatabaseDep,
) -> Response:
    """Every credential of the backpack: signed JSON or JWT, baked PNG and PDF, streamed."""
    if signed_in is None:
        return sign_in_page(request, 401)
    ids = backpack.credential_ids(session, signed_in[1])
    session.rollback()  # the list is read; the stream reads in units of work of its own
    chunks = backpack_export.zip_chunks(
        database, ids, base_url=settings.base_url, language=i18n.negotiate(request), now=clock.now()
    )
    disposition = f'attachment; filename="badges-{signed_in[1].handle}.zip"'
    response = StreamingResponse(chunks, media_type="application/zip")
    response.headers["Content-Disposition"] = disposition
    return private(response)


@router.get("/me/clr/{slug}.json", response_class=Response)
def download_clr(
    slug: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    signed_in: WebSessionDep,
    clock: ClockDep,
    writer: WriterDep,
) -> Response:
    """A CLR 2.0 learner record: the user's active credentials from one issuer, bundled and
    signed by that issuer, as a JSON download (signed for this answer, not stored)."""
    if signed_in is None:
        return sign_in_page(request, 401)
    user = signed_in[1]
    context = issuance.IssueContext(settings.base_url, key_store, f"user:{user.id}", clock.now())
    words = i18n.gettext(i18n.negotiate(request), N_("Learner record of %(name)s"))
    name = words % {"name": user.display_name}
    signed = clr.learner_clr(session, user, slug, context, name=name)
    return _recorded_download(session, writer, signed, context.actor, f"clr-{slug}.json")


def _recorded_download(
    session: Session, writer: UnitsOfWork, signed: clr.SignedClr, actor: str, filename: str
) -> Response:
    """A CLR signed from the reads of this GET, recorded in a unit of work that may write."""
    session.rollback()  # the reads are done; the record waits its turn for the write lock
    with writer() as unit:
        clr.record_clr(unit, signed, actor)
    return _json_download(signed.document, filename)


def _json_download(document: dict[str, Any], filename: str) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    response = Response(body, media_type="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private(response)


@router.get("/me/clr/{slug}/{pack_slug}.json", response_class=Response)
def download_pack_clr(
    slug: str,
    pack_slug: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    signed_in: WebSessionDep,
    clock: ClockDep,
    writer: WriterDep,
) -> Response:
    """A CLR 2.0 learner record of one learning pack: the user's active credentials on it
    (the pack credential, its steps'), related as the pack orders them, signed by its issuer."""
    if signed_in is None:
        return sign_in_page(request, 401)
    user = signed_in[1]
    pack = packs.get_pack(session, issuers.get_issuer(session, slug), pack_slug)
    context = issuance.IssueContext(settings.base_url, key_store, f"user:{user.id}", clock.now())
    language = i18n.negotiate(request)
    words = i18n.gettext(language, N_("%(pack)s: learner record of %(name)s"))
    name = words % {
        "pack": pick_text(pack.name, language, pack.default_language)[1],
        "name": user.display_name,
    }
    signed = pack_clr.learner_pack_clr(session, user, pack, context, name=name)
    return _recorded_download(
        session, writer, signed, context.actor, f"clr-{slug}-{pack_slug}.json"
    )


EMAIL_PROBLEMS = (
    ValidationFailedError,
    email_claims.EmailAlreadyAddedError,
    email_claims.EmailClaimedElsewhereError,
    email_claims.TooManyLinksError,
)


@router.post("/me/emails", response_class=Response)
async def add_email(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    signed_in: WebSessionDep,
    clock: ClockDep,
) -> Response:
    """Mails a one-time link to the address; the page says what went wrong, next to it."""
    form = await form_of(request)
    refused = csrf_failed(request, form, signed_in)
    if refused is not None or signed_in is None:
        return refused or sign_in_page(request, 403)
    language = i18n.negotiate(request)
    try:
        email_claims.request_link(
            session, signed_in[1], form.get("email", ""), key_store=key_store,
            base_url=settings.base_url, language=language, now=clock.now(),
        )  # fmt: skip
    except EMAIL_PROBLEMS as exc:
        session.rollback()
        return _email_refused(request, session, signed_in, form, exc, clock.now())
    session.commit()
    return see_other("/me", "link_sent", "emails")


def _email_refused(
    request: Request,
    session: Session,
    signed_in: SignedIn,
    form: dict[str, str],
    exc: ServiceError,
    now: datetime,
) -> Response:
    code = exc.errors[0].code if isinstance(exc, ValidationFailedError) and exc.errors else exc.code
    email = form.get("email", "")[:320]
    context = backpack_context(
        request, session, signed_in[1], now, email_error=code, email_value=email
    )
    return render(request, "backpack.html", context, signed_in, status_code=exc.status)


@router.get("/me/emails/confirm/{token}", response_class=Response)
@router.get("/me/emails/confirm", response_class=Response)  # links mailed before 0014
def confirm_email_form(
    request: Request,
    session: SessionDep,
    signed_in: WebSessionDep,
    clock: ClockDep,
    token: str = "",
) -> Response:
    """A page with a button: opening the link (a mail scanner does) changes nothing."""
    if signed_in is None:
        return sign_in_page(request)
    try:
        link = email_claims.find_link(session, signed_in[1], token, clock.now())
    except LINK_PROBLEMS as exc:
        return _link_problem(request, signed_in, exc)
    context = {"title": link.email, "email": link.email, "token": token}
    return render(request, "email_confirm.html", context, signed_in)


LINK_PROBLEMS = (
    email_claims.LinkInvalidError,
    email_claims.LinkOtherAccountError,
    email_claims.EmailClaimedElsewhereError,
    email_claims.EmailAlreadyAddedError,
)


def _link_problem(request: Request, signed_in: SignedIn, exc: ServiceError) -> Response:
    context = {"title": "", "problem": exc.code}
    return render(request, "email_link_problem.html", context, signed_in, exc.status)


@router.post("/me/emails/confirm", response_class=Response)
async def confirm_email(
    request: Request,
    session: SessionDep,
    key_store: KeyStoreDep,
    signed_in: WebSessionDep,
    clock: ClockDep,
) -> Response:
    """Adds the address: its credentials join the backpack."""
    form = await form_of(request)
    refused = csrf_failed(request, form, signed_in)
    if refused is not None or signed_in is None:
        return refused or sign_in_page(request, 403)
    try:
        email_claims.confirm_link(session, signed_in[1], form.get("token"), key_store, clock.now())
    except LINK_PROBLEMS as exc:
        session.rollback()
        return _link_problem(request, signed_in, exc)
    session.commit()
    return see_other("/me", "email_added", "emails")
