from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin, written_at


class Issuer(IdMixin, CreatedMixin, Base):
    """A tenant: an affiliate that issues credentials under its own did:web identifier."""

    __tablename__ = "issuers"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    did: Mapped[str] = mapped_column(String(512), unique=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    email: Mapped[str | None] = mapped_column(String(320))
    description: Mapped[str | None] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(String(2048))
    # The JWS algorithm of its VC-JWT credentials: ES256 (default) or RS256.
    jwt_algorithm: Mapped[str] = mapped_column(String(10), default="ES256", server_default="ES256")
    # Mail the recipient when a credential is issued (needs BADGESERVICE_SMTP_URL): email
    # recipients (on by default), and recipients whose account has a verified email (off).
    notify_recipients: Mapped[bool] = mapped_column(default=True, server_default=true())
    notify_accounts: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=written_at, onupdate=written_at)
