"""The optional ``recipient`` check: is the credential about the person the caller names?

The caller gives an email address, a DID or a URL with the credential (a Displayer
certification item). An email is compared with each ``emailAddress`` IdentityObject of the
subject: hashed ones by recomputing ``alg$hex(hash(email + salt))`` (the rule of
``domain.recipient``, which our issuance hashes with; emails normalised first, as issuance
does, and also tried as given, since other issuers may not normalise), plain ones (``hashed:
false``) by comparing text. A DID or URL is compared with ``credentialSubject.id``. The value
the caller gave is never put in the report ("the email you gave").

See: https://www.imsglobal.org/spec/ob/v3p0/#verification (step 5, recipient)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from badgeservice.domain.credential import credential_of
from badgeservice.domain.recipient import (
    RecipientError,
    RecipientKind,
    identity_hash_matches,
    normalize_email,
)
from badgeservice.vc import ExtraCheck, Outcome, Subject

__all__ = ["ClaimedRecipient", "claimed_recipient", "recipient_check"]

_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%/#?-]+$")
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
MAX_LENGTH = 2048
WHAT = {"email": "the email you gave", "did": "the DID you gave", "url": "the URL you gave"}


@dataclass(frozen=True)
class ClaimedRecipient:
    """Who the caller says the credential is about (never shown back)."""

    kind: RecipientKind
    value: str

    def __repr__(self) -> str:  # keep the email out of logs and tracebacks
        return f"ClaimedRecipient(kind={self.kind!r})"


def claimed_recipient(value: str) -> ClaimedRecipient:
    """An email, a DID or an http(s) URL; raises RecipientError (without echoing the value)."""
    text = value.strip()
    if len(text) > MAX_LENGTH:
        raise RecipientError("the recipient is too long")
    if _DID.match(text):
        return ClaimedRecipient("did", text)
    if _URL.match(text):
        return ClaimedRecipient("url", text)
    try:
        normalize_email(text)
    except RecipientError:
        raise RecipientError("the recipient is not an email address, a DID or a URL") from None
    return ClaimedRecipient("email", text)


def recipient_check(claimed: ClaimedRecipient) -> ExtraCheck:
    """The ``recipient`` check for this claimed recipient, run after ``status``."""
    return ExtraCheck(
        id="recipient", run=lambda subject: check_recipient(subject, claimed), after="endorsements"
    )


def check_recipient(subject: Subject, claimed: ClaimedRecipient) -> Outcome:
    """``passed`` when an identifier of the credential's subject matches ``claimed``,
    ``failed`` when none does (required: the caller asked).

    See: https://www.imsglobal.org/spec/ob/v3p0/#verification
    """
    what = WHAT[claimed.kind]
    subjects = list(_subjects(credential_of(subject.credential)))
    if claimed.kind == "email":
        identities = [entry for s in subjects for entry in _email_identities(s)]
        named, where = bool(identities), "the recipient's email"
        matched = any(_email_matches(entry, claimed.value) for entry in identities)
    else:
        ids = [s["id"] for s in subjects if isinstance(s.get("id"), str)]
        named, where = bool(ids), "the recipient's id (credentialSubject.id)"
        matched = claimed.value in ids
    if matched:
        return Outcome("passed", "recipient_matched", f"{what} matches {where}")
    if not named:
        return Outcome(
            "failed",
            "recipient_not_named",
            f"the credential does not name its recipient the way {what} can be compared with",
        )
    return Outcome("failed", "recipient_mismatch", f"{what} does not match {where}")


def _subjects(credential: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
    found = credential.get("credentialSubject") if credential is not None else None
    for item in found if isinstance(found, list) else [found]:
        if isinstance(item, Mapping):
            yield item


def _email_identities(subject: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The subject's ``emailAddress`` IdentityObjects (one object or a list)."""
    found = subject.get("identifier")
    entries = found if isinstance(found, list) else [found]
    return [
        entry
        for entry in entries
        if isinstance(entry, Mapping)
        and entry.get("identityType") == "emailAddress"
        and isinstance(entry.get("identityHash"), str)
    ]


def _email_matches(entry: Mapping[str, Any], email: str) -> bool:
    forms = {email.strip(), normalize_email(email)}
    value = entry["identityHash"]
    if entry.get("hashed") is False:
        return value.strip().lower() in {form.lower() for form in forms}
    salt = entry.get("salt")
    salt = salt if isinstance(salt, str) else ""
    return any(identity_hash_matches(value, form, salt) for form in forms)
