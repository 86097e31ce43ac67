"""The outbox: ``enqueue`` writes a message row in the caller's transaction; the worker sends
it later, so a request never waits on SMTP and a failed send never undoes what asked for it.

(The minimal form the backpack needs; the mail worker's module of the same name extends it.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import MailMessage


def enqueue(
    session: Session, *, to: str, template: str, language: str, context: dict[str, Any]
) -> MailMessage:
    """A pending message to ``to``, rendered from ``template`` in ``language`` when sent."""
    message = MailMessage(
        to_address=to,
        template=template,
        language=language,
        context=context,
        status="pending",
        attempts=0,
    )
    session.add(message)
    session.flush()
    return message
