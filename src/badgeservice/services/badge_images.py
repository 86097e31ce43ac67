"""The pictures of a credential: its achievement image with the signed credential baked in
(PNG or SVG) and its 1200x630 Open Graph share image; the drawing is ``render/``'s.

The image baked is the one the credential names (``credentialSubject.achievement.image``), so a
later change of the achievement's image does not change an issued credential's picture. Only
an image we store (an uploaded PNG or SVG, named by its ``/images/{id}`` URL) is used as it is;
an external image URL is never fetched while answering a request (slow, gone or hostile), so
such credentials, and those without an image, get a generated badge (``render.badge``). The PNG
of an SVG achievement (and its share image) is the SVG drawn by resvg, after the same cleaning
as at upload (nothing is loaded from outside, fonts are ``render.fonts``'); the SVG of a PNG
achievement embeds the PNG. A PNG larger than the upload limit (stored before there was one) is
never decoded: the generated badge stands in for it. Everything is a pure function of the stored
credential, the stored images and the installed fonts, so rendered bytes are kept in a small
in-process cache.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Image
from badgeservice.domain.images import PNG, SVG, ImageRejectedError, clean_svg, usable_png
from badgeservice.domain.urls import ImageUrl, parse_own_url
from badgeservice.render.badge import BADGE_SIZE, BadgeFace, generated_png, generated_svg
from badgeservice.render.share import SHARE_BADGE, open_png, render_share
from badgeservice.render.svg import rasterised, svg_embedding_png
from badgeservice.services import achievements
from badgeservice.vc import BakingError, bake

CACHE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class BadgeImage:
    """An image ready to bake: ``generated`` when it is our badge, not the issuer's image."""

    content: bytes
    media_type: str
    generated: bool


class _Cache:
    """A least-recently-used map of rendered bytes, bounded by their total size."""

    def __init__(self, max_bytes: int) -> None:
        self._items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._size, self._max_bytes = 0, max_bytes
        self._lock = threading.Lock()

    def get_or_make(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()  # outside the lock: two threads may render the same bytes once each
        with self._lock:
            if key not in self._items and len(value) <= self._max_bytes:
                self._items[key] = value
                self._size += len(value)
                while self._size > self._max_bytes:
                    self._size -= len(self._items.popitem(last=False)[1])
        return value


_cache = _Cache(CACHE_BYTES)


# -- what a credential shows ------------------------------------------------------------------


def stored_credential(credential: Credential) -> dict[str, Any] | str:
    """What is baked: the compact VC-JWT of a jwt credential, else the signed JSON-LD."""
    return credential.jwt or cast(dict[str, Any], json.loads(credential.document))


def _achievement(document: dict[str, Any]) -> dict[str, Any]:
    subject = document.get("credentialSubject", {})
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement", {}) if isinstance(subject, dict) else {}
    return achievement if isinstance(achievement, dict) else {}


def _face(credential: Credential) -> BadgeFace:
    document = json.loads(credential.document)
    achievement, issuer = _achievement(document), document.get("issuer", {})
    issuer_name = issuer.get("name", "") if isinstance(issuer, dict) else ""
    name = achievement.get("name")
    return BadgeFace(
        name=name if isinstance(name, str) else "",
        issuer_name=issuer_name if isinstance(issuer_name, str) else "",
        seed=str(achievement.get("id") or credential.achievement_id),
    )


def _stored_image(session: Session, credential: Credential, base_url: str) -> Image | None:
    """The uploaded image the credential names, if it is ours and its issuer's."""
    image = _achievement(json.loads(credential.document)).get("image")
    url = image.get("id") if isinstance(image, dict) else image
    own = parse_own_url(base_url, url) if isinstance(url, str) else None
    if not isinstance(own, ImageUrl):
        return None
    stored = achievements.find_image(session, own.image_id)
    return stored if stored is not None and stored.issuer_id == credential.issuer_id else None


def badge_image(
    session: Session, credential: Credential, media_type: str, base_url: str
) -> BadgeImage:
    """The unbaked image for ``image/png`` or ``image/svg+xml``: the issuer's (an SVG cleaned,
    drawn for a PNG; a PNG as it is, embedded for an SVG), else the generated badge."""
    stored = _stored_image(session, credential, base_url)
    content: bytes | None = None
    if stored is not None and stored.media_type == PNG and usable_png(stored.content):
        content = stored.content if media_type == PNG else svg_embedding_png(stored.content)
    elif stored is not None and stored.media_type == SVG:
        content = _clean(stored.content)
        if content is not None and media_type == PNG:
            content = rasterised(content, BADGE_SIZE)
    if content is None:
        return _generated(_face(credential), media_type)
    return BadgeImage(content, media_type, generated=False)


def _generated(face: BadgeFace, media_type: str) -> BadgeImage:
    return BadgeImage(
        (generated_svg if media_type == SVG else generated_png)(face), media_type, True
    )


def baked_image(session: Session, credential: Credential, media_type: str, base_url: str) -> bytes:
    """The image with the stored credential baked in; an issuer's image that cannot carry it
    (say an SVG in another encoding) is replaced by the generated badge."""

    def make() -> bytes:
        image = badge_image(session, credential, media_type, base_url)
        signed = stored_credential(credential)
        try:
            return bake(image.content, signed)
        except BakingError:
            if image.generated:
                raise
            return bake(_generated(_face(credential), media_type).content, signed)

    return _cache.get_or_make((str(credential.id), credential.sha256, media_type), make)


def share_image(session: Session, credential: Credential, base_url: str) -> bytes:
    """The 1200x630 Open Graph image: the badge beside the achievement name and issuer."""

    def make() -> bytes:
        stored, picture = _stored_image(session, credential, base_url), None
        if stored is not None and stored.media_type == PNG and usable_png(stored.content):
            picture = open_png(stored.content)
        elif stored is not None and stored.media_type == SVG:
            svg = _clean(stored.content)
            png = rasterised(svg, SHARE_BADGE) if svg is not None else None
            picture = open_png(png) if png is not None else None
        return render_share(_face(credential), picture)

    return _cache.get_or_make((str(credential.id), credential.sha256, "share"), make)


def _clean(svg: bytes) -> bytes | None:
    try:
        return clean_svg(svg)
    except ImageRejectedError:
        return None
