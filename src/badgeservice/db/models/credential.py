from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, IdMixin


class Credential(IdMixin, Base):
    """A signed OpenBadgeCredential, stored exactly as signed (``document`` is the JSON text,
    never re-serialised; ``jwt`` the compact VC-JWT when issued in that format)."""

    __tablename__ = "credentials"
    __table_args__ = (
        Index("ix_credentials_issuer_issued", "issuer_id", "issued_at"),
        Index("ix_credentials_issuer_recipient", "issuer_id", "recipient_lookup"),
        # A learner's backpack is found by lookup across issuers.
        Index("ix_credentials_recipient_lookup", "recipient_lookup"),
    )

    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    achievement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("achievements.id", ondelete="RESTRICT"), index=True
    )
    achievement_revision: Mapped[int]
    format: Mapped[str] = mapped_column(String(10))
    document: Mapped[str] = mapped_column(Text)
    jwt: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    recipient_type: Mapped[str] = mapped_column(String(32))
    recipient_lookup: Mapped[str | None] = mapped_column(String(64))
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(35))
    issued_at: Mapped[datetime]
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    suspended_at: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(Text)
