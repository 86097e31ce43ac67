"""Uploaded images (achievement images, issuer logos): checked, stored once, served by id."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy.orm import Session

from badgeservice.db.models import Image
from badgeservice.domain.images import ImageRejectedError, accept_image
from badgeservice.errors import FieldError, ValidationFailedError


def check_image(content: bytes) -> tuple[str, bytes]:
    """The media type and the bytes to keep of a valid PNG or SVG (an SVG cleaned of scripts
    and links), or a 422 saying what is wrong (field error code ``image``)."""
    try:
        return accept_image(content)
    except ImageRejectedError as exc:
        raise ValidationFailedError(errors=[FieldError("/body", str(exc), "image")]) from exc


def store_image(session: Session, issuer_id: uuid.UUID, content: bytes) -> Image:
    """A new image of the issuer, if ``content`` is a valid PNG or SVG (``check_image``)."""
    media_type, content = check_image(content)
    image = Image(
        issuer_id=issuer_id,
        media_type=media_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
    session.add(image)
    session.flush()
    return image
