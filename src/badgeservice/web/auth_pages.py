"""What the sign-in pages share: the time, cookies, the form token of forms shown before anyone
is signed in, and the plain message page (a clear page with a status, never an error trace).

Forms of a signed-in browser carry the session's CSRF token (``web_sessions.check_csrf``).
Forms shown before that (ask for an email link, confirm one) carry a token that must equal a
cookie set with the form (a double-submit token): another site can make a browser post a form,
but cannot read or set our cookie, and a SameSite=Lax cookie is not sent with its POST. That
stops a stranger signing a visitor in to the stranger's own account (login CSRF).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from badgeservice.clock import Clock
from badgeservice.services import web_sessions
from badgeservice.settings import Settings
from badgeservice.web import i18n

FORM_COOKIE = "badgeservice_form"
STATE_COOKIE = "badgeservice_oauth_state"
STATE_COOKIE_PATH = "/auth/wikimedia"
NO_STORE = "no-store"


def current_time(request: Request) -> datetime:
    """Now, for the sign-in routes: the app's clock (``ClockDep``), read once per request."""
    clock: Clock = request.app.state.clock
    return clock.now()


def secure_cookies(settings: Settings) -> bool:
    """Cookies are ``Secure`` when the site is served over https."""
    return settings.base_url.startswith("https://")


def set_cookie(
    response: Response,
    settings: Settings,
    name: str,
    value: str,
    *,
    max_age: int,
    path: str = "/",
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
    )


def set_session_cookie(response: Response, settings: Settings, secret: str) -> None:
    lifetime = int(web_sessions.LIFETIME.total_seconds())
    set_cookie(response, settings, web_sessions.COOKIE_NAME, secret, max_age=lifetime)


def form_token(request: Request) -> str:
    """The browser's form token (from its cookie), or a new one to set with the page."""
    token = request.cookies.get(FORM_COOKIE, "")
    return token if 20 <= len(token) <= 64 else secrets.token_urlsafe(24)


def with_form_token(response: Response, settings: Settings, token: str) -> Response:
    set_cookie(response, settings, FORM_COOKIE, token, max_age=3600)
    return response


def form_token_matches(request: Request, submitted: str | None) -> bool:
    cookie = request.cookies.get(FORM_COOKIE)
    return bool(cookie and submitted) and hmac.compare_digest(str(cookie), str(submitted))


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """A sign-in page in the visitor's language, never cached (it may name who is signed in)."""
    language = i18n.negotiate(request)
    response = i18n.render(request, name, language, context, status_code=status_code)
    response.headers["Cache-Control"] = NO_STORE
    return response


def message(
    request: Request,
    status_code: int,
    headline: str,
    sentence: str,
    *,
    headers: dict[str, str] | None = None,
) -> Response:
    """A plain page saying what happened (message ids, translated here) and what to do."""
    language = i18n.negotiate(request)
    context = {
        "headline": i18n.gettext(language, headline),
        "sentence": i18n.gettext(language, sentence),
    }
    response = page(request, "sign_in_message.html", context, status_code)
    response.headers.update(headers or {})
    return response


def redirect(location: str) -> RedirectResponse:
    response = RedirectResponse(location, status_code=303)
    response.headers["Cache-Control"] = NO_STORE
    return response
