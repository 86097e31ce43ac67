"""Recipients: who a credential is about, as OB 3.0 AchievementSubject fields.

An email is never published: it becomes a salted SHA-256 IdentityObject with a fresh salt per
credential. Emails are normalised first (trimmed, lower-cased) so that the learner can later
prove the match whatever case they type; the OB spec is silent on normalisation. A Wikimedia
username is published the same way (``identityType: userName``, hashed and salted), normalised
the way MediaWiki names users (``normalize_username``).

See: https://www.imsglobal.org/spec/ob/v3p0/#identityobject
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

RecipientKind = Literal["email", "did", "url", "wikimedia_username"]
KINDS: tuple[RecipientKind, ...] = ("email", "did", "url", "wikimedia_username")
# Kinds published only as a salted hash, and the IdentityObject type each is published as.
HASHED_KINDS: dict[RecipientKind, str] = {
    "email": "emailAddress",
    "wikimedia_username": "userName",
}
HASH_ALGORITHMS = ("sha256", "md5")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Characters MediaWiki refuses in page titles ($wgLegalTitleChars) and, for user names, also
# "/", "@" and ":" ($wgInvalidUsernameCharacters, subpages, interwiki prefixes).
USERNAME_FORBIDDEN = frozenset("#<>[]|{}/@:")
USERNAME_MAX_BYTES = 255
# MediaWiki reads these as spaces in titles, and drops the direction marks (MediaWikiTitleCodec).
_SPACES = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_DIRECTION_MARKS = re.compile("[\u200e\u200f\u202a-\u202e]")


class RecipientError(ValueError):
    pass


def normalize_email(email: str) -> str:
    normalized = email.strip().lower()
    if not _EMAIL.match(normalized) or len(normalized) > 320:
        raise RecipientError(f"'{email}' is not an email address")
    return normalized


def normalize_username(username: str) -> str:
    """A Wikimedia username as MediaWiki names the account: direction marks dropped, trimmed,
    underscores (and the Unicode spaces MediaWiki reads as spaces) as spaces, runs of spaces as
    one, the first character upper-cased; refused (``RecipientError``, the
    value not echoed) when empty, longer than 255 UTF-8 bytes, or holding a character MediaWiki
    forbids in user names (``# < > [ ] | { } / @ :`` and control characters).

    The first letter is upper-cased with Python's ``str.upper``; MediaWiki uses its own table,
    which keeps a letter whose upper case is two letters (``ß``, not ``SS``): so do we.
    See: https://www.mediawiki.org/wiki/Manual:Page_title
    """
    name = _SPACES.sub(" ", _DIRECTION_MARKS.sub("", username)).strip(" ")
    if not name:
        raise RecipientError("the username is empty")
    if len(name.encode()) > USERNAME_MAX_BYTES:
        raise RecipientError(f"the username is longer than {USERNAME_MAX_BYTES} bytes")
    if any(c in USERNAME_FORBIDDEN or unicodedata.category(c) == "Cc" for c in name):
        raise RecipientError(
            "the username holds a character MediaWiki does not allow in user names: "
            "# < > [ ] | { } / @ : or a control character"
        )
    first = name[0].upper()
    return (first if len(first) == 1 else name[0]) + name[1:]


def normalized(kind: RecipientKind, value: str) -> str:
    """The form of a hashed kind's value that is hashed (the email or username normalised)."""
    return normalize_email(value) if kind == "email" else normalize_username(value)


def identity_hash(identifier: str, salt: str, algorithm: str = "sha256") -> str:
    """``sha256$`` + hex SHA-256 of the UTF-8 identifier with the salt appended (``md5$`` and
    MD5 for ``algorithm="md5"``, which the spec still allows in IdentityHash values).

    See: https://www.imsglobal.org/spec/ob/v3p0/#identityhash
    """
    digest = hashlib.new(algorithm, (identifier + salt).encode(), usedforsecurity=False)
    return f"{algorithm}${digest.hexdigest()}"


def identity_hash_matches(identity_hash_value: str, identifier: str, salt: str) -> bool:
    """Whether an IdentityHash (``sha256$…`` or ``md5$…``, hex in either case) is the hash of
    ``identifier`` with ``salt`` appended; False for any other algorithm.

    See: https://www.imsglobal.org/spec/ob/v3p0/#identityhash
    """
    algorithm, _, digest = identity_hash_value.partition("$")
    if algorithm.lower() not in HASH_ALGORITHMS or not digest:
        return False
    expected = identity_hash(identifier, salt, algorithm.lower())
    return hmac.compare_digest(expected.partition("$")[2], digest.lower())


@dataclass(frozen=True)
class Recipient:
    """``value`` is the email, DID, URL or Wikimedia username; for an email or username hashed
    ahead of issuing (a batch row waiting for a worker), it is the IdentityHash and ``salt`` is
    set."""

    kind: RecipientKind
    value: str
    name: str | None = None
    salt: str | None = None

    @property
    def hashed(self) -> bool:
        return self.salt is not None

    def with_hashed_email(self, salt: str | None = None) -> Recipient:
        """This email (or username) recipient with the value replaced by its salted
        IdentityHash of the normalised value, ready to be kept until the credential is issued
        (a fresh salt unless one is given)."""
        if self.kind not in HASHED_KINDS or self.hashed:
            return self
        salt = salt or secrets.token_urlsafe(16)
        value = identity_hash(normalized(self.kind, self.value), salt)
        return Recipient(self.kind, value, self.name, salt)

    def subject_fields(self, salt: str | None = None) -> dict[str, Any]:
        """``id`` (DID or URL) or ``identifier`` (hashed email or username), plus the display
        name as a plain ``name`` IdentityObject when one was given."""
        identifiers: list[dict[str, Any]] = []
        fields: dict[str, Any] = {}
        if self.kind in HASHED_KINDS:
            hashed = self.with_hashed_email(salt)
            identifiers.append(
                {
                    "type": "IdentityObject",
                    "identityHash": hashed.value,
                    "identityType": HASHED_KINDS[self.kind],
                    "hashed": True,
                    "salt": hashed.salt,
                }
            )
        else:
            fields["id"] = self.value
        if self.name:
            identifiers.append(
                {
                    "type": "IdentityObject",
                    "identityHash": self.name,
                    "identityType": "name",
                    "hashed": False,
                }
            )
        if identifiers:
            fields["identifier"] = identifiers
        return fields
