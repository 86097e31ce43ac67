"""Previews: the credential an achievement would be issued as, before it is saved (the
console's editor shows it on the credential page). Nothing is allocated, signed or stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from badgeservice.db.models import Issuer
from badgeservice.domain.achievement import AchievementDefinition
from badgeservice.domain.recipient import Recipient
from badgeservice.domain.urls import credential_url
from badgeservice.services.issuance import IssueRequest, unsigned_credential

# The credential a preview shows has no id of its own.
PREVIEW_ID = uuid.UUID(int=0)
PREVIEW_RECIPIENT = "https://example.org/preview"


def preview_credential(
    issuer: Issuer,
    definition: AchievementDefinition,
    language: str,
    recipient_name: str,
    *,
    base_url: str,
    now: datetime,
) -> dict[str, Any]:
    """The unsigned credential ``definition`` would be issued as in ``language`` (its
    default language when it has none), to a stand-in recipient called ``recipient_name``,
    valid from ``now``."""
    request = IssueRequest(
        recipient=Recipient("url", PREVIEW_RECIPIENT, recipient_name), language=language
    )
    url = credential_url(base_url, PREVIEW_ID)
    return unsigned_credential(issuer, definition, request, url, now.replace(microsecond=0))
