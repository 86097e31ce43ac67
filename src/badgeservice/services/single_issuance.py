"""Issuing one credential on request (the API's ``POST …/credentials`` and the console's
"one person" form): the idempotent replay, ``skipExisting``, the issuing itself and the mail
to the recipient, in the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Issuer
from badgeservice.services import achievements, credentials, issuance, mail
from badgeservice.services.idempotency import IdempotentRequest
from badgeservice.services.keystore import KeyStore
from badgeservice.settings import Settings


@dataclass(frozen=True)
class Issued:
    """The credential a request answers with. ``created``: issued now (not a replay of an
    earlier request with the key, nor one the recipient held under ``skipExisting``).
    ``held``: an active credential of the achievement the recipient held before."""

    credential: Credential
    created: bool
    held: uuid.UUID | None = None


def issue_one(
    session: Session,
    settings: Settings,
    issuer: Issuer,
    fields: dict[str, Any],
    attempt: IdempotentRequest,
    *,
    actor: str,
    key_store: KeyStore,
    now: datetime,
) -> Issued:
    """One credential from a request's validated wire fields (camelCase: ``achievementId``,
    ``recipient``, ``skipExisting``, ``notify`` and what ``request_from_fields`` reads)."""
    replay = attempt.replay(session)
    if replay is not None:
        return Issued(credentials.get_credential(session, issuer, replay), created=False)
    achievement_id = uuid.UUID(str(fields["achievementId"]))
    achievement = achievements.get_issuable(session, issuer, achievement_id)
    request = issuance.request_from_fields(fields)
    held = issuance.find_held(session, key_store, issuer, achievement, request.recipient, now=now)
    if held is not None and fields.get("skipExisting"):
        existing = credentials.get_credential(session, issuer, held)
        return Issued(existing, created=False, held=held)
    context = issuance.IssueContext(settings.base_url, key_store, actor, now)
    credential = issuance.issue_credential(session, issuer, achievement, request, context)
    email = request.recipient.value if request.recipient.kind == "email" else None
    asked = bool(fields.get("notify", True))
    mail.notify_issued(session, settings, issuer, credential, email=email, now=now, asked=asked)
    attempt.remember(session, credential.id)
    return Issued(credential, created=True, held=held)
