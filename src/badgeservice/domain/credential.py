"""The unsigned OpenBadgeCredential, exactly in the profile of DESIGN.md §2.

See: https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from badgeservice.domain.documents import OB_CONTEXTS
from badgeservice.domain.recipient import Recipient
from badgeservice.vc import build_status_entry, format_datetime

__all__ = [
    "CredentialContent",
    "build_credential",
    "build_status_entry",
    "credential_of",
    "format_datetime",
]


@dataclass(frozen=True)
class CredentialContent:
    url: str
    issuer: dict[str, Any]
    achievement: dict[str, Any]
    recipient: Recipient
    valid_from: datetime
    valid_until: datetime | None = None
    narrative: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    status: dict[str, Any] | None = None
    salt: str | None = None


def build_credential(content: CredentialContent) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        **content.recipient.subject_fields(content.salt),
        "achievement": content.achievement,
    }
    if content.narrative:
        subject["narrative"] = content.narrative
    if content.results:
        subject["result"] = [{"type": ["Result"], **r} for r in content.results]
    credential: dict[str, Any] = {
        "@context": list(OB_CONTEXTS),
        "id": content.url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": content.achievement["name"],
        "issuer": content.issuer,
        "validFrom": format_datetime(content.valid_from),
        "credentialSubject": subject,
    }
    if content.valid_until is not None:
        credential["validUntil"] = format_datetime(content.valid_until)
    if content.evidence:
        credential["evidence"] = [{"type": ["Evidence"], **e} for e in content.evidence]
    if content.status is not None:
        credential["credentialStatus"] = content.status
    return credential


def credential_of(payload: Any) -> dict[str, Any] | None:
    """The credential in what a verifier read: the document itself, or the ``vc`` claim of a
    VC 1.1-style JWT payload (which has no ``@context`` of its own); None for a non-object.

    See: https://www.w3.org/TR/vc-data-model-1.1/#jwt-encoding
    """
    if not isinstance(payload, Mapping):
        return None
    wrapped = payload.get("vc")
    if "@context" not in payload and isinstance(wrapped, Mapping):
        return dict(wrapped)
    return dict(payload)
