"""Bearer tokens: creation (secret shown once, only a hash stored), authentication, scopes,
last use, listing, revocation.

``last_used_at`` is kept to the minute: ``authenticate`` (which only reads) says when the stored
value is a minute old or more, and ``record_use`` writes it with a conditional UPDATE (so
concurrent requests and replicas write it once). The request edge does that in a transaction
of its own, begun by the write, before the endpoint runs (``http/deps.py``): a GET does not
carry a write in its own transaction, and a busy token costs one small write a minute."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from badgeservice.db.models import ApiToken, Issuer
from badgeservice.errors import (
    InvalidTokenError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailedError,
)
from badgeservice.services.audit import record_event

ADMIN_SCOPE = "admin"
ISSUER_SCOPES = (
    "issuer:read",
    "issuer:write",
    "achievements:read",
    "achievements:write",
    "credentials:read",
    "credentials:issue",
    "credentials:revoke",
    "keys:manage",
    "members:manage",
    "tokens:manage",
)
TOKEN_PREFIX = "bst_"  # noqa: S105 (a marker, not a secret)
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(secret: str) -> str:
    # 256 random bits per token: a fast unsalted hash already makes a leaked table useless.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: an admin token or a token scoped to one issuer."""

    token_id: uuid.UUID | None
    issuer_id: uuid.UUID | None
    scopes: frozenset[str]
    # When the token's last use is a minute old or more: the time to record (``record_use``).
    use_to_record: datetime | None = None
    # A signed-in member acting in the console (``services/members.principal_of``).
    user_id: uuid.UUID | None = None

    @property
    def is_admin(self) -> bool:
        return ADMIN_SCOPE in self.scopes

    @property
    def actor(self) -> str:
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"token:{self.token_id}" if self.token_id else "cli"

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDeniedError("This operation needs an admin token.")

    def require_issuer(self, issuer: Issuer, scope: str) -> None:
        """Admins reach every issuer; issuer tokens only their own, and only with the scope."""
        if self.is_admin:
            return
        if self.issuer_id != issuer.id:
            # Do not reveal that another tenant's resource exists.
            raise NotFoundError(f"Issuer '{issuer.slug}' not found.")
        if scope not in self.scopes:
            raise PermissionDeniedError(f"The token lacks the '{scope}' scope.", scope=scope)


CLI_PRINCIPAL = Principal(token_id=None, issuer_id=None, scopes=frozenset({ADMIN_SCOPE}))


def create_token(
    session: Session,
    *,
    name: str,
    actor: str,
    issuer: Issuer | None = None,
    scopes: Iterable[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the secret, which is never stored or shown again."""
    chosen = _check_scopes(issuer, list(scopes) if scopes is not None else None)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:12],
        issuer_id=issuer.id if issuer else None,
        scopes=chosen,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        action="token.created",
        actor=actor,
        subject_type="api_token",
        subject_id=str(token.id),
        issuer_id=token.issuer_id,
        details={"name": name, "scopes": chosen},
    )
    return token, secret


def grant_token(
    session: Session,
    principal: Principal,
    issuer: Issuer,
    *,
    name: str,
    scopes: Iterable[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A token of ``issuer`` made by ``principal``: an admin, or a caller with
    ``tokens:manage`` of the issuer that grants only scopes it holds itself (no escalation:
    403 otherwise; no scopes named means every issuer scope). The API's ``POST .../tokens``
    and the console's tokens page both create tokens here."""
    principal.require_issuer(issuer, "tokens:manage")
    chosen = _check_scopes(issuer, list(scopes) if scopes is not None else None)
    beyond = [] if principal.is_admin else sorted(set(chosen) - principal.scopes)
    if beyond:
        raise PermissionDeniedError(
            f"A token can only grant scopes its maker has; lacking: {', '.join(beyond)}.",
            scopes=beyond,
        )
    return create_token(
        session, name=name, actor=principal.actor, issuer=issuer, scopes=chosen,
        expires_at=expires_at,
    )  # fmt: skip


def _check_scopes(issuer: Issuer | None, scopes: list[str] | None) -> list[str]:
    if issuer is None:
        return [ADMIN_SCOPE]
    if not scopes:
        return list(ISSUER_SCOPES)
    unknown = sorted(set(scopes) - set(ISSUER_SCOPES))
    if unknown:
        raise ValidationFailedError(
            f"Unknown scopes: {', '.join(unknown)}. Known: {', '.join(ISSUER_SCOPES)}."
        )
    return sorted(set(scopes))


def authenticate(session: Session, secret: str, *, now: datetime) -> Principal:
    """The caller of ``secret`` at ``now`` (expiry and last use are judged then)."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        raise InvalidTokenError()
    if token.expires_at is not None and token.expires_at <= now:
        raise InvalidTokenError("The bearer token has expired.")
    stale = token.last_used_at is None or token.last_used_at <= now - LAST_USED_PRECISION
    return Principal(
        token_id=token.id,
        issuer_id=token.issuer_id,
        scopes=frozenset(token.scopes),
        use_to_record=now if stale else None,
    )


def record_use(session: Session, principal: Principal) -> None:
    """Write the token's last use when ``authenticate`` found it stale (a conditional UPDATE:
    concurrent requests and replicas write it once)."""
    now = principal.use_to_record
    if now is None or principal.token_id is None:
        return
    stale = or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_PRECISION)
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == principal.token_id, stale)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def list_tokens(
    session: Session, issuer: Issuer, *, limit: int, offset: int
) -> tuple[list[ApiToken], int]:
    """The issuer's tokens, newest first, revoked and expired ones included."""
    where = ApiToken.issuer_id == issuer.id
    total = session.scalar(select(func.count()).select_from(ApiToken).where(where)) or 0
    query = select(ApiToken).where(where).order_by(ApiToken.created_at.desc(), ApiToken.id)
    return list(session.scalars(query.limit(limit).offset(offset))), total


def revoke_token(
    session: Session,
    token_id: uuid.UUID,
    *,
    actor: str,
    now: datetime,
    issuer: Issuer | None = None,
) -> ApiToken:
    """Revoke a token; with ``issuer``, only a token of that issuer."""
    token = session.get(ApiToken, token_id)
    if token is None or (issuer is not None and token.issuer_id != issuer.id):
        raise NotFoundError(f"Token {token_id} not found.")
    if token.revoked_at is None:
        token.revoked_at = now
        record_event(
            session,
            action="token.revoked",
            actor=actor,
            subject_type="api_token",
            subject_id=str(token.id),
            issuer_id=token.issuer_id,
        )
        session.flush()
    return token
