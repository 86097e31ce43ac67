"""Recipients: who a credential is about, as OB 3.0 AchievementSubject fields.

An email is never published: it becomes a salted SHA-256 IdentityObject with a fresh salt per
credential. Emails are normalised first (trimmed, lower-cased) so that the learner can later
prove the match whatever case they type; the OB spec is silent on normalisation.

See: https://www.imsglobal.org/spec/ob/v3p0/#identityobject
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any, Literal

RecipientKind = Literal["email", "did", "url"]
KINDS: tuple[RecipientKind, ...] = ("email", "did", "url")
HASH_ALGORITHMS = ("sha256", "md5")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RecipientError(ValueError):
    pass


def normalize_email(email: str) -> str:
    normalized = email.strip().lower()
    if not _EMAIL.match(normalized) or len(normalized) > 320:
        raise RecipientError(f"'{email}' is not an email address")
    return normalized


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
    """``value`` is the email, DID or URL; for an email hashed ahead of issuing (a batch row
    waiting for a worker), it is the IdentityHash and ``salt`` is set."""

    kind: RecipientKind
    value: str
    name: str | None = None
    salt: str | None = None

    @property
    def hashed(self) -> bool:
        return self.salt is not None

    def with_hashed_email(self, salt: str | None = None) -> Recipient:
        """This email recipient with the email replaced by its salted IdentityHash, ready to
        be kept until the credential is issued (a fresh salt unless one is given)."""
        if self.kind != "email" or self.hashed:
            return self
        salt = salt or secrets.token_urlsafe(16)
        return Recipient("email", identity_hash(normalize_email(self.value), salt), self.name, salt)

    def subject_fields(self, salt: str | None = None) -> dict[str, Any]:
        """``id`` (DID or URL) or ``identifier`` (hashed email), plus the display name as a
        plain ``name`` IdentityObject when one was given."""
        identifiers: list[dict[str, Any]] = []
        fields: dict[str, Any] = {}
        if self.kind == "email":
            hashed = self.with_hashed_email(salt)
            identifiers.append(
                {
                    "type": "IdentityObject",
                    "identityHash": hashed.value,
                    "identityType": "emailAddress",
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
