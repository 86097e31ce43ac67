"""Signed-in browsers: server-side sessions behind an opaque cookie.

The cookie holds a random secret; the database keeps only its SHA-256 (a copied database signs
no one in). Each session has its own CSRF token, sent back in every form it renders and checked
on every POST (``check_csrf``). Finding a session only reads: a GET stays read-only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from badgeservice.db.models import User, WebSession

COOKIE_NAME = "badgeservice_session"
LIFETIME = timedelta(days=30)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start(session: Session, user: User, now: datetime) -> tuple[str, WebSession]:
    """A new session for ``user``: the cookie's secret (shown once) and the stored row."""
    secret = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=_hash(secret),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=now + LIFETIME,
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    return secret, row


def find(session: Session, secret: str | None, now: datetime) -> tuple[WebSession, User] | None:
    """The live session named by a cookie's secret and its user; ``None`` for no cookie, an
    unknown secret or an expired session."""
    if not secret or len(secret) > 128:
        return None
    found = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == _hash(secret))
    ).first()
    if found is None or found[0].expires_at <= now:
        return None
    return found[0], found[1]


def end(session: Session, secret: str | None) -> None:
    """Signs out: the session's row is deleted (the cookie is then worthless)."""
    if secret:
        session.execute(delete(WebSession).where(WebSession.token_hash == _hash(secret)))


def check_csrf(web_session: WebSession, submitted: str | None) -> bool:
    """Whether a form carried this session's CSRF token (compared in constant time)."""
    return bool(submitted) and hmac.compare_digest(web_session.csrf_token, str(submitted))
