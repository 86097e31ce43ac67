"""The outbox (the contract other parts call): ``enqueue`` inserts a ``MailMessage`` in the
caller's transaction; the worker sends it later, so a request never waits on SMTP and a mail
is sent only if what caused it was committed.

Templates in use: ``sign_in_link`` and ``add_email_link``, context ``{"url": …, "minutes": 15}``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.base import utcnow
from badgeservice.db.models import MailMessage
from badgeservice.settings import Settings


def enabled(settings: Settings) -> bool:
    """Whether mail can be sent at all (``BADGESERVICE_SMTP_URL`` is set)."""
    return bool(settings.smtp_url)


def enqueue(
    session: Session, *, to: str, template: str, language: str, context: dict[str, Any]
) -> MailMessage:
    """A pending message to ``to``, sent by the worker once the caller commits."""
    message = MailMessage(
        to_address=to,
        template=template,
        language=language,
        context=context,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message
