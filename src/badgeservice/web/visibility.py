"""The learner's choices applied to a credential's public URLs: a hidden part is not served
(its page says only that the credential is private), the owner signed in still sees it, and
caches keep an owned credential briefly, since its owner may hide it at any time."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, User, WebSession
from badgeservice.errors import NotFoundError
from badgeservice.services import visibility
from badgeservice.services.visibility import Part, Visibility
from badgeservice.web import i18n
from badgeservice.web.accounts import private

OWNED_MAX_AGE = 60


def viewing(
    session: Session,
    credential: Credential,
    signed_in: tuple[WebSession, User] | None,
    part: Part,
) -> tuple[Visibility, bool]:
    """The credential's visibility and whether the viewer is its owner looking at a hidden
    part; ``NotFoundError`` (as for an unknown id) when the viewer may not see ``part``."""
    shown = visibility.visibility_of(session, credential)
    if shown.shows(part):
        return shown, False
    viewer = signed_in[1] if signed_in else None
    if viewer is not None and visibility.owner_id(session, credential) == viewer.id:
        return shown, True
    raise NotFoundError(f"Credential {credential.id} not found.")


def viewing_json(
    session: Session, credential: Credential, signed_in: tuple[WebSession, User] | None
) -> bool:
    """Whether the viewer may fetch the signed credential (and the baked images)."""
    try:
        viewing(session, credential, signed_in, "json")
    except NotFoundError:
        return False
    return True


def cache_rule(response: Response, shown: Visibility, owner_view: bool) -> Response:
    """``private, no-store`` for the owner's view of a hidden part; at most a minute for a
    credential someone owns; otherwise as the route said."""
    if owner_view:
        return private(response)
    if shown.owned and response.headers.get("Cache-Control"):
        response.headers["Cache-Control"] = f"public, max-age={OWNED_MAX_AGE}"
    return response


def private_page(request: Request) -> Response:
    """What a hidden credential's page says to anyone but its owner (a 404: DESIGN.md §8)."""
    language = i18n.negotiate(request)
    response = i18n.render(request, "credential_private.html", language, {"title": ""}, 404)
    return private(response)
