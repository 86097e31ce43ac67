"""Downloads of a credential: baked PNG and SVG, the Open Graph share image, a QR code.

Register this router before ``web.credentials`` (its ``/credentials/{reference}`` would take
``{id}.png``). Revoked, suspended and expired credentials download like any other: what a
learner was given stays available, and verifying it tells its status.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, User, WebSession
from badgeservice.domain.images import PNG, SVG
from badgeservice.domain.urls import credential_url
from badgeservice.errors import NotFoundError
from badgeservice.http.deps import SessionDep, SettingsDep, WebSessionDep
from badgeservice.http.problems import problem_responses
from badgeservice.render.qr import qr_svg
from badgeservice.services import badge_images, credentials
from badgeservice.services.visibility import Part, Visibility
from badgeservice.web.negotiation import cached
from badgeservice.web.visibility import cache_rule, viewing

router = APIRouter(tags=["public"])
YEAR = 365 * 24 * 3600
WEEK = 7 * 24 * 3600
# An SVG is a document: opened on its own it must not run script or load anything.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def _responses(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {}}}, **problem_responses(404)}


@router.get(
    "/credentials/{credential_id}.png",
    response_class=Response,
    responses=_responses(PNG),
)
def baked_png(
    credential_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    signed_in: WebSessionDep,
) -> Response:
    """The achievement image (or a generated badge) with the signed credential baked in an
    `openbadgecredential` iTXt chunk."""
    return _baked(credential_id, request, session, settings.base_url, signed_in, PNG)


@router.get(
    "/credentials/{credential_id}.svg",
    response_class=Response,
    responses=_responses(SVG),
)
def baked_svg(
    credential_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    signed_in: WebSessionDep,
) -> Response:
    """The achievement image as SVG (or a generated badge) with the signed credential baked in
    an `<openbadges:credential>` element."""
    return _baked(credential_id, request, session, settings.base_url, signed_in, SVG)


@router.get(
    "/credentials/{credential_id}/share.png",
    response_class=Response,
    responses=_responses(PNG),
)
def share_png(
    credential_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    signed_in: WebSessionDep,
) -> Response:
    """A 1200x630 picture for link previews (Open Graph `og:image`)."""
    credential, shown, owner_view = _credential(session, credential_id, signed_in, "page")
    body = badge_images.share_image(session, credential, settings.base_url)
    response = Response(body, media_type=PNG)
    response = cached(request, response, body, max_age=WEEK, immutable=False)
    return cache_rule(response, shown, owner_view)


@router.get(
    "/credentials/{credential_id}/qr.svg",
    response_class=Response,
    responses=_responses(SVG),
)
def qr_code(
    credential_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    signed_in: WebSessionDep,
) -> Response:
    """A QR code of the credential's public page."""
    credential, shown, owner_view = _credential(session, credential_id, signed_in, "page")
    body = qr_svg(credential_url(settings.base_url, credential.id))
    response = _svg_response(request, body, max_age=WEEK, immutable=False)
    return cache_rule(response, shown, owner_view)


def _baked(
    credential_id: str,
    request: Request,
    session: Session,
    base_url: str,
    signed_in: tuple[WebSession, User] | None,
    media_type: str,
) -> Response:
    """A baked image carries the signed credential: it is shown as the JSON is."""
    credential, shown, owner_view = _credential(session, credential_id, signed_in, "json")
    body = badge_images.baked_image(session, credential, media_type, base_url)
    if media_type == SVG:
        response = _svg_response(request, body, max_age=YEAR, immutable=True)
    else:
        response = cached(
            request, Response(body, media_type=media_type), body, max_age=YEAR, immutable=True
        )
    return cache_rule(response, shown, owner_view)


def _svg_response(request: Request, body: bytes, *, max_age: int, immutable: bool) -> Response:
    response = Response(body, media_type=SVG)
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return cached(request, response, body, max_age=max_age, immutable=immutable)


def _credential(
    session: Session,
    credential_id: str,
    signed_in: tuple[WebSession, User] | None,
    part: Part,
) -> tuple[Credential, Visibility, bool]:
    try:
        credential = credentials.find_credential(session, uuid.UUID(credential_id))
    except ValueError:
        credential = None
    if credential is None:
        raise NotFoundError(f"Credential {credential_id} not found.")
    shown, owner_view = viewing(session, credential, signed_in, part)
    return credential, shown, owner_view
