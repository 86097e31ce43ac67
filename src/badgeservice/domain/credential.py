"""The unsigned OpenBadgeCredential, exactly in the profile of DESIGN.md §2.

See: https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from badgeservice.domain.documents import OB_CONTEXTS
from badgeservice.domain.recipient import Recipient
from badgeservice.vc.proofs import format_datetime
from badgeservice.vc.statuslist import build_status_entry

__all__ = ["CredentialContent", "build_credential", "build_status_entry", "format_datetime"]


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
