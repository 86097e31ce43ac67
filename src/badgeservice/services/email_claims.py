"""Adding a second email to an account: a one-time link mailed to the address proves it.

The link is one of sign-in's email links (``sign_in.send_link``, purpose ``add_email``,
template ``add_email_link``): one table, one secret rule, one use-once rule for every link we
mail. What this module adds is the account rule: the link works only in a browser signed in to
the account that asked (so a link forwarded to, or phished from, someone else cannot attach
their address to another account), at most ``MAX_OPEN_LINKS`` per account per 15 minutes.
Confirming adds a ``UserIdentity`` of kind ``email`` and a ``RecipientClaim`` of the address's
lookup hash (the ``recipient_lookup`` of credentials issued to it): the backpack then shows
them. A lookup belongs to one account only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import EmailLink, RecipientClaim, User, UserIdentity
from badgeservice.domain.recipient import RecipientError, normalize_email
from badgeservice.errors import (
    BadRequestError,
    ConflictError,
    FieldError,
    PermissionDeniedError,
    ServiceError,
    ValidationFailedError,
)
from badgeservice.services import rate_limits, sign_in
from badgeservice.services.keystore import KeyStore

PURPOSE = "add_email"
MAX_OPEN_LINKS = 5  # per account within one link lifetime
CONFIRM_PATH = "/me/emails/confirm"  # + "/{secret}": the request log hides the secret


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
) -> EmailLink:
    """Mails a link that adds ``address`` to ``user``'s account."""
    try:
        email = normalize_email(address)
    except RecipientError:
        raise ValidationFailedError(
            "This is not an email address.",
            [FieldError("email", "This is not an email address.", "email_invalid")],
        ) from None
    _check_unclaimed(session, user, key_store.lookup_hash(email))
    limit = rate_limits.Limit(f"add-email:{user.id}", MAX_OPEN_LINKS, sign_in.LINK_LIFETIME)
    if not rate_limits.allow(session, key_store, [limit], now):
        raise TooManyLinksError()
    return sign_in.send_link(
        session, address=email, purpose=PURPOSE, base_url=base_url, language=language,
        now=now, user=user, link_path=CONFIRM_PATH,
    )  # fmt: skip


def find_link(session: Session, user: User, secret: str | None, now: datetime) -> EmailLink:
    """The live add-email link of a secret for ``user`` (only reads: the confirm page's GET):
    ``LinkInvalidError`` when unknown, expired, used or not for this;
    ``LinkOtherAccountError`` when another account asked for it."""
    if not secret or len(secret) > 128:
        raise LinkInvalidError()
    try:
        link = sign_in.find_link(session, secret, now)
    except sign_in.EmailLinkInvalidError:
        raise LinkInvalidError() from None
    if link.purpose != PURPOSE or link.email is None:
        raise LinkInvalidError()
    if link.user_id != user.id:
        raise LinkOtherAccountError()
    return link


def confirm_link(
    session: Session, user: User, secret: str | None, key_store: KeyStore, now: datetime
) -> str:
    """Adds the link's address to ``user``'s account; the address. The link is used up by
    ``sign_in.use_link`` (a conditional UPDATE), so two clicks at once add it once."""
    link = find_link(session, user, secret, now)
    lookup = key_store.lookup_hash(link.email or "")
    _check_unclaimed(session, user, lookup)
    try:
        email, _link = sign_in.use_link(session, secret or "", PURPOSE, now)
    except sign_in.EmailLinkInvalidError:
        raise LinkInvalidError() from None
    identity = session.scalar(
        select(UserIdentity).where(UserIdentity.kind == "email", UserIdentity.subject == lookup)
    )
    if identity is None:
        identity = UserIdentity(
            user_id=user.id, kind="email", subject=lookup, email=email, verified_at=now
        )
        session.add(identity)
        session.flush()
    elif identity.user_id != user.id:
        raise EmailClaimedElsewhereError()
    session.add(RecipientClaim(user_id=user.id, identity_id=identity.id, lookup=lookup))
    session.flush()
    return email


def emails_of(session: Session, user: User) -> list[str]:
    """The verified addresses of the account, oldest first."""
    query = (
        select(UserIdentity.email)
        .where(UserIdentity.user_id == user.id, UserIdentity.kind == "email")
        .order_by(UserIdentity.verified_at)
    )
    return [email for email in session.scalars(query) if email]
