"""Image uploads (an achievement's image, an issuer's logo): the body is the file itself."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from badgeservice.errors import UnsupportedMediaTypeError

IMAGE_TYPES = ("image/png", "image/svg+xml")
#: `openapi_extra` of an upload endpoint: a PNG or SVG request body.
IMAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in IMAGE_TYPES},
    }
}


def require_image_type(request: Request) -> None:
    """415 unless the request says it carries a PNG or an SVG (the content is checked too)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in IMAGE_TYPES:
        raise UnsupportedMediaTypeError("Send the image as image/png or image/svg+xml.")
