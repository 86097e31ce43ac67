"""What an issued credential claims about skills: the ``targetUrl`` of each ``Alignment`` of
its achievement as signed, kept in ``credential_alignments`` for the skills map and the
backpack (migration 0015 filled it for the credentials issued before)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import CredentialAlignment

MAX_URL_LENGTH = 2048


def target_urls(document: dict[str, Any]) -> list[str]:
    """The distinct alignment target URLs of a credential's achievement, in order."""
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    alignments = achievement.get("alignment") if isinstance(achievement, dict) else None
    urls: list[str] = []
    for alignment in alignments if isinstance(alignments, list) else []:
        url = alignment.get("targetUrl") if isinstance(alignment, dict) else None
        if isinstance(url, str) and 0 < len(url) <= MAX_URL_LENGTH and url not in urls:
            urls.append(url)
    return urls


def record(session: Session, credential_id: uuid.UUID, document: dict[str, Any]) -> None:
    session.add_all(
        CredentialAlignment(credential_id=credential_id, target_url=url)
        for url in target_urls(document)
    )
