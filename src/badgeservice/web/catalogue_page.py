"""``/catalogue``: the public page of the shared catalogue, the skills issuers share so that any
issuer of the deployment issues them with its own signature. A plain search form (``q``, no
JavaScript), pages of ``PAGE_SIZE`` (``page`` from 1), each skill with its defining issuer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from badgeservice.domain.achievement import build_achievement
from badgeservice.domain.urls import SITE, achievement_url, catalogue_page_url, issuer_url
from badgeservice.http.deps import SessionDep, SettingsDep
from badgeservice.services import achievements, catalogue
from badgeservice.web import i18n
from badgeservice.web.i18n import N_

router = APIRouter(tags=["public"])
PAGE_SIZE = 20
MAX_PAGE = 10_000


@router.get("/catalogue", response_class=Response)
def catalogue_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[
        str, Query(max_length=catalogue.MAX_QUERY, description="Words of a name, any language.")
    ] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="The page, from 1.")] = 1,
) -> Response:
    """The shared skills whose texts hold every word of `q`, named in the reader's language
    when they can be."""
    language = i18n.negotiate(request)
    found, total = catalogue.shared_achievements(
        session, q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    items: list[dict[str, Any]] = []
    for achievement, issuer in found:
        document = build_achievement(
            achievements.definition(achievement, settings.base_url), language
        )
        items.append(
            {
                "href": achievement_url(SITE, achievement.id),
                "name": document["name"],
                "description": document.get("description", ""),
                "lang": document["inLanguage"],
                "skills": [a["targetName"] for a in document.get("alignment", [])],
                "issuer_name": issuer.name,
                "issuer_href": issuer_url(SITE, issuer.slug),
            }
        )
    last = max(1, -(-total // PAGE_SIZE))
    context = {
        "title": i18n.gettext(language, N_("Shared catalogue")),
        "q": q,
        "items": items,
        "total": total,
        "page": page,
        "last": last,
        "action": catalogue_page_url(SITE),
        "previous": catalogue_page_url(SITE, q=q, page=page - 1) if page > 1 else None,
        "next": catalogue_page_url(SITE, q=q, page=page + 1) if page < last else None,
    }
    return i18n.page(request, "catalogue.html", language, context, max_age=60)
