"""Signed-in browsers for tests: a user with a verified email and a session cookie."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.clock import SystemClock
from badgeservice.db.models import RecipientClaim, User, UserIdentity
from badgeservice.domain.recipient import normalize_email
from badgeservice.services import web_sessions
from tests.factories import KEY_STORE


def add_email(session: Session, user: User, email: str, lookup: str, now: datetime) -> None:
    """``email`` as a verified address of ``user``, and the claim that brings its credentials
    (``lookup``: the address's hash by the key store in use) into the backpack."""
    identity = UserIdentity(
        user_id=user.id, kind="email", subject=lookup, email=email, verified_at=now
    )
    session.add(identity)
    session.flush()
    session.add(RecipientClaim(user_id=user.id, identity_id=identity.id, lookup=lookup))


def sign_in_as(
    client: TestClient, session: Session, email: str, handle: str, name: str | None = None
) -> User:
    """A user whose verified email is ``email``, signed in on ``client``."""
    now = SystemClock().now()
    user = User(handle=handle, display_name=name or handle.title(), profile_public=False)
    session.add(user)
    session.flush()
    add_email(session, user, email, KEY_STORE.lookup_hash(normalize_email(email)), now)
    secret, _row = web_sessions.start(session, user, now)
    session.commit()
    client.cookies.set(web_sessions.COOKIE_NAME, secret)
    return user
