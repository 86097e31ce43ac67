"""Sending a credential's ``credential_issued`` message again, on an issuer's request.

A credential keeps only its recipient's lookup hash, never an address: the message goes to the
address the issuer gives, when it is the recipient's (its lookup hash is the credential's), or
else to the verified email of the account that proved the recipient (``mail.address_for_lookup``).
Resends are limited per credential (``RESEND_LIMIT``), so a console button cannot flood a
learner's inbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, MailMessage
from badgeservice.domain.recipient import RecipientError, normalize_email
from badgeservice.errors import ConflictError, FieldError, ServiceError, ValidationFailedError
from badgeservice.services import mail, rate_limits
from badgeservice.services.audit import record_event
from badgeservice.services.credentials import CredentialRevokedError
from badgeservice.services.issuance import lookup_of
from badgeservice.services.keystore import KeyStore
from badgeservice.settings import Settings

RESEND_LIMIT = rate_limits.Limit("resend-mail", 3, timedelta(hours=1))
EMAIL_POINTER = "/body/email"


class MailOffError(ConflictError):
    code, title = "mail_disabled", "This service sends no mail (no SMTP server is configured)"


class NoAddressError(ConflictError):
    code, title = "recipient_address_unknown", "No email address is known for this recipient"


class EmailNotRecipientError(ValidationFailedError):
    code, title = "email_not_recipient", "The email is not the credential's recipient"


class ResendLimitedError(ServiceError):
    """429, with ``Retry-After``: the credential's resends in the last hour reached the limit."""

    status, code, title = 429, "too_many_resends", "The message was sent again too often"

    def __init__(self) -> None:
        seconds = int(RESEND_LIMIT.window.total_seconds())
        super().__init__(
            f"At most {RESEND_LIMIT.count} resends of a credential's message per hour; "
            f"retry in {seconds // 60} minutes."
        )
        self.headers["Retry-After"] = str(seconds)


def resend_issued(
    session: Session,
    settings: Settings,
    key_store: KeyStore,
    credential: Credential,
    *,
    email: str | None,
    actor: str,
    now: datetime,
) -> MailMessage:
    """Enqueue ``credential_issued`` for ``credential`` again (``mail.enqueue_issued``, the
    message issuing sends), to ``email`` or the recipient's account address; audited as
    ``credential.mail_resent`` (which address, never: only whether it was given or found)."""
    if credential.revoked_at is not None:
        raise CredentialRevokedError()
    if not mail.enabled(settings):
        raise MailOffError()
    address, reason = _address(session, key_store, credential, email)
    bucket = rate_limits.Limit(
        f"{RESEND_LIMIT.key}:{credential.id}", RESEND_LIMIT.count, RESEND_LIMIT.window
    )
    if not rate_limits.allow(session, key_store, [bucket], now):
        raise ResendLimitedError()
    message = mail.enqueue_issued(
        session, credential, to=address, reason=reason, now=now, resent=True
    )
    record_event(
        session,
        action="credential.mail_resent",
        actor=actor,
        subject_type="credential",
        subject_id=str(credential.id),
        issuer_id=credential.issuer_id,
        details={"to": reason},
    )
    session.flush()
    return message


def _address(
    session: Session, key_store: KeyStore, credential: Credential, email: str | None
) -> tuple[str, str]:
    """Where to send and why (``email``: the address given is the recipient's; ``account``)."""
    lookup = credential.recipient_lookup
    if email is not None:
        try:
            address = normalize_email(email)
        except RecipientError as exc:
            raise ValidationFailedError(
                errors=[FieldError(EMAIL_POINTER, str(exc), "invalid_email")]
            ) from exc
        if lookup is None or lookup_of(key_store, "email", address) != lookup:
            message = "This email is not the address the credential was issued to."
            raise EmailNotRecipientError(
                message, errors=[FieldError(EMAIL_POINTER, message, "email_not_recipient")]
            )
        return address, "email"
    found = mail.address_for_lookup(session, lookup) if lookup else None
    if found is None:
        raise NoAddressError(
            "No account that proved this recipient has a verified email; give the address."
        )
    return found, "account"
