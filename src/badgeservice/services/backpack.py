"""A learner's backpack: every credential whose ``recipient_lookup`` is one of the user's
``RecipientClaim`` lookups, across issuers, with its state and the learner's choices.

Names are read from each credential as signed (its own language), so search and sort work
on what the learner was given. Search and "by name" run in Python over the user's own
credentials (NFKC + casefold: SQL ``lower`` is ASCII-only on SQLite); a learner holds
hundreds, not millions, and only the needed columns are read.
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, CredentialChoice, Issuer, RecipientClaim, User
from badgeservice.domain.credential_state import State
from badgeservice.services.credentials import state_of
from badgeservice.services.visibility import Visibility

Sort = Literal["newest", "name"]
SORTS: tuple[Sort, ...] = ("newest", "name")
PER_PAGE = 20
MAX_QUERY = 200


@dataclass(frozen=True)
class BackpackEntry:
    credential: Credential
    name: str
    description: str
    image: str | None  # the achievement image the credential names, if any
    issuer_name: str
    issuer_slug: str
    language: str
    state: State
    visibility: Visibility


@dataclass(frozen=True)
class BackpackPage:
    entries: list[BackpackEntry]
    total: int  # matching the search
    page: int
    pages: int


def claimed(user: User) -> Select[str]:
    """The user's recipient lookups, as a subquery."""
    return select(RecipientClaim.lookup).where(RecipientClaim.user_id == user.id)


Row = tuple[Credential, CredentialChoice | None, str]


def _rows(session: Session, user: User) -> list[Row]:
    query = (
        select(Credential, CredentialChoice, Issuer.slug)
        .join(Issuer, Issuer.id == Credential.issuer_id)
        .outerjoin(CredentialChoice, CredentialChoice.credential_id == Credential.id)
        .where(Credential.recipient_lookup.in_(claimed(user)))
        .order_by(Credential.issued_at.desc(), Credential.id)
    )
    return [(credential, choice, slug) for credential, choice, slug in session.execute(query)]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def entry_of(
    credential: Credential, choice: CredentialChoice | None, slug: str, now: datetime
) -> BackpackEntry:
    document: dict[str, Any] = json.loads(credential.document)
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {} if isinstance(subject, dict) else {}
    issuer = document.get("issuer") or {}
    image = achievement.get("image")
    image_url = image.get("id") if isinstance(image, dict) else image
    visibility = (
        Visibility(owned=True)
        if choice is None
        else Visibility(choice.page_public, choice.json_public, choice.on_profile, owned=True)
    )
    return BackpackEntry(
        credential=credential,
        name=_text(achievement.get("name")) or _text(document.get("name")),
        description=_text(achievement.get("description")),
        image=image_url if isinstance(image_url, str) else None,
        issuer_name=_text(issuer.get("name")) if isinstance(issuer, dict) else "",
        issuer_slug=slug,
        language=_text(achievement.get("inLanguage")) or credential.language,
        state=state_of(credential, now),
        visibility=visibility,
    )


def folded(text: str) -> str:
    """Text as search compares it: NFKC (full-width forms, ligatures) and casefolded."""
    return unicodedata.normalize("NFKC", text).casefold()


def entries(session: Session, user: User, now: datetime) -> list[BackpackEntry]:
    """All of the user's credentials, newest first."""
    return [entry_of(c, choice, slug, now) for c, choice, slug in _rows(session, user)]


def search(found: list[BackpackEntry], query: str, sort: Sort) -> list[BackpackEntry]:
    """Those whose achievement or issuer name contains every word of ``query``."""
    words = folded(query[:MAX_QUERY]).split()
    if words:
        found = [e for e in found if all(w in folded(f"{e.name} {e.issuer_name}") for w in words)]
    if sort == "name":
        found = sorted(found, key=lambda e: folded(e.name))  # stable: newest first within
    return found


def backpack_page(
    session: Session, user: User, *, query: str, sort: Sort, page: int, now: datetime
) -> BackpackPage:
    """One page of the backpack; a page past the end is the last one."""
    found = search(entries(session, user, now), query, sort)
    pages = max(1, -(-len(found) // PER_PAGE))
    page = min(max(page, 1), pages)
    shown = found[(page - 1) * PER_PAGE : page * PER_PAGE]
    return BackpackPage(shown, len(found), page, pages)


def credential_ids(session: Session, user: User) -> list[uuid.UUID]:
    """The ids of all the user's credentials, newest first (for the download)."""
    query = (
        select(Credential.id)
        .where(Credential.recipient_lookup.in_(claimed(user)))
        .order_by(Credential.issued_at.desc(), Credential.id)
    )
    return list(session.scalars(query))
