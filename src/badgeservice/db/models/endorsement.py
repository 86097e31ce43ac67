from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, IdMixin


class Endorsement(IdMixin, Base):
    """A signed EndorsementCredential of one issuer, stored exactly as signed (``document`` is
    the JSON text, never re-serialised). ``subject_id`` is what it endorses (its
    ``credentialSubject.id``: an achievement URL, a profile's DID, a credential URL or any IRI);
    ``subject_kind`` says which, as the request named it."""

    __tablename__ = "endorsements"
    __table_args__ = (Index("ix_endorsements_issuer_issued", "issuer_id", "issued_at"),)

    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(2048), index=True)
    name: Mapped[str] = mapped_column(String(500))
    document: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
