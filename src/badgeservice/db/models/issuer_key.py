from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin


class IssuerKey(IdMixin, CreatedMixin, Base):
    """A signing key of an issuer. The private half is stored encrypted (AES-GCM under the
    key-encryption key); ``status`` is ``active`` (signs), ``retired`` (verifies only) or
    ``revoked`` (kept in the DID document only marked ``revoked``, outside ``assertionMethod``;
    ``revocation_reason`` says why)."""

    __tablename__ = "issuer_keys"
    __table_args__ = (UniqueConstraint("issuer_id", "key_id", name="uq_issuer_keys_issuer_key"),)

    issuer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("issuers.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[str] = mapped_column(String(100))
    algorithm: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(30))
    public_jwk: Mapped[dict[str, Any]]
    public_multibase: Mapped[str | None] = mapped_column(String(200))
    private_key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="active")
    retired_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(String(500))
