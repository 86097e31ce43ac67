"""What the signed-in pages share: who is signed in, forms with the session's CSRF token,
answers that no cache keeps, and the page shown to a visitor who is not signed in."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from badgeservice.db.models import User, WebSession
from badgeservice.services import web_sessions
from badgeservice.web import i18n
from badgeservice.web.i18n import N_

SIGN_IN_LINKS = {"wikimedia": "/auth/wikimedia/login?next=/me", "email": "/auth/email?next=/me"}
NO_STORE = "private, no-store"
FORM_EXPIRED = (
    N_("This form has expired"),
    N_("Go back, reload the page and try again. You may need to sign in again."),
)


def private(response: Response) -> Response:
    """Only this browser may keep the answer, and not even it."""
    response.headers["Cache-Control"] = NO_STORE
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    signed_in: tuple[WebSession, User] | None,
    status_code: int = 200,
) -> Response:
    """A page of the signed-in part, with the CSRF token its forms send back."""
    language = i18n.negotiate(request)
    values = {
        **context,
        "csrf": signed_in[0].csrf_token if signed_in else "",
        "user": signed_in[1] if signed_in else None,
        "sign_in": SIGN_IN_LINKS,
    }
    return private(i18n.render(request, name, language, values, status_code=status_code))


def sign_in_page(request: Request, status_code: int = 200) -> Response:
    """For a visitor who is not signed in: the two ways to sign in."""
    return render(request, "sign_in_needed.html", {"title": ""}, None, status_code)


async def form_of(request: Request) -> dict[str, str]:
    """The submitted form's text fields (files ignored)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def csrf_failed(request: Request, form: dict[str, str], signed_in: Any) -> Response | None:
    """The 403 page when the form is not from this session (no session, no or a wrong
    token); ``None`` when it is."""
    if signed_in is not None and web_sessions.check_csrf(signed_in[0], form.get("csrf")):
        return None
    return form_expired_page(request)


def form_expired_page(request: Request) -> Response:
    """403 "This form has expired": a form that is not from this browser's session."""
    language = i18n.negotiate(request)
    headline, sentence = FORM_EXPIRED
    context = {
        "title": i18n.gettext(language, headline),
        "headline": i18n.gettext(language, headline),
        "sentence": i18n.gettext(language, sentence),
    }
    return private(i18n.render(request, "error.html", language, context, status_code=403))


def safe_back(path: str | None, default: str = "/me") -> str:
    """A return address inside the backpack only (never another site)."""
    if path and path.startswith("/me") and "//" not in path and "\\" not in path:
        return path[:2000]
    return default


def see_other(path: str, notice: str = "", anchor: str = "") -> Response:
    """303 to ``path`` with ``?notice=`` (the page says what was done; none when empty)."""
    if not notice:
        return private(RedirectResponse(path + (f"#{anchor}" if anchor else ""), status_code=303))
    kept = "&".join(
        p for p in path.partition("?")[2].split("&") if p and not p.startswith("notice=")
    )
    target = path.partition("?")[0] + (f"?{kept}" if kept else "")
    separator = "&" if kept else "?"
    location = f"{target}{separator}notice={notice}" + (f"#{anchor}" if anchor else "")
    return private(RedirectResponse(location, status_code=303))
