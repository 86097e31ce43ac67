"""``/``: what this service is, with links to the verification page, the skills map and the API
docs."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from badgeservice.domain.urls import SITE, skills_map_page_url
from badgeservice.web import i18n

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=Response)
def home(request: Request) -> Response:
    language = i18n.negotiate(request)
    context = {"skills_map_href": skills_map_page_url(SITE)}
    return i18n.page(request, "home.html", language, context, max_age=300)
