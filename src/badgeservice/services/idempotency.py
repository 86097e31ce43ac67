"""``Idempotency-Key``: a retried request with the same key and body returns what the first
one created; the same key with another body is refused; two concurrent requests with one key
create one resource (the unique key makes the second transaction fail and roll back whole).

See: https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badgeservice.db.models import IdempotencyKey, Issuer
from badgeservice.errors import ConflictError, ValidationFailedError

MAX_KEY_LENGTH = 200


class IdempotencyKeyInUseError(ConflictError):
    code, title = "idempotency_key_in_use", "A request with this Idempotency-Key is in progress"


class IdempotencyKeyMismatchError(ValidationFailedError):
    code, title = "idempotency_key_mismatch", "This Idempotency-Key was used with another request"


def request_hash(body: Any, query: dict[str, Any] | None = None) -> str:
    """SHA-256 of the request: raw bytes as they are, JSON bodies in a canonical form, and
    the query parameters when they carry part of it (a CSV batch's achievement and options),
    so that the same key with another query is refused too."""
    data = body if isinstance(body, bytes) else json.dumps(body, sort_keys=True).encode()
    if query:
        data = json.dumps(query, sort_keys=True).encode() + b"\n" + data
    return hashlib.sha256(data).hexdigest()


def find_replay(
    session: Session, issuer: Issuer, key: str, digest: str, resource_type: str
) -> uuid.UUID | None:
    """The resource a previous request with this key created, or ``None`` for a new key."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailedError(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    row = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.issuer_id == issuer.id, IdempotencyKey.key == key
        )
    )
    if row is None:
        return None
    if row.request_hash != digest or row.resource_type != resource_type:
        raise IdempotencyKeyMismatchError()
    return row.resource_id


def remember(
    session: Session,
    issuer: Issuer,
    key: str,
    digest: str,
    resource_type: str,
    resource_id: uuid.UUID,
) -> None:
    try:
        with session.begin_nested():
            session.add(
                IdempotencyKey(
                    issuer_id=issuer.id,
                    key=key,
                    request_hash=digest,
                    resource_type=resource_type,
                    resource_id=resource_id,
                )
            )
    except IntegrityError as exc:
        raise IdempotencyKeyInUseError() from exc


@dataclass(frozen=True)
class IdempotentRequest:
    """A creating request and its optional key: the one flow of every endpoint that takes an
    ``Idempotency-Key`` (``replay`` before creating, ``remember`` after, in one transaction)."""

    issuer: Issuer
    key: str | None
    digest: str
    resource_type: str

    def replay(self, session: Session) -> uuid.UUID | None:
        """What the first request with this key created; ``None`` without a key or for a new one."""
        if self.key is None:
            return None
        return find_replay(session, self.issuer, self.key, self.digest, self.resource_type)

    def remember(self, session: Session, resource_id: uuid.UUID) -> None:
        if self.key is not None:
            remember(session, self.issuer, self.key, self.digest, self.resource_type, resource_id)


def idempotent_request(
    issuer: Issuer,
    key: str | None,
    resource_type: str,
    body: Any,
    query: dict[str, Any] | None = None,
) -> IdempotentRequest:
    return IdempotentRequest(issuer, key, request_hash(body, query), resource_type)
