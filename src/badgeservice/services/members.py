"""Issuer staff: members with a role, invited by Wikimedia username or email (DESIGN.md §12).

A member row holds the keyed lookup hash of what the owner typed (``issuance.lookup_of``):
the user who proved that username or address (a ``RecipientClaim``) is the member. A role is a
set of the API's scopes (``ROLE_SCOPES``): the console acts through a ``Principal`` made from
it, so a console page and an API token pass the same ``require_issuer`` check.

An issuer keeps at least one owner once it has one: removing or demoting the last owner is
refused (``LastOwnerError``); the admin token (``badgeservice issuers add-owner``) adds one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import ApiToken, Issuer, IssuerMember, RecipientClaim, User
from badgeservice.domain.recipient import RecipientError, normalized
from badgeservice.domain.urls import console_url
from badgeservice.errors import ConflictError, FieldError, NotFoundError, ValidationFailedError
from badgeservice.services import mail
from badgeservice.services.audit import record_event
from badgeservice.services.auth import ISSUER_SCOPES, Principal
from badgeservice.services.issuance import lookup_of
from badgeservice.services.keystore import KeyStore
from badgeservice.settings import Settings

Role = Literal["owner", "editor", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
MemberKind = Literal["wikimedia", "email"]
MEMBER_KINDS: tuple[MemberKind, ...] = get_args(MemberKind)
_READ = ("issuer:read", "achievements:read", "credentials:read")
ROLE_SCOPES: dict[str, frozenset[str]] = {
    "viewer": frozenset(_READ),
    "editor": frozenset((*_READ, "achievements:write", "credentials:issue", "credentials:revoke")),
    "owner": frozenset(ISSUER_SCOPES),
}
# The stronger role first: a user invited twice (username and email) holds the stronger.
_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}
_RECIPIENT_KIND = {"wikimedia": "wikimedia_username", "email": "email"}


@dataclass(frozen=True)
class Invitation:
    """Mail the invited address (email members only) a link to the console."""

    base_url: str
    language: str
    now: datetime


def invitation_of(settings: Settings, language: str, now: datetime) -> Invitation | None:
    """How to tell an invited email member, when mail is configured."""
    if not mail.enabled(settings):
        return None
    return Invitation(settings.base_url, language, now)


class MemberExistsError(ConflictError):
    code = "member_exists"


class LastOwnerError(ConflictError):
    code = "last_owner"


def principal_of(user: User, issuer: Issuer, role: str) -> Principal:
    """The member acting on the issuer: the role's scopes; audit events name ``user:<id>``."""
    return Principal(token_id=None, issuer_id=issuer.id, scopes=ROLE_SCOPES[role], user_id=user.id)


def _lookups_of(session: Session, user: User) -> list[str]:
    query = select(RecipientClaim.lookup).where(RecipientClaim.user_id == user.id)
    return list(session.scalars(query))


def memberships(session: Session, user: User) -> list[tuple[Issuer, str]]:
    """The issuers the user is staff of, by name, with the user's (strongest) role."""
    lookups = _lookups_of(session, user)
    if not lookups:
        return []
    query = (
        select(Issuer, IssuerMember.role)
        .join(IssuerMember, IssuerMember.issuer_id == Issuer.id)
        .where(IssuerMember.lookup.in_(lookups))
    )
    best: dict[uuid.UUID, tuple[Issuer, str]] = {}
    for issuer, role in session.execute(query):
        kept = best.get(issuer.id)
        if kept is None or _RANK[role] < _RANK[kept[1]]:
            best[issuer.id] = (issuer, role)
    return sorted(best.values(), key=lambda pair: (pair[0].name.casefold(), pair[0].slug))


def role_of(session: Session, user: User, issuer: Issuer) -> str | None:
    """The user's role on the issuer, or ``None`` when they are not staff of it."""
    lookups = _lookups_of(session, user)
    if not lookups:
        return None
    query = select(IssuerMember.role).where(
        IssuerMember.issuer_id == issuer.id, IssuerMember.lookup.in_(lookups)
    )
    roles = list(session.scalars(query))
    return min(roles, key=_RANK.__getitem__) if roles else None


def list_members(session: Session, issuer: Issuer) -> list[IssuerMember]:
    """The issuer's members: owners first, then by what was typed."""
    query = select(IssuerMember).where(IssuerMember.issuer_id == issuer.id)
    rows = list(session.scalars(query))
    return sorted(rows, key=lambda m: (_RANK.get(m.role, 9), m.label.casefold()))


def _checked(kind: str, value: str, role: str) -> tuple[MemberKind, str, Role]:
    errors = []
    if kind not in MEMBER_KINDS:
        errors.append(FieldError("/kind", f"kind must be one of {', '.join(MEMBER_KINDS)}"))
    if role not in ROLES:
        errors.append(FieldError("/role", f"role must be one of {', '.join(ROLES)}"))
    label = value
    if kind in MEMBER_KINDS:
        try:
            label = normalized(_RECIPIENT_KIND[kind], value)  # type: ignore[arg-type]
        except RecipientError as exc:
            code = "invalid_email" if kind == "email" else "invalid_username"
            errors.append(FieldError("/value", str(exc), code))
    if errors:
        raise ValidationFailedError(errors=errors)
    return kind, label, role  # type: ignore[return-value]


def invite(
    session: Session,
    issuer: Issuer,
    *,
    kind: str,
    value: str,
    role: str,
    actor: str,
    key_store: KeyStore,
    invitation: Invitation | None = None,
) -> IssuerMember:
    """Make whoever proves this username or email a member with ``role``; with
    ``invitation``, an email member is told by mail (``staff_invited``)."""
    kind, label, role = _checked(kind, value, role)
    lookup = lookup_of(key_store, _RECIPIENT_KIND[kind], label)  # type: ignore[arg-type]
    exists = select(IssuerMember.id).where(
        IssuerMember.issuer_id == issuer.id, IssuerMember.lookup == lookup
    )
    if session.scalar(exists) is not None:
        raise MemberExistsError(f"{label} is a member of {issuer.slug} already.")
    member = IssuerMember(
        issuer_id=issuer.id, lookup=lookup, kind=kind, label=label, role=role, added_by=actor
    )
    session.add(member)
    session.flush()
    _record(session, issuer, member, "member.added", actor, {"role": role})
    if invitation is not None and kind == "email":
        context = {"issuer": issuer.name, "role": role,
                   "url": console_url(invitation.base_url, issuer.slug)}  # fmt: skip
        mail.enqueue(
            session, to=label, template="staff_invited", language=invitation.language,
            context=context, now=invitation.now,
        )  # fmt: skip
    return member


def get_member(session: Session, issuer: Issuer, member_id: uuid.UUID) -> IssuerMember:
    member = session.get(IssuerMember, member_id)
    if member is None or member.issuer_id != issuer.id:
        raise NotFoundError(f"Member {member_id} not found.")
    return member


def _owners(session: Session, issuer: Issuer) -> int:
    where = (IssuerMember.issuer_id == issuer.id) & (IssuerMember.role == "owner")
    return session.scalar(select(func.count()).select_from(IssuerMember).where(where)) or 0


def _keep_an_owner(session: Session, issuer: Issuer, member: IssuerMember) -> None:
    if member.role == "owner" and _owners(session, issuer) <= 1:
        raise LastOwnerError(f"{member.label} is the last owner of {issuer.slug}.")


def change_role(
    session: Session, issuer: Issuer, member_id: uuid.UUID, role: str, *, actor: str
) -> IssuerMember:
    member = get_member(session, issuer, member_id)
    if role not in ROLES:
        raise ValidationFailedError(
            errors=[FieldError("/role", f"role must be one of {', '.join(ROLES)}")]
        )
    if role != member.role:
        if role != "owner":
            _keep_an_owner(session, issuer, member)
        details = {"role": role, "was": member.role}
        member.role = role
        session.flush()
        _record(session, issuer, member, "member.role_changed", actor, details)
    return member


def remove(session: Session, issuer: Issuer, member_id: uuid.UUID, *, actor: str) -> None:
    member = get_member(session, issuer, member_id)
    _keep_an_owner(session, issuer, member)
    _record(session, issuer, member, "member.removed", actor, {"role": member.role})
    session.delete(member)
    session.flush()


def _record(
    session: Session,
    issuer: Issuer,
    member: IssuerMember,
    action: str,
    actor: str,
    details: dict[str, str],
) -> None:
    record_event(
        session,
        action=action,
        actor=actor,
        subject_type="member",
        subject_id=str(member.id),
        issuer_id=issuer.id,
        details={"member": member.label, "kind": member.kind, **details},
    )


def actor_names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """Names for the audit trail's ``actor`` values: ``user:<id>`` → the member's name,
    ``token:<id>`` → the token's name. Unknown or malformed ones are left out."""
    users: dict[uuid.UUID, str] = {}
    tokens: dict[uuid.UUID, str] = {}
    for actor in set(actors):
        kind, _, text = actor.partition(":")
        try:
            ident = uuid.UUID(text)
        except ValueError:
            continue
        if kind == "user":
            users[ident] = actor
        elif kind == "token":
            tokens[ident] = actor
    names: dict[str, str] = {}
    if users:
        for user_id, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(users))
        ):
            names[users[user_id]] = name
    if tokens:
        for token_id, name in session.execute(
            select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(tokens))
        ):
            names[tokens[token_id]] = name
    return names
