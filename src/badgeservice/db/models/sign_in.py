"""What signing in keeps between two requests: the OAuth ``state`` with its PKCE verifier, the
one-time email links, and the rate-limit counts. All short-lived; none holds a secret in a form
that signs anyone in (the state and links are stored as SHA-256 hashes)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin


class OAuthState(IdMixin, CreatedMixin, Base):
    """A sign-in begun at the provider: the SHA-256 of the ``state`` sent there, the PKCE
    ``code_verifier`` (never leaves the server), where to go afterwards. Deleted when used."""

    __tablename__ = "oauth_states"

    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str] = mapped_column(String(500))
    expires_at: Mapped[datetime]


class EmailLink(IdMixin, CreatedMixin, Base):
    """A one-time link mailed to ``email``: ``purpose`` ``sign_in`` or ``add_email`` (then
    ``user_id`` is who asked). The address is erased when the link is used."""

    __tablename__ = "email_links"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320))
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    next_path: Mapped[str] = mapped_column(String(500))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


class RateLimitHit(IdMixin, Base):
    """One counted request: ``bucket`` is a keyed hash of what is limited (``address:…``,
    ``ip:…``), so neither an address nor an IP is stored."""

    __tablename__ = "rate_limit_hits"

    bucket: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
