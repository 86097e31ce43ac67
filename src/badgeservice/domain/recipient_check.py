"""The optional ``recipient`` check: is the credential about the person the caller names?

The caller gives an email address, a DID, a URL or a Wikimedia username as ``User:Name`` (the
wiki's own way of naming a user page; ``:`` is never part of a username) with the credential
(a Displayer certification item). An email is compared with each ``emailAddress``
IdentityObject of the subject, a username with each ``userName`` one: hashed ones by
recomputing ``alg$hex(hash(value + salt))`` (the rule of ``domain.recipient``, which our
issuance hashes with; values normalised first, as issuance does, and also tried as given,
since other issuers may not normalise), plain ones (``hashed: false``) by comparing text. A DID
or URL is compared with ``credentialSubject.id``. The value the caller gave is never put in the
report ("the email you gave").

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
    normalize_username,
)
from badgeservice.vc import ExtraCheck, Outcome, Subject

__all__ = ["ClaimedRecipient", "claimed_recipient", "recipient_check"]

_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%/#?-]+$")
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
MAX_LENGTH = 2048
_USER_PAGE = re.compile(r"^user:", re.IGNORECASE)
WHAT = {
    "email": "the email you gave",
    "did": "the DID you gave",
    "url": "the URL you gave",
    "wikimedia_username": "the username you gave",
}
IDENTITY_TYPES = {"email": "emailAddress", "wikimedia_username": "userName"}
WHERE = {"email": "the recipient's email", "wikimedia_username": "the recipient's username"}


@dataclass(frozen=True)
class ClaimedRecipient:
    """Who the caller says the credential is about (never shown back)."""

    kind: RecipientKind
    value: str

    def __repr__(self) -> str:  # keep the email out of logs and tracebacks
        return f"ClaimedRecipient(kind={self.kind!r})"


def claimed_recipient(value: str) -> ClaimedRecipient:
    """An email, a DID, an http(s) URL or ``User:Name``; raises RecipientError (without
    echoing the value)."""
    text = value.strip()
    if len(text) > MAX_LENGTH:
        raise RecipientError("the recipient is too long")
    if _USER_PAGE.match(text):
        return ClaimedRecipient("wikimedia_username", normalize_username(text[len("user:") :]))
    if _DID.match(text):
        return ClaimedRecipient("did", text)
    if _URL.match(text):
        return ClaimedRecipient("url", text)
    try:
        normalize_email(text)
    except RecipientError:
        raise RecipientError(
            "the recipient is not an email address, a DID or a URL (or User:Name for a "
            "Wikimedia username)"
        ) from None
    return ClaimedRecipient("email", text)


def recipient_check(claimed: ClaimedRecipient) -> ExtraCheck:
    """The ``recipient`` check for this claimed recipient, run after ``status``."""
    return ExtraCheck(
        id="recipient", run=lambda subject: check_recipient(subject, claimed), after="bundled"
    )


def check_recipient(subject: Subject, claimed: ClaimedRecipient) -> Outcome:
    """``passed`` when an identifier of the credential's subject matches ``claimed``,
    ``failed`` when none does (required: the caller asked).

    See: https://www.imsglobal.org/spec/ob/v3p0/#verification
    """
    what = WHAT[claimed.kind]
    subjects = list(_subjects(credential_of(subject.credential)))
    if claimed.kind in IDENTITY_TYPES:
        wanted = IDENTITY_TYPES[claimed.kind]
        identities = [entry for s in subjects for entry in _identities(s, wanted)]
        named, where = bool(identities), WHERE[claimed.kind]
        forms = _forms(claimed)
        fold = claimed.kind == "email"  # emails compare without case; usernames exactly
        matched = any(_matches(entry, forms, fold=fold) for entry in identities)
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


def _identities(subject: Mapping[str, Any], identity_type: str) -> list[Mapping[str, Any]]:
    """The subject's IdentityObjects of one ``identityType`` (one object or a list)."""
    found = subject.get("identifier")
    entries = found if isinstance(found, list) else [found]
    return [
        entry
        for entry in entries
        if isinstance(entry, Mapping)
        and entry.get("identityType") == identity_type
        and isinstance(entry.get("identityHash"), str)
    ]


def _forms(claimed: ClaimedRecipient) -> set[str]:
    """The claimed value as given and normalised (a username arrives normalised already)."""
    if claimed.kind == "email":
        return {claimed.value.strip(), normalize_email(claimed.value)}
    return {claimed.value}


def _matches(entry: Mapping[str, Any], forms: set[str], *, fold: bool) -> bool:
    value = entry["identityHash"]
    if entry.get("hashed") is False:
        if not fold:
            return value.strip() in forms
        return value.strip().lower() in {form.lower() for form in forms}
    salt = entry.get("salt")
    salt = salt if isinstance(salt, str) else ""
    return any(identity_hash_matches(value, form, salt) for form in forms)
