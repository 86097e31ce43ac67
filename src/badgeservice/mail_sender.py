"""Sending the outbox (``services/mail.py``): claims due messages with a lease, renders and
sends each outside any transaction, records the outcome. It owns its transactions (short
ones, committed here), like the batch worker that runs it; services never commit.
See the claim argument in ``services/mail.py``'s docstring.
"""

from __future__ import annotations

import logging
import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from badgeservice.db.models import MailMessage
from badgeservice.services.mail import (
    BACKOFF,
    JITTER,
    LEASE,
    Render,
    Transport,
    UnsendableError,
    forget,
)
from badgeservice.services.smtp import SendError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    id: uuid.UUID
    token: str


@dataclass
class MailSender:
    """Sends due messages: ``render`` builds one (``web/mail.py``), ``transport`` sends it."""

    factory: sessionmaker[Session]
    render: Render
    transport: Transport
    now: Callable[[], datetime]
    max_attempts: int = 6
    rng: random.Random | None = None

    def run_once(self, limit: int = 10) -> int:
        """Claim up to ``limit`` due messages and try each once; the number tried."""
        claims = self.claim(limit)
        for claim in claims:
            self._deliver(claim)
        return len(claims)

    def claim(self, limit: int) -> list[Claim]:
        now = self.now()
        due = or_(
            and_(MailMessage.status == "pending", MailMessage.next_attempt_at <= now),
            and_(MailMessage.status == "sending", MailMessage.lease_until < now),
        )
        claims = []
        with self.factory() as session:
            query = select(MailMessage.id).where(due).order_by(MailMessage.next_attempt_at)
            ids = list(session.scalars(query.limit(limit).with_for_update(skip_locked=True)))
            for message_id in ids:
                token = secrets.token_hex(16)
                taken = session.execute(
                    update(MailMessage)
                    .where(MailMessage.id == message_id, due)
                    .values(
                        status="sending",
                        lease_token=token,
                        lease_until=now + LEASE,
                        attempts=MailMessage.attempts + 1,
                    )
                )
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    claims.append(Claim(message_id, token))
            session.commit()
        return claims

    def _deliver(self, claim: Claim) -> None:
        try:
            with self.factory() as session:
                message = session.get_one(MailMessage, claim.id)
                built = self.render(session, message)
                session.rollback()  # rendering only reads
            self.transport.send(built)
        except UnsendableError as exc:
            self._finish(claim, SendError(str(exc), permanent=True))
        except SendError as exc:
            self._finish(claim, exc)
        except Exception:  # a bug must not stall the outbox: retried, then given up
            log.exception("mail message could not be built", extra={"mail": str(claim.id)})
            self._finish(claim, SendError("internal error", permanent=False))
        else:
            self._finish(claim, None)

    def _finish(self, claim: Claim, error: SendError | None) -> None:
        now = self.now()
        with self.factory() as session:
            message = session.scalar(
                select(MailMessage)
                .where(MailMessage.id == claim.id, MailMessage.lease_token == claim.token)
                .with_for_update()
            )
            if message is None:  # our lease ended and another worker took it over
                return
            message.lease_token, message.lease_until = None, None
            if error is None:
                message.status, message.sent_at, message.last_error = "sent", now, None
            elif error.permanent or message.attempts >= self.max_attempts:
                message.status, message.last_error = "failed", error.summary[:200]
            else:
                message.status, message.last_error = "pending", error.summary[:200]
                message.next_attempt_at = now + self.backoff(message.attempts)
            if message.status != "pending":
                forget(message)
            session.commit()
        outcome = "sent" if error is None else f"not sent: {error.summary}"
        log.info(f"mail {outcome}", extra={"mail": str(claim.id), "template": message.template})

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed try: the table's step, ±20 %."""
        step = BACKOFF[min(attempts, len(BACKOFF)) - 1]
        return step * (self.rng or random).uniform(1 - JITTER, 1 + JITTER)
