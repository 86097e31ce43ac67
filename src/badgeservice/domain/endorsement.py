"""The unsigned EndorsementCredential: an issuer's signed claim about an achievement, a profile
or a credential (DESIGN.md §2 profile: the two OB contexts, arrays for types, whole seconds).

See: https://www.imsglobal.org/spec/ob/v3p0/#endorsementcredential
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badgeservice.domain.documents import OB_CONTEXTS
from badgeservice.vc import format_datetime

__all__ = ["EndorsementContent", "build_endorsement"]


@dataclass(frozen=True)
class EndorsementContent:
    url: str
    issuer: dict[str, Any]
    subject_id: str
    name: str
    valid_from: datetime
    comment: str | None = None
    description: str | None = None
    valid_until: datetime | None = None
    status: dict[str, Any] | None = None


def build_endorsement(content: EndorsementContent) -> dict[str, Any]:
    """``credentialSubject`` is an EndorsementSubject whose ``id`` is the endorsed thing's id.

    See: https://www.imsglobal.org/spec/ob/v3p0/#endorsementsubject
    """
    subject: dict[str, Any] = {"id": content.subject_id, "type": ["EndorsementSubject"]}
    if content.comment:
        subject["endorsementComment"] = content.comment
    credential: dict[str, Any] = {
        "@context": list(OB_CONTEXTS),
        "id": content.url,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": content.name,
    }
    if content.description:
        credential["description"] = content.description
    credential |= {
        "issuer": content.issuer,
        "validFrom": format_datetime(content.valid_from),
        "credentialSubject": subject,
    }
    if content.valid_until is not None:
        credential["validUntil"] = format_datetime(content.valid_until)
    if content.status is not None:
        credential["credentialStatus"] = content.status
    return credential
