"""``/``: what this service is, with links to the verification page and the API docs."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from badgeservice.web import i18n

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=Response)
def home(request: Request) -> Response:
    language = i18n.negotiate(request)
    return i18n.page(request, "home.html", language, {}, max_age=300)
