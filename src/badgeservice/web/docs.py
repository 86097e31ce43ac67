"""``/docs``: Swagger UI, served entirely from this service (it works offline).

Swagger UI's files come from the ``fastapi-offline`` package, which ships its current
distribution; the start script is our own served file (``static/docs.js``) because the page's
CSP allows no inline script.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request, Response

from badgeservice.http.middleware import page_policy
from badgeservice.web import i18n

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/static"
SWAGGER_UI_DIR = Path(fastapi_offline.__file__).parent / "static"
SWAGGER_UI_URL = "/static/swagger-ui"
OPENAPI_URL = "/openapi.json"


@router.get("/docs", response_class=Response)
def docs(request: Request) -> Response:
    language = i18n.negotiate(request)
    context = {"swagger_ui": SWAGGER_UI_URL, "openapi_url": OPENAPI_URL}
    response = i18n.page(request, "docs.html", language, context, max_age=300)
    response.headers["Content-Security-Policy"] = page_policy(scripts=True)
    return response
