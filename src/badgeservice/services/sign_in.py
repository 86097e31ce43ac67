"""Signing in: the OAuth state kept between the two legs, one-time email links, and the
account a proven identity belongs to (DESIGN.md §12).

- **Wikimedia**: the account is keyed on ``sub``. The first sign-in creates the ``User``, its
  ``UserIdentity`` (kind ``wikimedia``) and a ``RecipientClaim`` for the username's lookup
  hash (``issuance.lookup_of``); a later sign-in under a new name (a rename) updates the
  identity's ``username`` and adds a claim for the new name, the old claims stay.
- **A lookup already claimed by another account** stays with that account (the first to prove
  it): a username is reused on the wikis only after its holder was renamed, and what was issued
  to the name before belongs to that holder. The newcomer signs in without the claim.
- **Email links** work once, for 15 minutes; the database keeps only the SHA-256 of the
  token, and the address only until the link is used. Using a link is one conditional UPDATE,
  so two replicas never both accept it.

Services never commit: the route's unit of work does.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badgeservice.db.models import EmailLink, OAuthState, RecipientClaim, User, UserIdentity
from badgeservice.domain.recipient import normalize_email
from badgeservice.errors import ServiceError
from badgeservice.services import mail
from badgeservice.services.issuance import lookup_of
from badgeservice.services.keystore import KeyStore
from badgeservice.services.wikimedia import WikimediaProfile

STATE_LIFETIME = timedelta(minutes=10)
LINK_LIFETIME = timedelta(minutes=15)
LINK_MINUTES = 15
DEFAULT_NEXT = "/auth/sign-in"
PURPOSES = {"sign_in": "sign_in_link", "add_email": "add_email_link"}  # purpose → template
_SAFE_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$")
_HANDLE_CHARACTERS = re.compile(r"[^a-z0-9]+")


class SignInStateError(ServiceError):
    """The callback's ``state`` is unknown, spent, expired or not this browser's."""

    status, code, title = 400, "sign_in_state_invalid", "The sign-in could not be matched"


class EmailLinkInvalidError(ServiceError):
    status, code, title = 400, "email_link_invalid", "The link has expired or was used"


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a path on this site only (never ``//host`` or a URL)."""
    if path and len(path) <= 500 and _SAFE_PATH.match(path):
        return path
    return DEFAULT_NEXT


# --- Wikimedia: the state between the two legs -----------------------------------------------


def begin_wikimedia(
    session: Session, verifier: str, next_path: str | None, now: datetime
) -> tuple[str, OAuthState]:
    """A new ``state`` (returned once, sent to the provider) kept with the PKCE verifier."""
    state = secrets.token_urlsafe(32)
    session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
    row = OAuthState(
        state_hash=token_hash(state),
        code_verifier=verifier,
        next_path=safe_next(next_path),
        expires_at=now + STATE_LIFETIME,
    )
    session.add(row)
    session.flush()
    return state, row


def take_state(
    session: Session, state: str | None, browser_state: str | None, now: datetime
) -> tuple[str, str]:
    """The verifier and next path of a callback's ``state``, used up (deleted) whatever comes
    next. Refused: no state, one this browser did not start (its cookie), unknown, spent or
    older than 10 minutes."""
    if not state or len(state) > 128 or not browser_state:
        raise SignInStateError("The sign-in state is missing.")
    if not hmac.compare_digest(state.encode(), browser_state.encode()):
        raise SignInStateError("The sign-in was not started in this browser.")
    row = session.scalar(select(OAuthState).where(OAuthState.state_hash == token_hash(state)))
    if row is None:
        raise SignInStateError("The sign-in state is unknown or was used.")
    deleted = session.execute(delete(OAuthState).where(OAuthState.id == row.id))
    if deleted.rowcount != 1:  # type: ignore[attr-defined]  # another request used it first
        raise SignInStateError("The sign-in state was used.")
    if row.expires_at <= now:
        raise SignInStateError("The sign-in took longer than 10 minutes.")
    return row.code_verifier, row.next_path


def sign_in_wikimedia(
    session: Session, key_store: KeyStore, profile: WikimediaProfile, language: str, now: datetime
) -> User:
    """The account of ``profile.sub`` (created on first sign-in), its current username and
    claims brought up to date."""
    identity = session.scalar(
        select(UserIdentity).where(
            UserIdentity.kind == "wikimedia", UserIdentity.subject == profile.sub
        )
    )
    if identity is None:
        user = _new_user(session, profile.username, _handle_base(profile.username), language)
        identity = UserIdentity(
            user_id=user.id,
            kind="wikimedia",
            subject=profile.sub,
            username=profile.username,
            verified_at=now,
        )
        session.add(identity)
        session.flush()
    else:
        user = session.get_one(User, identity.user_id)
        identity.username, identity.verified_at = profile.username, now
    claim(session, user, identity, lookup_of(key_store, "wikimedia_username", profile.username))
    if profile.email:
        _add_email(session, key_store, user, profile.email, now)
    user.last_sign_in_at = now
    session.flush()
    return user


# --- email links ------------------------------------------------------------------------------


def send_link(
    session: Session,
    *,
    address: str,
    purpose: str,
    base_url: str,
    language: str,
    now: datetime,
    next_path: str | None = None,
    user: User | None = None,
    link_path: str = "/auth/email",
) -> EmailLink:
    """A one-time link for ``address`` (normalised), mailed through the outbox as
    ``{base_url}{link_path}/{token}`` (the route that confirms links of this ``purpose``)."""
    secret = secrets.token_urlsafe(32)
    email = normalize_email(address)
    session.execute(delete(EmailLink).where(EmailLink.expires_at < now - timedelta(days=1)))
    link = EmailLink(
        token_hash=token_hash(secret),
        purpose=purpose,
        email=email,
        user_id=user.id if user is not None else None,
        next_path=safe_next(next_path),
        expires_at=now + LINK_LIFETIME,
    )
    session.add(link)
    mail.enqueue(
        session,
        to=email,
        template=PURPOSES[purpose],
        language=language,
        context={"url": f"{base_url}{link_path}/{secret}", "minutes": LINK_MINUTES},
        now=now,
    )
    session.flush()
    return link


def find_link(session: Session, secret: str, now: datetime) -> EmailLink:
    """The unused, unexpired link of ``secret`` (only reads: the confirm page's GET)."""
    link = session.scalar(select(EmailLink).where(EmailLink.token_hash == token_hash(secret)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise EmailLinkInvalidError("This link has expired or was used already.")
    return link


def use_link(session: Session, secret: str, purpose: str, now: datetime) -> tuple[str, EmailLink]:
    """Uses the link up (once, whatever replica asks) and returns its address; the row keeps
    no address afterwards."""
    link = find_link(session, secret, now)
    if link.purpose != purpose or link.email is None:
        raise EmailLinkInvalidError("This link is not for this.")
    email = link.email
    used = session.execute(
        update(EmailLink)
        .where(EmailLink.id == link.id, EmailLink.used_at.is_(None), EmailLink.expires_at > now)
        .values(used_at=now, email=None)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise EmailLinkInvalidError("This link has expired or was used already.")
    session.refresh(link)
    return email, link


def sign_in_email(
    session: Session, key_store: KeyStore, email: str, language: str, now: datetime
) -> User:
    """The account whose verified email this is (created on first sign-in)."""
    lookup = lookup_of(key_store, "email", email)
    identity = session.scalar(
        select(UserIdentity).where(UserIdentity.kind == "email", UserIdentity.subject == lookup)
    )
    if identity is None:
        user = _new_user(session, "", "learner", language)
        _add_email(session, key_store, user, email, now)
    else:
        user = session.get_one(User, identity.user_id)
        identity.verified_at = now
    user.last_sign_in_at = now
    session.flush()
    return user


# --- accounts ---------------------------------------------------------------------------------


def claim(session: Session, user: User, identity: UserIdentity, lookup: str) -> bool:
    """Adds ``lookup`` to the user's claims; ``False`` when another account holds it (it
    stays theirs; see the module docstring)."""
    holder = session.scalar(select(RecipientClaim.user_id).where(RecipientClaim.lookup == lookup))
    if holder is not None:
        return holder == user.id
    try:
        with session.begin_nested():
            session.add(RecipientClaim(user_id=user.id, identity_id=identity.id, lookup=lookup))
    except IntegrityError:  # claimed at the same moment by another request
        return False
    return True


def _add_email(
    session: Session, key_store: KeyStore, user: User, email: str, now: datetime
) -> UserIdentity | None:
    """A verified email identity and its claim, unless another account has it already."""
    lookup = lookup_of(key_store, "email", email)
    existing = session.scalar(
        select(UserIdentity).where(UserIdentity.kind == "email", UserIdentity.subject == lookup)
    )
    if existing is not None:
        if existing.user_id == user.id:
            existing.verified_at = now
            return existing
        return None
    identity = UserIdentity(
        user_id=user.id, kind="email", subject=lookup, email=normalize_email(email), verified_at=now
    )
    session.add(identity)
    session.flush()
    claim(session, user, identity, lookup)
    return identity


def _handle_base(username: str) -> str:
    """A profile handle from a username (``Ada Lovelace`` → ``ada-lovelace``); ``learner``
    when nothing of it is ASCII. The profile stays private until the learner opens it."""
    return _HANDLE_CHARACTERS.sub("-", username.lower()).strip("-")[:40] or "learner"


def _new_user(session: Session, display_name: str, base: str, language: str) -> User:
    handle = base if base != "learner" else f"learner-{secrets.token_hex(4)}"
    taken = set(session.scalars(select(User.handle).where(User.handle.startswith(base))))
    number = 2
    while handle in taken:
        handle, number = f"{base}-{number}", number + 1
    user = User(handle=handle, display_name=display_name, language=language, profile_public=False)
    session.add(user)
    session.flush()
    return user
