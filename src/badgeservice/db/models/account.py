"""Learners' accounts: who signed in, which identities they proved, their sessions and their
choices about the credentials issued to them.

A credential is a learner's when its ``recipient_lookup`` is one of the user's
``RecipientClaim`` rows: the keyed lookup hash of a verified email, or of a Wikimedia username
the user signed in with (kept after a rename: the account is keyed on the central user id,
``sub``). Nothing here stores a username's or an email's credentials twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin


class User(IdMixin, CreatedMixin, Base):
    """A learner (or issuer staff) who signed in at least once. ``handle`` names the public
    profile page ``/people/{handle}``, shown only when ``profile_public``."""

    __tablename__ = "users"

    handle: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(35))
    profile_public: Mapped[bool] = mapped_column(default=False)
    # The profile and its badges.json name the Wikimedia username only when the user says so.
    show_username: Mapped[bool] = mapped_column(default=False)
    last_sign_in_at: Mapped[datetime | None]
    # Leaves the skills map: their credentials are not counted in any aggregate.
    skills_map_excluded: Mapped[bool] = mapped_column(default=False, server_default=false())


class UserIdentity(IdMixin, CreatedMixin, Base):
    """An identity the user proved. ``kind`` is ``wikimedia`` (``subject`` = the central user
    id ``sub``; ``username`` its current name) or ``email`` (``subject`` = the email's lookup
    hash; ``email`` the verified address, kept to send mail to it)."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("kind", "subject", name="uq_user_identities_kind_subject"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    verified_at: Mapped[datetime]


class RecipientClaim(IdMixin, CreatedMixin, Base):
    """A recipient lookup hash (``credentials.recipient_lookup``) the user proved: credentials
    issued to it are the user's. One user per lookup (the first to prove it)."""

    __tablename__ = "recipient_claims"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    identity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_identities.id", ondelete="CASCADE"), index=True
    )
    lookup: Mapped[str] = mapped_column(String(64), unique=True)


class WebSession(IdMixin, CreatedMixin, Base):
    """A signed-in browser. The cookie holds a random secret; only its SHA-256 is stored.
    ``csrf_token`` is sent back in every form of the session."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class CredentialChoice(Base):
    """What the learner chose for one credential of theirs. Without a row: the page and the
    JSON are public to whoever holds the URL (as for every credential before accounts) and the
    credential is not on the profile."""

    __tablename__ = "credential_choices"

    credential_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    page_public: Mapped[bool] = mapped_column(default=True)
    json_public: Mapped[bool] = mapped_column(default=True)
    on_profile: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]
