"""What every console page shares: the signed-in member of the URL's issuer (``StaffDep``),
the page layout with its navigation, forms with the session's CSRF token, and redirects.

A console page acts through the member's ``Principal`` (``services/members.principal_of``):
the same ``require_issuer`` check as an API token with those scopes. ``StaffDep`` checks the
scope before the form is read, so a viewer's POST is a 403 whatever it holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request, Response

from badgeservice.db.models import Issuer, User, WebSession
from badgeservice.errors import (
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    ValidationFailedError,
)
from badgeservice.http.deps import SessionDep, WebSessionDep
from badgeservice.http.middleware import NUL_DETAIL
from badgeservice.services import issuers, members, web_sessions
from badgeservice.services.auth import Principal
from badgeservice.web import i18n
from badgeservice.web.accounts import form_expired_page, private
from badgeservice.web.accounts import see_other as see_other  # the console's redirects too
from badgeservice.web.i18n import N_

CONSOLE = "/console"
# (section id, label, path below /console/{slug}, scope needed to see it)
NAV = (
    ("dashboard", N_("Overview"), "", "issuer:read"),
    ("achievements", N_("Achievements"), "/achievements", "achievements:read"),
    ("packs", N_("Learning packs"), "/packs", "achievements:read"),
    ("issue", N_("Issue"), "/issue", "credentials:issue"),
    ("batches", N_("Batches"), "/batches", "credentials:read"),
    ("credentials", N_("Credentials"), "/credentials", "credentials:read"),
    ("wanted-skills", N_("Wanted skills"), "/wanted-skills", "issuer:read"),
    ("members", N_("Members"), "/members", "issuer:read"),
    ("profile", N_("Profile and keys"), "/profile", "issuer:read"),
    ("tokens", N_("API tokens"), "/tokens", "issuer:read"),
    ("audit", N_("Audit trail"), "/audit", "issuer:read"),
)
ROLE_NAMES = {"owner": N_("Owner"), "editor": N_("Editor"), "viewer": N_("Viewer")}


@dataclass(frozen=True)
class Staff:
    """A signed-in member of an issuer, and what they may do there."""

    user: User
    web_session: WebSession
    issuer: Issuer
    role: str
    principal: Principal

    def may(self, scope: str) -> bool:
        return scope in self.principal.scopes


class SignInNeededError(ServiceError):
    """The console needs a signed-in member: shown as the sign-in page (``install``)."""

    status = 401
    code = "sign_in_needed"


class CsrfFailedError(ServiceError):
    """A console form not from this session: the 'form expired' page."""

    status = 403
    code = "csrf_failed"


def console_url(issuer_slug: str, *parts: str) -> str:
    """``/console/{slug}/part/part``: a console path (segments percent-encoded)."""
    return "/".join([CONSOLE, quote(issuer_slug, safe=""), *(quote(p, safe="") for p in parts)])


def StaffDep(scope: str) -> Any:
    """The member of the URL's ``{slug}`` issuer who may act with ``scope``; the sign-in
    page for a visitor, 404 for someone who is not staff there (the issuer's existence is
    not revealed), 403 when the member's role lacks the scope."""

    def staff_of_url(slug: str, session: SessionDep, signed_in: WebSessionDep) -> Staff:
        if signed_in is None:
            raise SignInNeededError("Sign in to use the console.")
        web_session, user = signed_in
        issuer = issuers.find_issuer(session, slug)
        role = members.role_of(session, user, issuer) if issuer is not None else None
        if issuer is None or role is None:
            raise NotFoundError(f"Issuer '{slug}' not found.")
        staff = Staff(user, web_session, issuer, role, members.principal_of(user, issuer, role))
        if not staff.may(scope):
            raise PermissionDeniedError(f"The {role} role lacks the '{scope}' scope.")
        return staff

    return Depends(staff_of_url)


def nav_of(staff: Staff, language: str, section: str) -> list[dict[str, Any]]:
    return [
        {
            "id": ident,
            "label": i18n.gettext(language, label),
            "href": console_url(staff.issuer.slug) + path,
            "current": ident == section,
        }
        for ident, label, path, scope in NAV
        if staff.may(scope)
    ]


def render_console(
    request: Request,
    template: str,
    context: dict[str, Any],
    staff: Staff | None,
    status_code: int = 200,
    section: str = "",
) -> Response:
    """A console page (``console/base.html`` and its navigation), never kept by a cache."""
    language = i18n.negotiate(request)
    values: dict[str, Any] = {"title": "", **context, "section": section}
    if staff is not None:
        values |= {
            "csrf": staff.web_session.csrf_token,
            "user": staff.user,
            "staff": staff,
            "issuer": staff.issuer,
            "role": staff.role,
            "role_name": i18n.gettext(language, ROLE_NAMES[staff.role]),
            "nav": nav_of(staff, language, section),
            "console_home": console_url(staff.issuer.slug),
        }
    return private(i18n.render(request, template, language, values, status_code=status_code))


async def console_form(request: Request, staff: Staff) -> dict[str, str]:
    """The posted form's text fields, if it carries this session's CSRF token (403 page
    otherwise) and none holds a NUL character (422 page)."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not web_sessions.check_csrf(staff.web_session, fields.get("csrf")):
        raise CsrfFailedError("The form is not from this session.")
    # The input guard's rule (``http/middleware``) for form fields: no database stores a NUL.
    refused = [
        FieldError(f"/body/{key}", NUL_DETAIL, "nul_character")
        for key, value in fields.items()
        if "\x00" in key or "\x00" in value
    ]
    if refused:
        raise ValidationFailedError(errors=refused)
    return fields


def sign_in_links(next_path: str) -> dict[str, str]:
    query = urlencode({"next": next_path})
    return {"wikimedia": f"/auth/wikimedia/login?{query}", "email": f"/auth/email?{query}"}


def _sign_in_needed(request: Request, exc: Exception) -> Response:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    context = {"title": "", "sign_in": sign_in_links(path[:500])}
    language = i18n.negotiate(request)
    response = i18n.render(request, "console/sign_in.html", language, context, status_code=401)
    return private(response)


def _csrf_failed(request: Request, exc: Exception) -> Response:
    return form_expired_page(request)


HANDLERS = {SignInNeededError: _sign_in_needed, CsrfFailedError: _csrf_failed}
