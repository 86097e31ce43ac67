"""What the public credential page shows: the signed credential, its live state, the links to
download, verify and share it, and the issuer's translation of the achievement.

A credential is signed in one language. When the viewer's language differs and the issuer's
achievement has text in that language, the page shows that text too, labelled as the issuer's
translation: it is not part of the signed credential (and may have been edited since).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from badgeservice.db.models import Achievement, Credential
from badgeservice.domain.achievement import build_achievement
from badgeservice.domain.credential_state import State
from badgeservice.domain.linkedin import Certification, add_to_profile_url
from badgeservice.domain.markdown import markdown_text
from badgeservice.domain.urls import (
    SITE,
    CredentialSuffix,
    credential_url,
    issuer_url,
    verify_page_url,
)
from badgeservice.services import achievements, credentials
from badgeservice.services.previews import PREVIEW_ID
from badgeservice.web.i18n import supported

_DESCRIPTION_LIMIT = 300


@dataclass(frozen=True)
class Shown:
    """What the page shows of a credential besides its document: its record and live state
    (a stored credential), or stand-ins (the preview of an achievement not saved yet)."""

    id: uuid.UUID
    recipient_name: str | None
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    language: str
    jwt: bool
    state: State
    issuer_slug: str | None


def page_context(
    record: Credential,
    document: dict[str, Any],
    achievement: Achievement | None,
    language: str,
    base_url: str,
    now: datetime,
) -> dict[str, Any]:
    """The template context of ``credential.html``, the state as at ``now``."""
    shown = Shown(
        id=record.id,
        recipient_name=record.recipient_name,
        issued_at=record.issued_at,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        language=record.language,
        jwt=bool(record.jwt),
        state=credentials.state_of(record, now),
        issuer_slug=achievement.issuer.slug if achievement else None,
    )
    signed = document.get("credentialSubject", {}).get("achievement", {})
    translation = _translation(achievement, signed, language, base_url)
    return view_context(shown, document, translation, language, base_url)


def preview_context(
    document: dict[str, Any],
    issuer_slug: str,
    recipient_name: str,
    language: str,
    base_url: str,
    now: datetime,
) -> dict[str, Any]:
    """The context of the page's view (``credential_view.html``) of an unsigned credential
    (``services.previews``) as if issued at ``now``: active, its links not shown."""
    shown = Shown(
        id=PREVIEW_ID,
        recipient_name=recipient_name,
        issued_at=now,
        valid_from=now,
        valid_until=None,
        language=document["credentialSubject"]["achievement"]["inLanguage"],
        jwt=False,
        state="active",
        issuer_slug=issuer_slug,
    )
    return view_context(shown, document, None, language, base_url) | {"preview": True}


def view_context(
    shown: Shown,
    document: dict[str, Any],
    translation: dict[str, Any] | None,
    language: str,
    base_url: str,
) -> dict[str, Any]:
    """What ``credential_view.html`` shows, the credential page's main part."""
    signed = document.get("credentialSubject", {}).get("achievement", {})
    issuer = document.get("issuer", {})
    page_url = str(document.get("id") or credential_url(base_url, shown.id))
    name = str(signed.get("name") or document.get("name") or "")
    return {
        "title": name,
        "credential": document,
        "achievement": signed,
        "subject": document.get("credentialSubject", {}),
        "content_lang": signed.get("inLanguage") or shown.language,
        "translation": translation,
        "issuer_name": issuer.get("name", ""),
        "issuer_href": issuer_url(SITE, shown.issuer_slug) if shown.issuer_slug else None,
        "recipient_name": shown.recipient_name,
        # The moment we signed it; validFrom may be later (a credential valid from a date).
        "issued_at": _utc(shown.issued_at).isoformat().replace("+00:00", "Z"),
        "state": shown.state,
        "links": _links(page_url, shown, language),
        "linkedin_url": None
        if shown.state == "revoked"
        else _linkedin(shown, name, issuer, page_url),
        "og": {
            "title": name,
            "description": _shorten(markdown_text(str(signed.get("description") or ""))),
            "image": credential_url(base_url, shown.id, "/share.png"),
            "url": page_url,
        },
    }


def _links(page_url: str, shown: Shown, language: str) -> dict[str, str | None]:
    def link(suffix: CredentialSuffix, lang: str | None = None) -> str:
        return credential_url(SITE, shown.id, suffix, lang=lang)

    # A VC-JWT is only ever served as the JWT (web.credentials.signed_representation): link it
    # as such, and offer no "JSON" that would answer the JWT anyway.
    signed = f"{page_url}.jwt" if shown.jwt else f"{page_url}.json"
    return {
        "page": page_url,
        "json": None if shown.jwt else link(".json"),
        "jwt": link(".jwt") if shown.jwt else None,
        "png": link(".png"),
        "svg": link(".svg"),
        "pdf": link(".pdf", language),
        "qr": link("/qr.svg"),
        "alternate": signed,
        "alternate_type": "application/vc+jwt" if shown.jwt else "application/ld+json",
        "verify": verify_page_url(SITE, signed),
    }


def _linkedin(shown: Shown, name: str, issuer: dict[str, Any], page_url: str) -> str:
    certification = Certification(
        name=name,
        organization_name=str(issuer.get("name", "")),
        issued=shown.valid_from,
        expires=shown.valid_until,
        cert_url=page_url,
        cert_id=str(shown.id),
    )
    return add_to_profile_url(certification)


def _translation(
    achievement: Achievement | None, signed: dict[str, Any], language: str, base_url: str
) -> dict[str, Any] | None:
    """The issuer's text in the viewer's language, when it has some and the signed text is in
    another language."""
    if achievement is None or supported(signed.get("inLanguage")) == language:
        return None
    document = build_achievement(achievements.definition(achievement, base_url), language)
    if supported(document["inLanguage"]) != language:
        return None
    # A text the issuer has only in its default language falls back to it: not a translation.
    description = document["description"]
    narrative = document["criteria"].get("narrative")
    return {
        "lang": document["inLanguage"],
        "name": document["name"],
        "description": None if description == signed.get("description") else description,
        "narrative": None
        if narrative == signed.get("criteria", {}).get("narrative")
        else narrative,
    }


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _DESCRIPTION_LIMIT:
        return text
    return text[: _DESCRIPTION_LIMIT - 1].rsplit(" ", 1)[0] + "…"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
