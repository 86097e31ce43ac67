"""A learner's public profile: its settings, the page ``/people/{handle}`` and its feed
``/people/{handle}/badges.json``.

Both list only credentials the learner put on the profile *and* whose page is public. An
unknown handle and a profile that is not public are the same "not found", so nothing tells
them apart. The feed's shape is documented in the README ("Your backpack").
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import User, UserIdentity
from badgeservice.domain.handles import HandleError, check_handle
from badgeservice.domain.urls import credential_url
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.services import backpack
from badgeservice.services.backpack import BackpackEntry

MAX_DISPLAY_NAME = 200


class ProfileInvalidError(ValidationFailedError):
    code, title = "profile_invalid", "The profile settings are not valid"


def _display_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise HandleError("display_name_missing")
    if len(name) > MAX_DISPLAY_NAME or any(unicodedata.category(c) == "Cc" for c in name):
        raise HandleError("display_name_invalid")
    return name


def update_profile(
    session: Session,
    user: User,
    *,
    handle: str,
    display_name: str,
    profile_public: bool,
    show_username: bool,
) -> User:
    """Changes the settings together or not at all (``ProfileInvalidError`` names each field
    with its code: ``handle_length``, ``handle_characters``, ``handle_reserved``,
    ``handle_taken``, ``display_name_missing``, ``display_name_invalid``)."""
    errors: list[FieldError] = []
    try:
        handle = check_handle(handle)
        taken = session.scalar(
            select(func.count()).where(User.handle == handle, User.id != user.id)
        )
        if taken:
            errors.append(FieldError("handle", "This handle is taken.", "handle_taken"))
    except HandleError as exc:
        errors.append(FieldError("handle", "This handle is not valid.", exc.code))
    try:
        display_name = _display_name(display_name)
    except HandleError as exc:
        errors.append(FieldError("display_name", "This name is not valid.", exc.code))
    if errors:
        raise ProfileInvalidError("The profile settings are not valid.", errors)
    user.handle, user.display_name = handle, display_name
    user.profile_public, user.show_username = profile_public, show_username
    session.flush()
    return user


def find_public_user(session: Session, handle: str) -> User | None:
    """The user of a public profile; ``None`` for an unknown handle or a private profile."""
    if not handle or len(handle) > 100:
        return None
    user = session.scalar(select(User).where(User.handle == handle.lower()))
    return user if user is not None and user.profile_public else None


def wikimedia_username(session: Session, user: User) -> str | None:
    """The current username of the user's Wikimedia account (the newest, if several)."""
    query = (
        select(UserIdentity.username)
        .where(UserIdentity.user_id == user.id, UserIdentity.kind == "wikimedia")
        .order_by(UserIdentity.verified_at.desc())
        .limit(1)
    )
    return session.scalar(query)


def shown_username(session: Session, user: User) -> str | None:
    return wikimedia_username(session, user) if user.show_username else None


def profile_entries(session: Session, user: User, now: datetime) -> list[BackpackEntry]:
    """What the profile lists: on the profile and with a public page, newest first."""
    return [
        e
        for e in backpack.entries(session, user, now)
        if e.visibility.on_profile and e.visibility.page_public
    ]


def badge_feed(
    user: User, username: str | None, listed: list[BackpackEntry], base_url: str
) -> dict[str, Any]:
    """The ``badges.json`` document (camelCase, stable keys; README "Your backpack")."""
    return {
        "handle": user.handle,
        "displayName": user.display_name,
        "wikimediaUsername": username,
        "profileUrl": f"{base_url}/people/{user.handle}",
        "badges": [_badge(entry, base_url) for entry in listed],
    }


def _badge(entry: BackpackEntry, base_url: str) -> dict[str, Any]:
    page = credential_url(base_url, entry.credential.id)
    signed = f"{page}.jwt" if entry.credential.jwt else f"{page}.json"
    json_public = entry.visibility.json_public
    return {
        "name": entry.name,
        "description": entry.description,
        "language": entry.language,
        # The issuer's image as signed; else the baked badge, which carries the credential.
        "image": entry.image or (f"{page}.png" if json_public else None),
        "issuer": {"name": entry.issuer_name, "url": f"{base_url}/issuers/{entry.issuer_slug}"},
        "issuedOn": _iso(entry.credential.issued_at),
        "validUntil": _iso(entry.credential.valid_until) if entry.credential.valid_until else None,
        "state": entry.state,
        "url": page,
        "credentialUrl": signed if json_public else None,
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
