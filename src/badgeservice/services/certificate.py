"""Printable certificates: what the signed credential says, with its current state, as a PDF.

The texts come from the stored credential as signed (never from the achievement's current
definition); images only from our own stored uploads, so a request never fetches a URL (an SVG
cleaned as at upload and drawn as PNG, a PNG over the size limit left out undecoded).
Rendered PDFs are kept in a small in-process LRU keyed by everything they depend on.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cachetools import LRUCache
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Image, Issuer
from badgeservice.domain.credential_state import State
from badgeservice.domain.images import ImageRejectedError, clean_svg, usable_png
from badgeservice.domain.urls import ImageUrl, credential_url, parse_own_url, verify_page_url
from badgeservice.errors import NotFoundError, ServiceUnavailableError
from badgeservice.render import certificate, fonts
from badgeservice.render.badge import BADGE_SIZE
from badgeservice.render.certificate import CertificateContent, Paper
from badgeservice.render.certificate_labels import label_language
from badgeservice.render.svg import rasterised
from badgeservice.services import credentials

LAYOUT_VERSION = "3"  # part of every cache key and ETag: bump when the layout changes
_cache: LRUCache[str, bytes] = LRUCache(maxsize=64)
_cache_lock = threading.Lock()


class CertificateFontsMissingError(ServiceUnavailableError):
    code, title = "certificate_fonts_missing", "The fonts for printable certificates are missing"


@dataclass(frozen=True)
class CertificatePdf:
    content: bytes
    language: str
    cache_key: str


def credential_state(credential: Credential, now: datetime) -> tuple[State, datetime | None]:
    """The credential's state (``credentials.state_of``) and the moment it took hold."""
    state = credentials.state_of(credential, now)
    since = {
        "revoked": credential.revoked_at,
        "suspended": credential.suspended_at,
        "expired": credential.valid_until,
        "not_yet_valid": credential.valid_from,
    }
    return state, since.get(state)


def get_certificate(
    session: Session,
    credential_id: uuid.UUID,
    *,
    base_url: str,
    languages: Sequence[str | None],
    paper: Paper,
    now: datetime,
) -> CertificatePdf:
    """The certificate of a credential, with its state at ``now``: labels in the first of
    ``languages`` (most wanted first) that we have, else in the credential's own language,
    else English."""
    credential = credentials.find_credential(session, credential_id)
    if credential is None:
        raise NotFoundError(f"Credential {credential_id} not found.")
    language = label_language([*languages, credential.language])
    found = fonts.find_fonts()
    if "latin" not in found:
        raise CertificateFontsMissingError(
            f"Install the certificate fonts (missing: {', '.join(fonts.missing_fonts())})."
        )
    issuer = session.get(Issuer, credential.issuer_id)
    state, since = credential_state(credential, now)
    parts = [credential.sha256, state, str(since), issuer.image if issuer else None, *found]
    key = ":".join([LAYOUT_VERSION, language, paper, *map(str, parts)])
    with _cache_lock:
        cached = _cache.get(key)
    if cached is None:
        content = _content(session, credential, issuer, base_url, state, since)
        cached = certificate.render_certificate(content, found, language=language, paper=paper)
        with _cache_lock:
            _cache[key] = cached
    return CertificatePdf(cached, language, key)


def _content(
    session: Session,
    credential: Credential,
    issuer: Issuer | None,
    base_url: str,
    state: State,
    since: datetime | None,
) -> CertificateContent:
    document: dict[str, Any] = json.loads(credential.document)
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    issuer_profile = document.get("issuer") or {}
    page_url = credential_url(base_url, credential.id)
    return CertificateContent(
        credential_id=str(credential.id),
        achievement_name=str(achievement.get("name") or document.get("name") or ""),
        achievement_description=str(achievement.get("description") or ""),
        issuer_name=str(issuer_profile.get("name") or (issuer.name if issuer else "")),
        recipient_name=recipient_name(subject),
        valid_from=credential.valid_from.date(),
        valid_until=credential.valid_until.date() if credential.valid_until else None,
        page_url=page_url,
        verify_url=verify_page_url(base_url, page_url),
        state=state,
        state_changed=since.date() if since else None,
        badge_image=_own_image(session, _image_url(achievement.get("image")), base_url),
        issuer_image=_own_image(session, issuer.image if issuer else None, base_url),
    )


def recipient_name(subject: dict[str, Any]) -> str | None:
    """The display name from a plain (unhashed) ``name`` IdentityObject, if the issuer gave one.

    See: https://www.imsglobal.org/spec/ob/v3p0/#identityobject
    """
    identifiers = subject.get("identifier") or []
    for identity in identifiers if isinstance(identifiers, list) else [identifiers]:
        if (
            isinstance(identity, dict)
            and identity.get("identityType") == "name"
            and not identity.get("hashed")
            and isinstance(identity.get("identityHash"), str)
        ):
            return str(identity["identityHash"]).strip() or None
    return None


def _image_url(image: Any) -> str | None:
    if isinstance(image, dict):
        return str(image.get("id") or "") or None
    return image if isinstance(image, str) else None


def _own_image(session: Session, url: str | None, base_url: str) -> bytes | None:
    """The uploaded PNG or SVG behind one of our own ``/images/{id}`` URLs; ``None`` for an
    external URL, which is never fetched while answering a request."""
    own = parse_own_url(base_url, url) if url else None
    image = session.get(Image, own.image_id) if isinstance(own, ImageUrl) else None
    if image is None:
        return None
    if image.media_type == "image/png":
        return bytes(image.content) if usable_png(image.content) else None
    if image.media_type == "image/svg+xml":
        try:
            svg = clean_svg(image.content)  # again: it may be from before uploads were cleaned
        except ImageRejectedError:
            return None
        return rasterised(svg, BADGE_SIZE)  # resvg, not fpdf2's SVG
    return None
