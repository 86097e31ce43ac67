"""Issuers (tenants): creation, look-up and changes to their profile."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer
from badgeservice.domain.issuer import is_valid_slug
from badgeservice.domain.profile import build_profile
from badgeservice.domain.urls import image_url, issuer_did
from badgeservice.errors import FieldError, NotFoundError, SlugTakenError, ValidationFailedError
from badgeservice.services import keys
from badgeservice.services.audit import record_issuer_event
from badgeservice.services.images import store_image
from badgeservice.services.keystore import KeyStore


def find_issuer(session: Session, slug: str) -> Issuer | None:
    return session.scalar(select(Issuer).where(Issuer.slug == slug))


def find_issuer_by_did(session: Session, did: str) -> Issuer | None:
    return session.scalar(select(Issuer).where(Issuer.did == did))


def get_issuer(session: Session, slug: str) -> Issuer:
    issuer = find_issuer(session, slug)
    if issuer is None:
        raise NotFoundError(f"Issuer '{slug}' not found.")
    return issuer


def profile(issuer: Issuer) -> dict[str, Any]:
    """The issuer's OB Profile (the ``issuer`` of its credentials)."""
    return build_profile(
        did=issuer.did,
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        description=issuer.description,
        image=issuer.image,
    )


def list_issuers(session: Session, *, limit: int = 50, offset: int = 0) -> list[Issuer]:
    query = select(Issuer).order_by(Issuer.slug).limit(limit).offset(offset)
    return list(session.scalars(query))


def create_issuer(
    session: Session,
    *,
    slug: str,
    name: str,
    base_url: str,
    actor: str,
    key_store: KeyStore,
    url: str | None = None,
    email: str | None = None,
    description: str | None = None,
    image: str | None = None,
    jwt_algorithm: str = keys.DEFAULT_JWT_ALGORITHM,
    notify_recipients: bool = True,
    notify_accounts: bool = False,
) -> Issuer:
    _check_jwt_algorithm(jwt_algorithm)
    if not is_valid_slug(slug):
        raise ValidationFailedError(
            errors=[FieldError("/slug", "Use a-z, 0-9 and inner hyphens, at most 64.", "pattern")]
        )
    if find_issuer(session, slug) is not None:
        raise SlugTakenError(f"An issuer with slug '{slug}' already exists.", slug=slug)
    issuer = Issuer(
        slug=slug,
        name=name,
        did=issuer_did(base_url, slug),
        url=url,
        email=email,
        description=description,
        image=image,
        jwt_algorithm=jwt_algorithm,
        notify_recipients=notify_recipients,
        notify_accounts=notify_accounts,
    )
    session.add(issuer)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # a concurrent request took the slug after our check
        raise SlugTakenError(f"An issuer with slug '{slug}' already exists.", slug=slug) from exc
    record_issuer_event(session, issuer, "issuer.created", actor=actor, details={})
    keys.create_keys(session, issuer, key_store, actor=actor)
    return issuer


#: The Profile members an issuer changes with ``issuer:write`` (``jwt_algorithm`` needs
#: ``keys:manage``: it chooses a signing key).
PROFILE_FIELDS = ("name", "url", "email", "description", "image")


def update_profile(session: Session, issuer: Issuer, fields: dict[str, Any], *, actor: str) -> None:
    """Set the Profile members in ``fields`` (validated; None clears one). Credentials issued
    before keep the profile they were signed with; the public Profile document changes.
    Audited with the names of the members that changed (not their values: an email is
    personal data)."""
    changed = sorted(f for f in PROFILE_FIELDS if f in fields and fields[f] != getattr(issuer, f))
    if not changed:
        return
    for name in changed:
        setattr(issuer, name, fields[name])
    session.flush()
    record_issuer_event(
        session, issuer, "issuer.updated", actor=actor, details={"changed": changed}
    )


#: Whether the issuer's recipients are told by mail (``services/mail.recipient_address``).
MAIL_FIELDS = ("notify_recipients", "notify_accounts")


def update_mail_options(
    session: Session, issuer: Issuer, fields: dict[str, Any], *, actor: str
) -> None:
    """Set the mail options in ``fields``; audited with their new values (they name no one)."""
    changed = {f: fields[f] for f in MAIL_FIELDS if f in fields and fields[f] != getattr(issuer, f)}
    if not changed:
        return
    for name, value in changed.items():
        setattr(issuer, name, value)
    session.flush()
    record_issuer_event(session, issuer, "issuer.updated", actor=actor, details=changed)


def set_issuer_image(
    session: Session, issuer: Issuer, content: bytes, base_url: str, *, actor: str
) -> None:
    """Store an uploaded logo (PNG or SVG, the rules of achievement images) and make it the
    Profile's ``image``."""
    image = store_image(session, issuer.id, content)
    update_profile(session, issuer, {"image": image_url(base_url, image.id)}, actor=actor)


def set_jwt_algorithm(
    session: Session, issuer: Issuer, algorithm: str, key_store: KeyStore, *, actor: str
) -> None:
    """Sign the issuer's future VC-JWT credentials with ``algorithm`` (``ES256`` or ``RS256``),
    creating its key if it has no active one of that kind. Credentials issued before keep
    their algorithm and key, and keep verifying (retired and other keys stay published).

    See: https://www.imsglobal.org/spec/ob/v3p0/impl/#jwt-proof
    """
    _check_jwt_algorithm(algorithm)
    if algorithm == issuer.jwt_algorithm:
        return
    previous, issuer.jwt_algorithm = issuer.jwt_algorithm, algorithm
    session.flush()
    keys.ensure_signing_keys(session, issuer, key_store, actor=actor)
    record_issuer_event(
        session,
        issuer,
        "issuer.updated",
        actor=actor,
        details={"jwtAlgorithm": {"from": previous, "to": algorithm}},
    )


def _check_jwt_algorithm(algorithm: str) -> None:
    if algorithm not in keys.JWT_KEY_ALGORITHMS:
        choices = ", ".join(keys.JWT_KEY_ALGORITHMS)
        raise ValidationFailedError(
            errors=[FieldError("/jwtAlgorithm", f"Use one of {choices}.", "enum")]
        )
