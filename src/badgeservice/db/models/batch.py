from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin


class Batch(IdMixin, CreatedMixin, Base):
    """A bulk issuance: one achievement, many rows, worked off by worker processes."""

    __tablename__ = "batches"

    issuer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("issuers.id", ondelete="CASCADE"), index=True
    )
    achievement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("achievements.id", ondelete="RESTRICT")
    )
    options: Mapped[dict[str, Any]]
    actor: Mapped[str] = mapped_column(String(100))
    total: Mapped[int]
    finished_at: Mapped[datetime | None]
    warnings: Mapped[list[Any] | None]  # about the upload as a whole (ignored CSV columns)


class BatchItem(IdMixin, Base):
    """One row of a batch. ``pending`` rows are claimed with ``FOR UPDATE SKIP LOCKED`` and
    issued in the same transaction that marks them ``done``: a worker that dies mid-way
    leaves them ``pending``, never half-done. ``input`` never holds an email: only its salted
    IdentityHash and keyed lookup hash, as an issued credential keeps it. ``skipped`` rows
    (``skipExisting``) point at the recipient's existing credential."""

    __tablename__ = "batch_items"
    __table_args__ = (
        UniqueConstraint("batch_id", "row_number", name="uq_batch_items_batch_row"),
        Index("ix_batch_items_status_batch", "status", "batch_id"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    row_number: Mapped[int]
    input: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10), default="pending")
    credential_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="SET NULL")
    )
    error: Mapped[dict[str, Any] | None]
    warnings: Mapped[list[Any] | None]  # duplicate recipient, recipient already holds one
    finished_at: Mapped[datetime | None]
