"""Content negotiation and HTTP caching for public documents."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from badgeservice.domain.markdown import markdown_html, markdown_text

JSON_LD = "application/ld+json"
_JSON_TYPES = ("application/ld+json", "application/vc+ld+json", "application/json")
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _markdown(text: object) -> Markup:
    """The ``markdown`` filter: an OB Markdown field as safe HTML."""
    return Markup(markdown_html(str(text)))  # noqa: S704 (markdown_html escapes; no raw HTML)


templates.env.filters["markdown"] = _markdown
templates.env.filters["markdown_text"] = lambda text: markdown_text(str(text))


def wants_json(request: Request) -> bool:
    """JSON-LD when the client asks for a JSON type before (or instead of) HTML."""
    accept = request.headers.get("accept", "").lower()
    positions = [accept.find(t) for t in _JSON_TYPES if t in accept]
    if not positions:
        return False
    html = accept.find("text/html")
    return html == -1 or min(positions) < html


def cached(
    request: Request, response: Response, etag_source: bytes, *, max_age: int, immutable: bool
) -> Response:
    """Strong ETag, Cache-Control, and 304 for a matching ``If-None-Match``."""
    etag = '"' + hashlib.sha256(etag_source).hexdigest()[:32] + '"'
    cache_control = f"public, max-age={max_age}" + (", immutable" if immutable else "")
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


def json_ld_response(document: dict[str, Any], media_type: str = JSON_LD) -> Response:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, media_type=media_type)
