"""Public credential documents: the signed JSON-LD, the VC-JWT, the credential page; DID documents
and status list credentials (everything a verifier fetches). Every machine-readable URL of a
credential serves it with its proof."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential
from badgeservice.errors import NotFoundError
from badgeservice.http.deps import ClockDep, SessionDep, SettingsDep, WebSessionDep
from badgeservice.services import achievements, credentials, issuers, keys, status_lists
from badgeservice.web import credential_page, i18n
from badgeservice.web.negotiation import JSON_LD, cached, json_ld_response, wants_json
from badgeservice.web.visibility import cache_rule, private_page, viewing, viewing_json

router = APIRouter(tags=["public"])
YEAR = 365 * 24 * 3600
VC_LD_JSON = "application/vc+ld+json"
VC_JWT = "application/vc+jwt"
SUFFIXES = {".json": "json", ".jwt": "jwt"}
PAGE_MAX_AGE = 60  # the page shows whether the credential is revoked: keep it fresh


@router.get("/credentials/{reference}", response_class=Response)
def credential_document(
    reference: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    signed_in: WebSessionDep,
) -> Response:
    """`/credentials/{id}`: the signed credential for a JSON-LD `Accept` (or the `.json`
    suffix) and at `.jwt` (VC-JWT credentials only), an HTML page otherwise. The documents
    are the stored bytes (immutable); the page shows the live state, so it is cached briefly.
    What each machine-readable form answers is :func:`signed_representation`. What the
    learner hid is served to the learner only (`web.visibility`)."""
    stem, dot, suffix = reference.partition(".")
    credential = _find(session, stem)
    accept = request.headers.get("accept", "")
    view = SUFFIXES.get(dot + suffix) if dot else _negotiated_view(request, credential, accept)
    if view is None or credential is None or (view == "jwt" and not credential.jwt):
        raise NotFoundError(f"Credential {reference} not found.")
    if view == "html":
        try:
            shown, owner_view = viewing(session, credential, signed_in, "page")
        except NotFoundError:
            return private_page(request)
        json_hidden = not viewing_json(session, credential, signed_in)
        page = _page(
            request, session, settings.base_url, credential, clock.now(), owner_view, json_hidden
        )
        return cache_rule(page, shown, owner_view)
    shown, owner_view = viewing(session, credential, signed_in, "json")
    body, media_type = signed_representation(credential, accept)
    response = Response(body, media_type=media_type)
    source = f"{credential.sha256}:{media_type}".encode()
    response = cached(request, response, source, max_age=YEAR, immutable=True)
    return cache_rule(response, shown, owner_view)


def _negotiated_view(request: Request, credential: Credential | None, accept: str) -> str:
    """The bare URL: JSON-LD types → the signed credential; ``application/vc+jwt`` → the JWT
    (of a jwt credential); anything else → the page."""
    if wants_json(request):
        return "json"
    if credential is not None and credential.jwt and VC_JWT in accept.lower():
        return "jwt"
    return "html"


def signed_representation(credential: Credential, accept: str) -> tuple[str, str]:
    """``(body, media type)`` of the credential *with its proof*, whichever URL asked for it.

    A ``jwt`` credential's proof is the JWS itself: its stored ``document`` is the payload
    without a signature, which nobody can verify, so it is never served. Its ``.json`` URL and
    JSON-LD ``Accept`` types answer the JWT too, rather than 406: HTTP lets a server disregard
    ``Accept`` (RFC 9110 §12.5.1), and a verifier given the URL then still gets the one signed
    form that exists (1EdTech's validator and ours both read a JWT body). The JWT goes out as
    ``text/plain``, the OB 3.0 spec's media type for a VC-JWT over HTTP, unless ``Accept``
    names ``application/vc+jwt``; ``Vary: Accept`` is set by :func:`cached`.

    See: https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof
    See: https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1
    """
    accept = accept.lower()
    if credential.jwt:
        return credential.jwt, VC_JWT if VC_JWT in accept else "text/plain"
    return credential.document, VC_LD_JSON if VC_LD_JSON in accept else JSON_LD


def _page(
    request: Request,
    session: Session,
    base_url: str,
    credential: Credential,
    now: datetime,
    owner_view: bool,
    json_hidden: bool,
) -> Response:
    language = i18n.negotiate(request)
    achievement = achievements.find_public_achievement(session, credential.achievement_id)
    document = json.loads(credential.document)
    context = credential_page.page_context(
        credential, document, achievement, language, base_url, now
    )
    context["private_note"], context["json_hidden"] = owner_view, json_hidden
    return i18n.page(request, "credential.html", language, context, max_age=PAGE_MAX_AGE)


def _find(session: Session, stem: str) -> Credential | None:
    try:
        return credentials.find_credential(session, uuid.UUID(stem))
    except ValueError:
        return None


@router.get("/issuers/{slug}/did.json", response_class=Response)
def did_document(slug: str, request: Request, session: SessionDep) -> Response:
    """The issuer's did:web document: every key not revoked, absolute ids."""
    issuer = issuers.get_issuer(session, slug)
    document = keys.did_document(session, issuer)
    response = json_ld_response(document, media_type="application/did+ld+json")
    source = json.dumps(document, sort_keys=True).encode()
    return cached(request, response, source, max_age=300, immutable=False)


@router.get("/issuers/{slug}/status/{list_id}", response_class=Response)
def status_list(slug: str, list_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """The signed BitstringStatusListCredential as stored: it is re-signed when one of its
    bits changes, in that change's transaction; a GET only reads."""
    issuer = issuers.get_issuer(session, slug)
    text = status_lists.stored_list(session, issuer.slug, list_id)
    response = Response(text, media_type="application/vc+ld+json")
    return cached(request, response, text.encode(), max_age=60, immutable=False)
