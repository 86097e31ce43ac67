"""Finding an issuer's credentials by the recipient a person types: one field for every kind."""

from __future__ import annotations

from dataclasses import replace

from badgeservice.domain.recipient import RecipientError, normalize_username
from badgeservice.domain.recipient_check import claimed_recipient
from badgeservice.services.credentials import CredentialFilter
from badgeservice.services.issuance import lookup_of
from badgeservice.services.keystore import KeyStore


def recipient_filter(key_store: KeyStore, value: str, where: CredentialFilter) -> CredentialFilter:
    """``where`` narrowed to the recipient ``value`` names: an email, a DID, an http(s) URL or
    a Wikimedia username (``User:Name``, or a bare name that is none of the others), recognised
    by ``recipient_check.claimed_recipient`` and hashed by ``issuance.lookup_of``, as issuing
    hashes them. Raises ``RecipientError`` (without echoing the value)."""
    try:
        claimed = claimed_recipient(value)
    except RecipientError:
        try:
            username = normalize_username(value)
        except RecipientError:
            raise RecipientError(
                "the recipient is not an email address, a Wikimedia username, a DID or a URL"
            ) from None
        return replace(where, recipient_lookup=lookup_of(key_store, "wikimedia_username", username))
    if claimed.kind in ("did", "url"):
        return replace(where, recipient_id=claimed.value)
    return replace(where, recipient_lookup=lookup_of(key_store, claimed.kind, claimed.value))
