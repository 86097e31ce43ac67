"""The outbox: mail to send, inserted in the transaction of what caused it and sent later by
the worker (a request never waits on SMTP). ``to_address`` is kept only until the message is
sent or given up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin


class MailMessage(IdMixin, CreatedMixin, Base):
    """One message: which template, in which language, with which values; ``status``
    ``pending`` until the worker sends it."""

    __tablename__ = "mail_messages"

    to_address: Mapped[str | None] = mapped_column(String(320))
    template: Mapped[str] = mapped_column(String(50))
    language: Mapped[str] = mapped_column(String(35))
    context: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
