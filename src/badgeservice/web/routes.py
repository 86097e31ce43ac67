"""Public documents and pages: achievements, issuer profiles, images."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer
from badgeservice.domain.achievement import build_achievement
from badgeservice.domain.documents import standalone
from badgeservice.domain.languages import LanguageTagError, normalize_language
from badgeservice.domain.urls import (
    SITE,
    achievement_url,
    catalogue_page_url,
    did_document_url,
    issuer_url,
    skills_map_page_url,
)
from badgeservice.errors import NotFoundError
from badgeservice.http.deps import ClockDep, SessionDep, SettingsDep
from badgeservice.services import achievements, endorsements, issuers
from badgeservice.web import i18n
from badgeservice.web.negotiation import cached, json_ld_response, wants_json

router = APIRouter(tags=["public"])
YEAR = 365 * 24 * 3600
ACHIEVEMENTS_SHOWN = 100


@router.get("/achievements/{achievement_id}", response_class=Response)
def achievement_document(
    achievement_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    lang: Annotated[str | None, Query(description="BCP 47 language tag")] = None,
) -> Response:
    """The Achievement as JSON-LD (`Accept: application/ld+json`) or an HTML page. JSON-LD is
    in `lang` (else the default language); the page in `lang`, else the reader's language."""
    achievement = achievements.find_public_achievement(session, achievement_id)
    if achievement is None:
        raise NotFoundError(f"Achievement {achievement_id} not found.")
    language = _language_tag(lang)
    definition = achievements.definition(achievement, settings.base_url)
    if wants_json(request):
        document = build_achievement(definition, language)
        document = _with_endorsements(session, document, clock.now())
        response = json_ld_response(standalone(document))
        source = json.dumps([document, True], sort_keys=True).encode()
        return cached(request, response, source, max_age=300, immutable=False)
    ui_language = i18n.negotiate(request)
    document = build_achievement(definition, language or ui_language)
    context = {
        "title": document["name"],
        "achievement": document,
        "content_lang": document["inLanguage"],
        "issuer_name": achievement.issuer.name,
        "issuer_href": issuer_url(SITE, achievement.issuer.slug),
        "shared": achievement.shared,
        "catalogue_href": catalogue_page_url(SITE),
    }
    return i18n.page(request, "achievement.html", ui_language, context, max_age=300)


def _with_endorsements(session: Session, document: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The document with its endorsements current at ``now`` (``endorsement``), when it has
    any.

    See: https://www.imsglobal.org/spec/ob/v3p0/#achievement
    """
    endorsed = endorsements.embedded_endorsements(session, document["id"], now=now)
    return document | {"endorsement": endorsed} if endorsed else document


def _language_tag(lang: str | None) -> str | None:
    try:
        return normalize_language(lang) if lang else None
    except LanguageTagError:
        return None


@router.get("/issuers/{slug}", response_class=Response)
def issuer_profile(
    slug: str, request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """The issuer's OB Profile as JSON-LD (`Accept: application/ld+json`) or an HTML page
    (with its achievements; never who earned them)."""
    issuer = issuers.get_issuer(session, slug)
    profile = issuers.profile(issuer)
    if wants_json(request):
        document = _with_endorsements(session, profile, clock.now())
        response = json_ld_response(standalone(document))
        source = json.dumps([document, True], sort_keys=True).encode()
        return cached(request, response, source, max_age=300, immutable=False)
    language = i18n.negotiate(request)
    context = {
        "title": issuer.name,
        "profile": profile,
        "page_url": issuer_url(settings.base_url, slug),
        "did_document_url": did_document_url(settings.base_url, slug),
        "skills_map_href": skills_map_page_url(SITE, slug),
        **_achievement_links(session, issuer, language, settings.base_url),
    }
    return i18n.page(request, "issuer.html", language, context, max_age=300)


def _achievement_links(
    session: Session, issuer: Issuer, language: str, base_url: str
) -> dict[str, Any]:
    """The issuer's achievements, named in ``language`` when they can be."""
    listed, total = achievements.list_achievements(
        session, issuer, limit=ACHIEVEMENTS_SHOWN, offset=0
    )
    links = []
    for row in listed:
        document = build_achievement(achievements.definition(row, base_url), language)
        links.append(
            {
                "href": achievement_url(SITE, row.id),
                "name": document["name"],
                "lang": document["inLanguage"],
            }
        )
    return {"achievements": links, "more_achievements": total > len(listed)}


@router.get("/images/{image_id}", response_class=Response)
def image(image_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """An uploaded image; immutable, so cached for a year."""
    stored = achievements.find_image(session, image_id)
    if stored is None:
        raise NotFoundError(f"Image {image_id} not found.")
    response = Response(stored.content, media_type=stored.media_type)
    # An SVG is a document: never let it run script or load anything.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return cached(request, response, stored.sha256.encode(), max_age=YEAR, immutable=True)
