"""Public credential documents: the signed JSON-LD, the VC-JWT, the credential page; DID documents
and status list credentials (everything a verifier fetches)."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential
from badgeservice.errors import NotFoundError
from badgeservice.http.deps import KeyStoreDep, SessionDep, SettingsDep
from badgeservice.services import achievements, credentials, issuers, keys, status_lists
from badgeservice.web import credential_page, i18n
from badgeservice.web.negotiation import cached, json_ld_response, wants_json

router = APIRouter(tags=["public"])
YEAR = 365 * 24 * 3600
VC_LD_JSON = "application/vc+ld+json"
SUFFIXES = {".json": "json", ".jwt": "jwt"}
PAGE_MAX_AGE = 60  # the page shows whether the credential is revoked: keep it fresh


@router.get("/credentials/{reference}", response_class=Response)
def credential_document(
    reference: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """``/credentials/{id}``: JSON-LD for ``Accept: application/ld+json`` (or the ``.json``
    suffix), the compact VC-JWT at ``.jwt``, an HTML page otherwise. The documents are the
    stored bytes (immutable); the page shows the live state, so it is cached briefly."""
    stem, dot, suffix = reference.partition(".")
    view = SUFFIXES.get(dot + suffix) if dot else ("json" if wants_json(request) else "html")
    credential = _find(session, stem)
    if view is None or credential is None or (view == "jwt" and not credential.jwt):
        raise NotFoundError(f"Credential {reference} not found.")
    if view == "html":
        return _page(request, session, settings.base_url, credential)
    if view == "jwt":
        response = Response(credential.jwt, media_type="application/vc+jwt")
    else:
        media = VC_LD_JSON if VC_LD_JSON in request.headers.get("accept", "") else None
        response = Response(credential.document, media_type=media or "application/ld+json")
    source = f"{credential.sha256}:{view}".encode()
    return cached(request, response, source, max_age=YEAR, immutable=True)


def _page(request: Request, session: Session, base_url: str, credential: Credential) -> Response:
    language = i18n.negotiate(request)
    achievement = achievements.find_public_achievement(session, credential.achievement_id)
    document = json.loads(credential.document)
    context = credential_page.page_context(credential, document, achievement, language, base_url)
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
def status_list(
    slug: str,
    list_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
) -> Response:
    """The signed BitstringStatusListCredential; re-signed after any status change."""
    issuer = issuers.get_issuer(session, slug)
    text = status_lists.signed_list(session, issuer, list_id, settings.base_url, key_store)
    session.commit()
    response = Response(text, media_type="application/vc+ld+json")
    return cached(request, response, text.encode(), max_age=60, immutable=False)
