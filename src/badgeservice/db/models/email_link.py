"""One-time links that prove an address: a signed-in user asks to add an email, we mail a link,
opening it (and pressing the button) adds the address to that user's account."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin


class EmailClaimLink(IdMixin, CreatedMixin, Base):
    """A link mailed to ``email`` for ``user_id``. Only the SHA-256 of the link's secret is
    stored; ``used_at`` is set by the one confirmation it allows."""

    __tablename__ = "email_claim_links"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    lookup: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
