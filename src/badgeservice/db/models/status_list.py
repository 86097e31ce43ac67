from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin, written_at


class StatusList(IdMixin, CreatedMixin, Base):
    """A Bitstring Status List of one issuer and one purpose (``revocation``/``suspension``).

    The bits are not stored: they are derived from the credentials holding its indexes, so
    there is one source of truth. ``version`` increases (atomically, ``version + 1``) on every
    status change; the signed list credential is cached with the version it was signed at
    and re-signed when they differ. ``full`` closes the list to new allocations."""

    __tablename__ = "status_lists"
    __table_args__ = (Index("ix_status_lists_issuer_purpose", "issuer_id", "purpose"),)

    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    size: Mapped[int]
    full: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    signed_document: Mapped[str | None] = mapped_column(Text)
    signed_version: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=written_at, onupdate=written_at)


class StatusAllocation(Base):
    """One used index of a status list, held by a credential or an endorsement. The primary
    key makes allocation atomic: two holders can never share an index, whatever the
    concurrency."""

    __tablename__ = "status_allocations"

    status_list_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("status_lists.id", ondelete="CASCADE"), primary_key=True
    )
    index: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    credential_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), index=True
    )
    endorsement_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("endorsements.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=written_at)
