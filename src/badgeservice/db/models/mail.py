"""The mail outbox: one row per message, written in the transaction of what caused it and sent
later by a worker (``services/mail.py``).

``status``: ``waiting`` (a batch row's message, released when the row's credential is issued),
``pending`` (due at ``next_attempt_at``), ``sending`` (claimed by a worker until
``lease_until``), ``sent`` or ``failed`` (given up). Once sent or given up, ``to_address`` is
erased and ``context`` keeps only what names no one (DESIGN.md §5).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin


class MailMessage(IdMixin, CreatedMixin, Base):
    __tablename__ = "mail_messages"
    __table_args__ = (Index("ix_mail_messages_status_due", "status", "next_attempt_at"),)

    to_address: Mapped[str | None] = mapped_column(String(320))
    template: Mapped[str] = mapped_column(String(50))
    language: Mapped[str] = mapped_column(String(35))
    context: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]  # set from the caller's now
    # The claim of the worker sending it: its token, and when others may take it over.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    # A batch row's message waits for the row (released or dropped by the batch worker).
    batch_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("batch_items.id", ondelete="CASCADE"), index=True
    )
