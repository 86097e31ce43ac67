"""Adding a second email to an account: a one-time link mailed to the address proves it.

``request_link`` stores only the SHA-256 of the link's secret and puts the mail in the outbox
(template ``add_email_link``, context ``{"url", "minutes"}``). The link works for 15 minutes,
once, and only in a browser signed in to the account that asked (so a link forwarded to, or
phished from, someone else cannot attach their address to another account). Confirming adds
a ``UserIdentity`` of kind ``email`` and a ``RecipientClaim`` of the address's lookup hash
(``key_store.lookup_hash(normalize_email(address))``, the ``recipient_lookup`` of credentials
issued to it): the backpack then shows them. A lookup belongs to one account only.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from badgeservice.db.models import EmailClaimLink, MailMessage, RecipientClaim, User, UserIdentity
from badgeservice.domain.recipient import RecipientError, normalize_email
from badgeservice.errors import (
    BadRequestError,
    ConflictError,
    FieldError,
    PermissionDeniedError,
    ServiceError,
    ValidationFailedError,
)
from badgeservice.services import mail
from badgeservice.services.keystore import KeyStore

LIFETIME = timedelta(minutes=15)
MAX_OPEN_LINKS = 5  # per account within one LIFETIME
TEMPLATE = "add_email_link"
CONFIRM_PATH = "/me/emails/confirm"  # the secret goes in the query: paths are logged


class EmailClaimedElsewhereError(ConflictError):
    code, title = "email_claimed_elsewhere", "This email belongs to another account"


class EmailAlreadyAddedError(ConflictError):
    code, title = "email_already_added", "This email is already in your account"


class TooManyLinksError(ServiceError):
    status, code, title = 429, "too_many_links", "Too many links asked for; wait a while"


class LinkInvalidError(BadRequestError):
    code, title = "link_invalid", "This link is unknown, has expired or was used already"


class LinkOtherAccountError(PermissionDeniedError):
    code, title = "link_other_account", "This link was asked for by another account"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_unclaimed(session: Session, user: User, lookup: str) -> None:
    holder = session.scalar(select(RecipientClaim.user_id).where(RecipientClaim.lookup == lookup))
    if holder == user.id:
        raise EmailAlreadyAddedError()
    if holder is not None:
        raise EmailClaimedElsewhereError()


def request_link(
    session: Session,
    user: User,
    address: str,
    *,
    key_store: KeyStore,
    base_url: str,
    language: str,
    now: datetime,
) -> MailMessage:
    """Mails a link that adds ``address`` to ``user``'s account."""
    try:
        email = normalize_email(address)
    except RecipientError:
        raise ValidationFailedError(
            "This is not an email address.",
            [FieldError("email", "This is not an email address.", "email_invalid")],
        ) from None
    lookup = key_store.lookup_hash(email)
    _check_unclaimed(session, user, lookup)
    recent = session.scalar(
        select(func.count()).where(
            EmailClaimLink.user_id == user.id, EmailClaimLink.created_at > now - LIFETIME
        )
    )
    if (recent or 0) >= MAX_OPEN_LINKS:
        raise TooManyLinksError()
    secret = secrets.token_urlsafe(32)
    session.add(
        EmailClaimLink(
            token_hash=_hash(secret),
            user_id=user.id,
            email=email,
            lookup=lookup,
            expires_at=now + LIFETIME,
            created_at=now,
        )
    )
    url = f"{base_url}{CONFIRM_PATH}?{urlencode({'token': secret})}"
    minutes = int(LIFETIME.total_seconds() // 60)
    return mail.enqueue(
        session,
        to=email,
        template=TEMPLATE,
        language=language,
        context={"url": url, "minutes": minutes},
        now=now,
    )


def find_link(session: Session, secret: str | None, now: datetime) -> EmailClaimLink:
    """The live link of a secret, or ``LinkInvalidError`` (unknown, expired, used)."""
    if not secret or len(secret) > 128:
        raise LinkInvalidError()
    link = session.scalar(select(EmailClaimLink).where(EmailClaimLink.token_hash == _hash(secret)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise LinkInvalidError()
    return link


def confirm_link(session: Session, user: User, secret: str | None, now: datetime) -> str:
    """Adds the link's address to ``user``'s account; the address. The link is used up by a
    conditional UPDATE, so two clicks at once add it once."""
    link = find_link(session, secret, now)
    if link.user_id != user.id:
        raise LinkOtherAccountError()
    _check_unclaimed(session, user, link.lookup)
    used = session.execute(
        update(EmailClaimLink)
        .where(EmailClaimLink.id == link.id, EmailClaimLink.used_at.is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkInvalidError()
    identity = session.scalar(
        select(UserIdentity).where(
            UserIdentity.kind == "email", UserIdentity.subject == link.lookup
        )
    )
    if identity is None:
        identity = UserIdentity(
            user_id=user.id, kind="email", subject=link.lookup, email=link.email, verified_at=now
        )
        session.add(identity)
        session.flush()
    elif identity.user_id != user.id:
        raise EmailClaimedElsewhereError()
    session.add(RecipientClaim(user_id=user.id, identity_id=identity.id, lookup=link.lookup))
    session.flush()
    return link.email


def emails_of(session: Session, user: User) -> list[str]:
    """The verified addresses of the account, oldest first."""
    query = (
        select(UserIdentity.email)
        .where(UserIdentity.user_id == user.id, UserIdentity.kind == "email")
        .order_by(UserIdentity.verified_at)
    )
    return [email for email in session.scalars(query) if email]
