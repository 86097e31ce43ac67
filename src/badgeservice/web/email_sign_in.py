"""Email sign-in by one-time link: ``GET/POST /auth/email`` (ask for a link) and
``GET/POST /auth/email/{token}`` (confirm it).

Opening the link only shows a button: mail scanners that fetch every link in a message would
otherwise use it up before the learner clicks. The button's POST signs in. Requests for links
are limited per address and per client IP (``rate_limits``, in the database).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from badgeservice.domain.recipient import RecipientError, normalize_email
from badgeservice.http.deps import KeyStoreDep, SessionDep, SettingsDep
from badgeservice.services import mail, rate_limits, sign_in, web_sessions
from badgeservice.settings import Settings
from badgeservice.web import auth_pages, i18n
from badgeservice.web.i18n import N_
from badgeservice.web.sign_in import FORM_EXPIRED, NowDep, ip_limit, too_many

router = APIRouter(include_in_schema=False)
MAX_TOKEN = 128

LINK_SENT = (
    N_("Check your inbox"),
    N_(
        "We sent a sign-in link to the address you gave. It works once, for 15 minutes. "
        "If it does not arrive, check your spam folder or ask for a new one."
    ),
)
LINK_INVALID = (
    N_("This link cannot be used"),
    N_("This sign-in link has expired or was used already. Please ask for a new one."),
)
BAD_ADDRESS = N_("Enter an email address, such as name@example.org.")


def _form(
    request: Request,
    settings: Settings,
    *,
    next_path: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    token = auth_pages.form_token(request)
    language = i18n.negotiate(request)
    context = {
        "title": "",
        "available": mail.enabled(settings),
        "next": next_path,
        "form_token": token,
        "error": i18n.gettext(language, error) if error else None,
    }
    response = auth_pages.page(request, "sign_in_email.html", context, status_code)
    return auth_pages.with_form_token(response, settings, token)


@router.get("/auth/email", response_class=Response)
def email_form(request: Request, settings: SettingsDep, next: str | None = None) -> Response:
    """The form asking for an address to mail a sign-in link to."""
    return _form(request, settings, next_path=sign_in.safe_next(next) if next else "")


@router.post("/auth/email", response_class=Response)
def email_request(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=2000)] = "",
    form_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Mails a one-time link (a row in the outbox) and says so."""
    if not auth_pages.form_token_matches(request, form_token):
        return auth_pages.message(request, 403, *FORM_EXPIRED)
    if not mail.enabled(settings):
        return _form(request, settings, status_code=503)
    try:
        address = normalize_email(email)
    except RecipientError:
        return _form(request, settings, next_path=next, error=BAD_ADDRESS, status_code=422)
    window = timedelta(seconds=settings.sign_in_limit_window_seconds)
    limits = [
        rate_limits.Limit(f"sign-in-address:{address}", settings.sign_in_limit_per_address, window),
        ip_limit(request, settings),
    ]
    if not rate_limits.allow(session, key_store, limits, now):
        session.commit()
        return too_many(request, settings)
    sign_in.send_link(
        session,
        address=address,
        purpose="sign_in",
        base_url=settings.base_url,
        language=i18n.negotiate(request),
        now=now,
        next_path=next or None,
    )
    session.commit()
    return auth_pages.message(request, 200, *LINK_SENT)


@router.get("/auth/email/{token}", response_class=Response)
def email_confirm_page(
    token: str, request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    """The link's page: a button that signs in (opening the link alone changes nothing)."""
    if not _usable(session, token, now):
        return auth_pages.message(request, 400, *LINK_INVALID)
    form = auth_pages.form_token(request)
    context = {"title": "", "token": token, "form_token": form}
    response = auth_pages.page(request, "sign_in_confirm.html", context)
    response.headers["Referrer-Policy"] = "no-referrer"  # the path is the secret
    return auth_pages.with_form_token(response, settings, form)


@router.post("/auth/email/{token}", response_class=Response)
def email_confirm(
    token: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    now: NowDep,
    form_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Uses the link up and signs in: the account of this verified address (new or not)."""
    if not auth_pages.form_token_matches(request, form_token):
        return auth_pages.message(request, 403, *FORM_EXPIRED)
    if len(token) > MAX_TOKEN:
        return auth_pages.message(request, 400, *LINK_INVALID)
    try:
        address, link = sign_in.use_link(session, token, "sign_in", now)
    except sign_in.EmailLinkInvalidError:
        return auth_pages.message(request, 400, *LINK_INVALID)
    web_sessions.end(session, request.cookies.get(web_sessions.COOKIE_NAME))
    user = sign_in.sign_in_email(session, key_store, address, i18n.negotiate(request), now)
    secret, _ = web_sessions.start(session, user, now)
    session.commit()
    response = auth_pages.redirect(link.next_path)
    auth_pages.set_session_cookie(response, settings, secret)
    return response


def _usable(session: SessionDep, token: str, now: NowDep) -> bool:
    if len(token) > MAX_TOKEN:
        return False
    try:
        return sign_in.find_link(session, token, now).purpose == "sign_in"
    except sign_in.EmailLinkInvalidError:
        return False
