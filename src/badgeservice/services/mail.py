"""Mail: an outbox in the database, sent by the workers (DESIGN.md §5 "Mail").

A message is a ``mail_messages`` row written by ``enqueue`` in the caller's transaction: mail
goes out only for what was committed, and nothing committed loses its mail. No job library:
the ones that fit a transactional outbox are PostgreSQL-only (procrastinate, pgqueuer) and the
others need a broker or a connection of their own (huey, dramatiq, rq), so the workers extend
the batch rows' claim pattern.

Claiming (``MailSender.run_once``): a short transaction selects due rows (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite runs writers one at a time) and takes each with a conditional
UPDATE that sets a fresh lease token, so of two workers only one gets a row. The message is
rendered and sent outside any transaction (no lock or pooled connection held across the SMTP
wait); the outcome is written only by the holder of the lease. A worker that dies mid-send
leaves its rows ``sending`` until the lease ends; another worker then sends them again (at
least once: a crash after the server accepted a message and before it was marked sent repeats
it). Temporary failures retry after 1 min, 5 min, 30 min, 2 h, 12 h (each ±20 %, so retries
from many rows do not arrive together) up to ``mail_max_attempts``; a permanent one (a 5yz
reply) gives up at once. Sent or given up, the row forgets the address and any link.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Issuer, MailMessage, RecipientClaim, UserIdentity
from badgeservice.settings import Settings

log = logging.getLogger(__name__)
TEMPLATES = ("sign_in_link", "add_email_link", "credential_issued", "staff_invited")
BACKOFF = tuple(timedelta(minutes=m) for m in (1, 5, 30, 120, 720))
JITTER = 0.2
LEASE = timedelta(minutes=10)  # far beyond one send (the SMTP timeout is 30 s a step)
# What a finished message keeps of its context: nothing that names or lets in anyone.
KEPT_CONTEXT = {"credential_issued": ("credential",)}


class UnsendableError(Exception):
    """The message can never be built (its credential is gone or revoked): given up at once."""


def enabled(settings: Settings) -> bool:
    """Whether mail can be sent at all (an SMTP server is configured)."""
    return settings.smtp_url is not None


def enqueue(
    session: Session,
    *,
    to: str,
    template: str,
    language: str,
    context: dict[str, Any],
    now: datetime,
) -> MailMessage:
    """A message to send from ``now`` on, in the caller's transaction (the caller commits)."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown mail template {template!r}")
    message = MailMessage(
        to_address=to,
        template=template,
        language=language,
        context=context,
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    return message


def address_for_lookup(session: Session, lookup: str) -> str | None:
    """The verified email of the user holding a ``RecipientClaim`` for ``lookup`` (the oldest
    verified one), or ``None``: no one claimed it, or the user proved no email."""
    query = (
        select(UserIdentity.email)
        .join(RecipientClaim, RecipientClaim.user_id == UserIdentity.user_id)
        .where(
            RecipientClaim.lookup == lookup,
            UserIdentity.kind == "email",
            UserIdentity.email.is_not(None),
        )
        .order_by(UserIdentity.verified_at, UserIdentity.id)
        .limit(1)
    )
    return session.scalar(query)


def recipient_address(
    session: Session, settings: Settings, issuer: Issuer, email: str | None, lookup: str | None
) -> str | None:
    """Where to tell a recipient of ``issuer`` about a new credential, or ``None``: an email
    recipient when the issuer notifies recipients, another recipient's account email when it
    notifies accounts; never without an SMTP server."""
    if not enabled(settings):
        return None
    if email is not None:
        return email if issuer.notify_recipients else None
    if lookup is None or not issuer.notify_accounts:
        return None
    return address_for_lookup(session, lookup)


def batch_addresses(
    session: Session, settings: Settings, issuer: Issuer, *, asked: bool = True
) -> Callable[[str | None, str | None], str | None] | None:
    """``recipient_address`` for the rows of one upload (``batches.create_batch``'s
    ``notify_to``), or ``None`` when the upload opted out or mail is off."""
    if not asked or not enabled(settings):
        return None
    return functools.partial(recipient_address, session, settings, issuer)


def notify_issued(
    session: Session,
    settings: Settings,
    issuer: Issuer,
    credential: Credential,
    *,
    email: str | None,
    now: datetime,
    asked: bool = True,
) -> MailMessage | None:
    """Enqueue ``credential_issued`` for a credential just issued (``email``: the recipient's
    address when it is one, known only to the request). ``asked=False``: the request opted out."""
    if not asked:
        return None
    address = recipient_address(session, settings, issuer, email, credential.recipient_lookup)
    if address is None:
        return None
    reason = "email" if email else "account"
    return enqueue_issued(session, credential, to=address, reason=reason, now=now)


def enqueue_issued(
    session: Session,
    credential: Credential,
    *,
    to: str,
    reason: str,
    now: datetime,
    resent: bool = False,
) -> MailMessage:
    """The ``credential_issued`` message about ``credential`` to ``to``, in the credential's
    language; ``reason`` says why this address: ``email`` (the credential names it) or
    ``account`` (the account that proved the recipient signed in with it); ``resent``: the
    issuer asked for it again (the message then says so)."""
    context: dict[str, Any] = {"credential": str(credential.id), "reason": reason}
    if resent:
        context["resent"] = True
    return enqueue(
        session,
        to=to,
        template="credential_issued",
        language=credential.language,
        context=context,
        now=now,
    )


def hold_for_row(
    session: Session, item_id: uuid.UUID, address: str, reason: str, now: datetime
) -> None:
    """A batch row's message, ``waiting`` until the worker issues the row (``release_for_row``):
    the row itself keeps no email (DESIGN.md §5), so the address waits here."""
    session.add(
        MailMessage(
            to_address=address,
            template="credential_issued",
            language="en",  # the credential's, set on release
            context={"reason": reason},
            status="waiting",
            attempts=0,
            next_attempt_at=now,
            batch_item_id=item_id,
        )
    )


def release_for_row(
    session: Session, item_id: uuid.UUID, credential: Credential, now: datetime
) -> None:
    """The row was issued: its waiting message (if any) is due now, about ``credential``."""
    waiting = session.scalar(
        select(MailMessage).where(
            MailMessage.batch_item_id == item_id, MailMessage.status == "waiting"
        )
    )
    if waiting is None:
        return
    waiting.status, waiting.language = "pending", credential.language
    waiting.context = {**waiting.context, "credential": str(credential.id)}
    waiting.next_attempt_at, waiting.batch_item_id = now, None


def drop_for_row(session: Session, item_id: uuid.UUID) -> None:
    """The row failed: its waiting message (and the address in it) goes."""
    session.execute(
        delete(MailMessage).where(
            MailMessage.batch_item_id == item_id, MailMessage.status == "waiting"
        )
    )


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the server; ``SendError`` when it was not accepted."""


Render = Callable[[Session, MailMessage], EmailMessage]


def forget(message: MailMessage) -> None:
    """A finished message keeps no address and no link: only what names no one."""
    kept = KEPT_CONTEXT.get(message.template, ())
    message.to_address = None
    message.context = {k: v for k, v in message.context.items() if k in kept}
