"""What a learner lets others see of a credential issued to them.

A credential's owner is the user holding a ``RecipientClaim`` for its ``recipient_lookup``
(one user per lookup). The owner's choices (``CredentialChoice``) say whether its page is
public, whether its signed JSON (and the baked images, which carry it) is served to whoever
holds the URL, and whether it is listed on the public profile. Without a row everything stays
as it was before accounts: page and JSON public, not on the profile. The owner, signed in,
always sees everything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, CredentialChoice, RecipientClaim, User
from badgeservice.errors import NotFoundError

Part = Literal["page", "json"]
CHOICES = ("page_public", "json_public", "on_profile")


@dataclass(frozen=True)
class Visibility:
    page_public: bool = True
    json_public: bool = True
    on_profile: bool = False
    owned: bool = False  # someone holds the recipient: the choices may change at any time

    def shows(self, part: Part) -> bool:
        return self.page_public if part == "page" else self.json_public


def owner_id(session: Session, credential: Credential) -> uuid.UUID | None:
    """The user whose claim matches the credential's recipient, if any."""
    if credential.recipient_lookup is None:
        return None
    return session.scalar(
        select(RecipientClaim.user_id).where(RecipientClaim.lookup == credential.recipient_lookup)
    )


def visibility_of(session: Session, credential: Credential) -> Visibility:
    choice = session.get(CredentialChoice, credential.id)
    owned = owner_id(session, credential) is not None
    if choice is None:
        return Visibility(owned=owned)
    return Visibility(choice.page_public, choice.json_public, choice.on_profile, owned)


def get_own_credential(session: Session, user: User, credential_id: uuid.UUID) -> Credential:
    """One of ``user``'s credentials; anyone else's (or none) is a 404, as for an unknown id."""
    credential = session.get(Credential, credential_id)
    if credential is None or owner_id(session, credential) != user.id:
        raise NotFoundError(f"Credential {credential_id} not found.")
    return credential


def set_visibility(
    session: Session, user: User, credential_id: uuid.UUID, choices: dict[str, bool], now: datetime
) -> Visibility:
    """Stores the owner's choices (keys of ``CHOICES``; the others keep their value)."""
    credential = get_own_credential(session, user, credential_id)
    choice = session.get(CredentialChoice, credential.id)
    if choice is None:
        choice = CredentialChoice(
            credential_id=credential.id,
            user_id=user.id,
            page_public=True,
            json_public=True,
            on_profile=False,
            updated_at=now,
        )
        session.add(choice)
    for name in CHOICES:
        if name in choices:
            setattr(choice, name, bool(choices[name]))
    choice.user_id, choice.updated_at = user.id, now
    session.flush()
    return Visibility(choice.page_public, choice.json_public, choice.on_profile, owned=True)
