"""Sign in with Wikimedia and sign out: ``/auth/sign-in``, ``/auth/wikimedia/login``,
``/auth/wikimedia/callback``, ``POST /auth/logout`` (DESIGN.md §12).

The login keeps the ``state`` and the PKCE verifier in the database (any replica can take the
callback) and the ``state`` in a cookie of this browser too, so a callback started elsewhere is
refused. The callback uses the state up first, then talks to the wiki with no database
connection held, then stores the account and the session in one unit of work: a provider that
fails leaves nothing stored but the spent state.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from badgeservice.http.deps import (
    KeyStoreDep,
    ProviderDep,
    SessionDep,
    SettingsDep,
    WebSessionDep,
    WriterDep,
)
from badgeservice.services import mail, rate_limits, sign_in, web_sessions, wikimedia
from badgeservice.settings import Settings
from badgeservice.web import auth_pages, i18n
from badgeservice.web.auth_pages import STATE_COOKIE, STATE_COOKIE_PATH
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
NowDep = Annotated[datetime, Depends(auth_pages.current_time)]
MAX_CODE = 4096

STATE_INVALID = (
    N_("This sign-in could not be completed"),
    N_(
        "The sign-in was started in another browser, took longer than 10 minutes, or was "
        "completed already. Please sign in again."
    ),
)
PROVIDER_ERROR = (
    N_("Sign-in was cancelled"),
    N_("Wikimedia did not sign you in (you may have cancelled). You can try again."),
)
REFUSED = (
    N_("This sign-in could not be completed"),
    N_("Wikimedia did not accept this sign-in; it may have expired. Please sign in again."),
)
UNAVAILABLE = (
    N_("Wikimedia could not be reached"),
    N_(
        "Signing in with Wikimedia does not work at the moment. Nothing was changed. Please "
        "try again later, or sign in by email."
    ),
)
TOO_MANY = (
    N_("Too many attempts"),
    N_("There were too many sign-in attempts. Please wait a few minutes and try again."),
)
FORM_EXPIRED = (
    N_("This form has expired"),
    N_("Please go back, reload the page and send the form again."),
)


def client_ip(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: uvicorn's
    ``--forwarded-allow-ips`` makes it the forwarded one)."""
    return request.client.host if request.client else "unknown"


def ip_limit(request: Request, settings: Settings) -> rate_limits.Limit:
    window = timedelta(seconds=settings.sign_in_limit_window_seconds)
    key = f"sign-in-ip:{client_ip(request)}"
    return rate_limits.Limit(key, settings.sign_in_limit_per_ip, window)


def too_many(request: Request, settings: Settings) -> Response:
    retry = {"Retry-After": str(settings.sign_in_limit_window_seconds)}
    return auth_pages.message(request, 429, *TOO_MANY, headers=retry)


@router.get("/auth/sign-in", response_class=Response)
def sign_in_page(
    request: Request, settings: SettingsDep, signed: WebSessionDep, next: str | None = None
) -> Response:
    """The ways to sign in, or who is signed in (with a sign-out button)."""
    token = auth_pages.form_token(request)
    context = {
        "title": "",
        "wikimedia": wikimedia.configured(settings),
        "email": mail.enabled(settings),
        "next": sign_in.safe_next(next) if next else "",
        "form_token": token,
        "user": signed[1] if signed else None,
        "csrf_token": signed[0].csrf_token if signed else "",
    }
    response = auth_pages.page(request, "sign_in.html", context)
    return auth_pages.with_form_token(response, settings, token)


@router.get("/auth/wikimedia/login", response_class=Response)
def wikimedia_login(
    request: Request,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    database: WriterDep,
    now: NowDep,
    next: str | None = None,
) -> Response:
    """To the wiki's authorize page (302), with a new state and PKCE challenge."""
    if not wikimedia.configured(settings):
        return auth_pages.redirect("/auth/sign-in")
    verifier = wikimedia.new_verifier()
    with database() as session:
        if not rate_limits.allow(session, key_store, [ip_limit(request, settings)], now):
            return too_many(request, settings)
        state, _ = sign_in.begin_wikimedia(session, verifier, next, now)
    response = RedirectResponse(wikimedia.authorize_url(settings, state, verifier), 302)
    response.headers["Cache-Control"] = auth_pages.NO_STORE
    lifetime = int(sign_in.STATE_LIFETIME.total_seconds())
    auth_pages.set_cookie(
        response, settings, STATE_COOKIE, state, max_age=lifetime, path=STATE_COOKIE_PATH
    )
    return response


@router.get("/auth/wikimedia/callback", response_class=Response)
def wikimedia_callback(
    request: Request,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    database: WriterDep,
    client: ProviderDep,
    now: NowDep,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    """Back from the wiki: the state checked and used up, the code traded for the profile,
    the account and a session stored, then to where the sign-in began."""
    browser_state = request.cookies.get(STATE_COOKIE)
    try:
        with database() as session:
            verifier, next_path = sign_in.take_state(session, state, browser_state, now)
    except sign_in.SignInStateError:
        return _forget_state(auth_pages.message(request, 400, *STATE_INVALID))
    if error is not None or not code or len(code) > MAX_CODE:
        return _forget_state(auth_pages.message(request, 400, *PROVIDER_ERROR))
    try:
        profile = wikimedia.fetch_profile(settings, client, code, verifier)
    except wikimedia.SignInRefusedError:
        return _forget_state(auth_pages.message(request, 400, *REFUSED))
    except wikimedia.SignInUnavailableError:
        return _forget_state(auth_pages.message(request, 502, *UNAVAILABLE))
    language = i18n.negotiate(request)
    with database() as session:
        # a browser signed in before (maybe as someone else) gets a new session, never keeps one
        web_sessions.end(session, request.cookies.get(web_sessions.COOKIE_NAME))
        user = sign_in.sign_in_wikimedia(session, key_store, profile, language, now)
        secret, _ = web_sessions.start(session, user, now)
    response = auth_pages.redirect(next_path)
    auth_pages.set_session_cookie(response, settings, secret)
    return _forget_state(response)


def _forget_state(response: Response) -> Response:
    response.delete_cookie(STATE_COOKIE, path=STATE_COOKIE_PATH)
    return response


@router.post("/auth/logout", response_class=Response)
def logout(
    request: Request,
    session: SessionDep,
    signed: WebSessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Signs out (the session row is deleted); needs the session's CSRF token."""
    if signed is not None:
        if not web_sessions.check_csrf(signed[0], csrf_token):
            return auth_pages.message(request, 403, *FORM_EXPIRED)
        web_sessions.end(session, request.cookies.get(web_sessions.COOKIE_NAME))
        session.commit()
    response = auth_pages.redirect("/auth/sign-in")
    response.delete_cookie(web_sessions.COOKIE_NAME, path="/")
    return response
