"""Public documents: achievements and images."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from badgeservice.domain.achievement import build_achievement
from badgeservice.domain.documents import standalone
from badgeservice.domain.languages import LanguageTagError, normalize_language
from badgeservice.errors import NotFoundError
from badgeservice.http.deps import SessionDep, SettingsDep
from badgeservice.services import achievements, issuers
from badgeservice.web.negotiation import cached, json_ld_response, templates, wants_json

router = APIRouter(tags=["public"])
YEAR = 365 * 24 * 3600


@router.get("/achievements/{achievement_id}", response_class=Response)
def achievement_document(
    achievement_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    lang: Annotated[str | None, Query(description="BCP 47 language tag")] = None,
) -> Response:
    """The Achievement as JSON-LD (``Accept: application/ld+json``) or an HTML page."""
    achievement = achievements.find_public_achievement(session, achievement_id)
    if achievement is None:
        raise NotFoundError(f"Achievement {achievement_id} not found.")
    try:
        language = normalize_language(lang) if lang else None
    except LanguageTagError:
        language = None
    document = build_achievement(achievements.definition(achievement, settings.base_url), language)
    if wants_json(request):
        response = json_ld_response(standalone(document))
    else:
        issuer = achievement.issuer
        response = templates.TemplateResponse(
            request,
            "achievement.html",
            {
                "lang": document["inLanguage"],
                "title": document["name"],
                "achievement": document,
                "issuer_name": issuer.name,
                "issuer_url": f"{settings.base_url}/issuers/{issuer.slug}",
            },
        )
    source = json.dumps([document, wants_json(request)], sort_keys=True).encode()
    return cached(request, response, source, max_age=300, immutable=False)


@router.get("/issuers/{slug}", response_class=Response)
def issuer_profile(
    slug: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The issuer's OB Profile as JSON-LD (``Accept: application/ld+json``) or an HTML page."""
    issuer = issuers.get_issuer(session, slug)
    profile = issuers.profile(issuer)
    page_url = f"{settings.base_url}/issuers/{slug}"
    if wants_json(request):
        response = json_ld_response(standalone(profile))
    else:
        context = {"lang": "en", "title": issuer.name, "profile": profile, "page_url": page_url}
        response = templates.TemplateResponse(request, "issuer.html", context)
    source = json.dumps([profile, wants_json(request)], sort_keys=True).encode()
    return cached(request, response, source, max_age=300, immutable=False)


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
