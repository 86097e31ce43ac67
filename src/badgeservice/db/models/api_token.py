from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin


class ApiToken(IdMixin, CreatedMixin, Base):
    """A bearer token. Only a SHA-256 hash of the secret is kept; ``prefix`` identifies it in
    listings and logs. ``issuer_id`` is empty for admin tokens."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    issuer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("issuers.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[list[str]]
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def is_admin(self) -> bool:
        return self.issuer_id is None
