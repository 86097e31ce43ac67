"""Issuer signing keys: created with the issuer, sealed at rest, rotated, published.

Each issuer has an Ed25519 key for Data Integrity proofs (``eddsa-rdfc-2022``) and a P-256 key
for VC-JWT (``ES256``). Rotation retires the active keys from signing and adds new ones;
retired keys stay in the DID document so credentials signed before keep verifying.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from badgeservice.db.base import utcnow
from badgeservice.db.models import Issuer, IssuerKey
from badgeservice.errors import ServiceError
from badgeservice.services.audit import record_event
from badgeservice.services.keystore import KeyStore
from badgeservice.vc.dids import build_did_document
from badgeservice.vc.keys import KeyPair, generate_key, key_from_multibase
from badgeservice.vc.proofs import sign_credential

PURPOSES = {"data_integrity": "Ed25519", "jwt": "P-256"}


class SigningKeyMissingError(ServiceError):
    code, title = "signing_key_missing", "The issuer has no active signing key"


def _context(issuer: Issuer, key_id: str) -> str:
    return f"issuer-key:{issuer.id}:{key_id}"


def _next_key_number(session: Session, issuer: Issuer) -> int:
    count = session.scalar(
        select(func.count()).select_from(IssuerKey).where(IssuerKey.issuer_id == issuer.id)
    )
    return (count or 0) + 1


def create_keys(
    session: Session, issuer: Issuer, key_store: KeyStore, *, actor: str
) -> list[IssuerKey]:
    """A new active key for each purpose."""
    number, created = _next_key_number(session, issuer), []
    for offset, (purpose, algorithm) in enumerate(PURPOSES.items()):
        key = generate_key(algorithm)
        key_id = f"key-{number + offset}"
        row = IssuerKey(
            issuer_id=issuer.id,
            key_id=key_id,
            algorithm=algorithm,
            purpose=purpose,
            public_jwk=key.public_jwk(),
            public_multibase=key.public_multibase(),
            private_key_encrypted=key_store.seal(
                key.secret_multibase().encode(), context=_context(issuer, key_id)
            ),
            status="active",
        )
        session.add(row)
        created.append(row)
    session.flush()
    record_event(
        session,
        action="keys.created",
        actor=actor,
        subject_type="issuer",
        subject_id=issuer.slug,
        issuer_id=issuer.id,
        details={"keys": [k.key_id for k in created]},
    )
    return created


def rotate_keys(
    session: Session, issuer: Issuer, key_store: KeyStore, *, actor: str
) -> list[IssuerKey]:
    """Retire the active keys from signing and create new ones."""
    now = utcnow()
    for row in issuer_keys(session, issuer, statuses=("active",)):
        row.status, row.retired_at = "retired", now
    session.flush()
    return create_keys(session, issuer, key_store, actor=actor)


def issuer_keys(
    session: Session, issuer: Issuer, *, statuses: tuple[str, ...] = ("active", "retired")
) -> list[IssuerKey]:
    query = (
        select(IssuerKey)
        .where(IssuerKey.issuer_id == issuer.id, IssuerKey.status.in_(statuses))
        .order_by(IssuerKey.created_at, IssuerKey.key_id)
    )
    return list(session.scalars(query))


def verification_method_id(issuer: Issuer, row: IssuerKey) -> str:
    return f"{issuer.did}#{row.key_id}"


def signing_key(
    session: Session, issuer: Issuer, purpose: str, key_store: KeyStore
) -> tuple[str, KeyPair]:
    """The active key for ``purpose`` as ``(verification method id, private key)``."""
    rows = [r for r in issuer_keys(session, issuer, statuses=("active",)) if r.purpose == purpose]
    if not rows:
        raise SigningKeyMissingError(f"Issuer '{issuer.slug}' has no active {purpose} key.")
    row = rows[-1]
    secret = key_store.unseal(row.private_key_encrypted, context=_context(issuer, row.key_id))
    key = key_from_multibase(str(row.public_multibase), secret.decode())
    return verification_method_id(issuer, row), key


def sign_data_integrity(
    session: Session, issuer: Issuer, unsigned: dict[str, Any], key_store: KeyStore
) -> dict[str, Any]:
    """``unsigned`` signed with the issuer's active Data Integrity key. Every document we sign
    (credentials, status lists) writes ``proof`` as an array: VC 2.0 takes either form, and
    1EdTech's strict AchievementCredential schema wants the array. Raises VcError.

    See: https://www.w3.org/TR/vc-data-integrity/#proof-sets
    """
    vm_id, key = signing_key(session, issuer, "data_integrity", key_store)
    return sign_credential(unsigned, key, vm_id, proof_set=True)


def did_document(session: Session, issuer: Issuer) -> dict[str, Any]:
    """The did:web document: every key not revoked, absolute ids, in ``assertionMethod``."""
    published = tuple((r.key_id, str(r.public_multibase)) for r in issuer_keys(session, issuer))
    return copy.deepcopy(_built_document(issuer.did, published))


def did_document_by_slug(session: Session, slug: str) -> dict[str, Any] | None:
    """``did_document`` of the issuer ``slug`` (None when there is none), read in one query:
    the verification path asks for it on every request."""
    query = (
        select(Issuer.did, IssuerKey.key_id, IssuerKey.public_multibase)
        .outerjoin(
            IssuerKey,
            and_(IssuerKey.issuer_id == Issuer.id, IssuerKey.status.in_(("active", "retired"))),
        )
        .where(Issuer.slug == slug)
        .order_by(IssuerKey.created_at, IssuerKey.key_id)
    )
    rows = session.execute(query).all()
    if not rows:
        return None
    published = tuple((r.key_id, str(r.public_multibase)) for r in rows if r.key_id is not None)
    return copy.deepcopy(_built_document(rows[0].did, published))


@lru_cache(maxsize=256)
def _built_document(did: str, published: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The document for exactly these ``(key id, public multibase)``, built once per process.
    Keyed by the content itself, so a rotation (a new key set) can never meet a stale copy;
    callers get deep copies."""
    keys = [(f"{did}#{key_id}", key_from_multibase(multibase)) for key_id, multibase in published]
    return build_did_document(did, keys)
