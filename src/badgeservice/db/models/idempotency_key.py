from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin


class IdempotencyKey(IdMixin, CreatedMixin, Base):
    """An ``Idempotency-Key`` an issuer used: the same key with the same body returns the
    resource first created; with another body it is a conflict."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("issuer_id", "key", name="uq_idempotency_keys_issuer_key"),)

    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(30))
    resource_id: Mapped[uuid.UUID]
