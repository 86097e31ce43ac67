"""The learner's profile: its settings (``/me/profile``), the public page
(``/people/{handle}``) and the badge feed (``/people/{handle}/badges.json``) that Wikimedia
tools fetch from browsers (CORS open, ETag)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response

from badgeservice.errors import NotFoundError
from badgeservice.http.deps import ClockDep, SessionDep, SettingsDep, WebSessionDep
from badgeservice.services import profiles
from badgeservice.web import i18n
from badgeservice.web.accounts import csrf_failed, form_of, render, see_other, sign_in_page
from badgeservice.web.negotiation import cached

router = APIRouter(include_in_schema=False)
FEED_MAX_AGE = 300


@router.get("/me/profile", response_class=Response)
def profile_settings(request: Request, session: SessionDep, signed_in: WebSessionDep) -> Response:
    if signed_in is None:
        return sign_in_page(request)
    user = signed_in[1]
    context = {
        "title": user.display_name,
        "values": {"handle": user.handle, "display_name": user.display_name},
        "errors": {},
        "username": profiles.wikimedia_username(session, user),
        "notice": request.query_params.get("notice") == "saved",
    }
    return render(request, "profile_settings.html", context, signed_in)


@router.post("/me/profile", response_class=Response)
async def save_profile(request: Request, session: SessionDep, signed_in: WebSessionDep) -> Response:
    form = await form_of(request)
    refused = csrf_failed(request, form, signed_in)
    if refused is not None or signed_in is None:
        return refused or sign_in_page(request, 403)
    try:
        profiles.update_profile(
            session, signed_in[1], handle=form.get("handle", ""),
            display_name=form.get("display_name", ""),
            profile_public=form.get("profile_public") == "1",
            show_username=form.get("show_username") == "1",
        )  # fmt: skip
    except profiles.ProfileInvalidError as exc:
        session.rollback()
        context = {
            "title": signed_in[1].display_name,
            "values": {k: form.get(k, "")[:200] for k in ("handle", "display_name")},
            "errors": {error.pointer: error.code for error in exc.errors},
            "username": profiles.wikimedia_username(session, signed_in[1]),
            "notice": False,
        }
        return render(request, "profile_settings.html", context, signed_in, 422)
    session.commit()
    return see_other("/me/profile", "saved")


@router.get("/people/{handle}", response_class=Response)
def public_profile(
    handle: str, request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """A public profile: the credentials its owner put on it. Unknown or private: 404."""
    user = profiles.find_public_user(session, handle)
    if user is None:
        raise NotFoundError(f"No public profile {handle}.")
    context = {
        "title": user.display_name,
        "person": user,
        "username": profiles.shown_username(session, user),
        "entries": profiles.profile_entries(session, user, clock.now()),
        "feed": f"/people/{user.handle}/badges.json",
        "page_url": f"{settings.base_url}/people/{user.handle}",
    }
    return i18n.page(request, "profile.html", i18n.negotiate(request), context, max_age=60)


@router.get("/people/{handle}/badges.json", response_class=Response)
def badge_feed(
    handle: str, request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """The profile's badges as JSON (README "Your backpack"); 404 as for the page."""
    user = profiles.find_public_user(session, handle)
    if user is None:
        raise NotFoundError(f"No public profile {handle}.")
    listed = profiles.profile_entries(session, user, clock.now())
    document = profiles.badge_feed(
        user, profiles.shown_username(session, user), listed, settings.base_url
    )
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    response = cached(
        request, Response(body, media_type="application/json"), body, max_age=FEED_MAX_AGE,
        immutable=False,
    )  # fmt: skip
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
