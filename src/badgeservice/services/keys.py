"""Issuer signing keys: created with the issuer, sealed at rest, rotated, published.

Each issuer has an Ed25519 key for Data Integrity proofs (``eddsa-rdfc-2022``) and a key for
VC-JWT in the issuer's ``jwt_algorithm``: P-256 for ``ES256`` (the default) or RSA for
``RS256``. Rotation retires the active keys from signing and adds new ones of the same kinds;
retired keys stay in the DID document so credentials signed before keep verifying. Revocation
takes a key out of the document's verification relationships (it stays listed, marked
``revoked``): from then on nothing it signed verifies, here or elsewhere (``key_revocation``,
which also re-signs the status lists).

RSA keys are 3072 bits: NIST SP 800-57 Part 1 gives 2048 bits (112-bit security) until 2030
and 3072 (128-bit) beyond; a badge is verified for years after it is signed, and the cost is
small (measured: 0.3 s to generate, once per issuer and rotation; 1 ms to sign).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer, IssuerKey
from badgeservice.domain.credential import format_datetime
from badgeservice.errors import ServiceError
from badgeservice.services.audit import record_issuer_event
from badgeservice.services.keystore import KeyStore
from badgeservice.vc import (
    JWS_ALGORITHMS,
    KeyPair,
    build_did_document,
    generate_key,
    key_from_jwk,
    key_from_multibase,
    sign_credential,
)

DATA_INTEGRITY_ALGORITHM = "Ed25519"
#: The VC-JWT algorithms an issuer may choose, with the key algorithm each signs with.
JWT_KEY_ALGORITHMS = {JWS_ALGORITHMS[name]: name for name in ("P-256", "RSA")}
DEFAULT_JWT_ALGORITHM = "ES256"
RSA_BITS = 3072

ALL_STATUSES = ("active", "retired", "revoked")

Kind = tuple[str, str]  # (purpose, key algorithm)
# What the DID document publishes of one key: (key id, public material, revoked at or None).
Published = tuple[str, str, str | None]


class SigningKeyMissingError(ServiceError):
    code, title = "signing_key_missing", "The issuer has no active signing key"


def _context(issuer: Issuer, key_id: str) -> str:
    return f"issuer-key:{issuer.id}:{key_id}"


def _next_key_number(session: Session, issuer: Issuer) -> int:
    count = session.scalar(
        select(func.count()).select_from(IssuerKey).where(IssuerKey.issuer_id == issuer.id)
    )
    return (count or 0) + 1


def key_algorithm(issuer: Issuer, purpose: str) -> str:
    """The key algorithm the issuer signs ``purpose`` with."""
    if purpose == "jwt":
        return JWT_KEY_ALGORITHMS[issuer.jwt_algorithm or DEFAULT_JWT_ALGORITHM]
    return DATA_INTEGRITY_ALGORITHM


def _signing_kinds(issuer: Issuer) -> list[Kind]:
    return [(purpose, key_algorithm(issuer, purpose)) for purpose in ("data_integrity", "jwt")]


def _new_key(issuer: Issuer, key_id: str, kind: Kind, key_store: KeyStore) -> IssuerKey:
    purpose, algorithm = kind
    key = generate_key(algorithm, rsa_bits=RSA_BITS)
    # RSA has no Multikey form: its private half is sealed as a private JWK.
    secret = json.dumps(key.private_jwk()) if algorithm == "RSA" else key.secret_multibase()
    return IssuerKey(
        issuer_id=issuer.id,
        key_id=key_id,
        algorithm=algorithm,
        purpose=purpose,
        public_jwk=key.public_jwk(),
        public_multibase=None if algorithm == "RSA" else key.public_multibase(),
        private_key_encrypted=key_store.seal(secret.encode(), context=_context(issuer, key_id)),
        status="active",
    )


def create_keys(
    session: Session,
    issuer: Issuer,
    key_store: KeyStore,
    *,
    actor: str,
    kinds: list[Kind] | None = None,
) -> list[IssuerKey]:
    """A new active key of each kind (default: one per purpose, in the issuer's algorithms)."""
    number = _next_key_number(session, issuer)
    created = [
        _new_key(issuer, f"key-{number + offset}", kind, key_store)
        for offset, kind in enumerate(kinds if kinds is not None else _signing_kinds(issuer))
    ]
    session.add_all(created)
    session.flush()
    record_issuer_event(
        session, issuer, "keys.created", actor=actor, details={"keys": [k.key_id for k in created]}
    )
    return created


def ensure_signing_keys(
    session: Session, issuer: Issuer, key_store: KeyStore, *, actor: str
) -> list[IssuerKey]:
    """Create the active keys the issuer's algorithms need and it lacks (e.g. an RSA key when
    it switches to RS256); the keys it has stay as they are."""
    active = {(r.purpose, r.algorithm) for r in issuer_keys(session, issuer, statuses=("active",))}
    missing = [kind for kind in _signing_kinds(issuer) if kind not in active]
    return create_keys(session, issuer, key_store, actor=actor, kinds=missing) if missing else []


def rotate_keys(
    session: Session, issuer: Issuer, key_store: KeyStore, *, actor: str, now: datetime
) -> list[IssuerKey]:
    """Retire the active keys from signing (at ``now``) and create new ones: one for each kind
    that was active (an ES256 key stays rotated after a switch to RS256) and each kind now
    needed."""
    kinds = _signing_kinds(issuer)
    for row in issuer_keys(session, issuer, statuses=("active",)):
        row.status, row.retired_at = "retired", now
        if (row.purpose, row.algorithm) not in kinds:
            kinds.append((row.purpose, row.algorithm))
    session.flush()
    return create_keys(session, issuer, key_store, actor=actor, kinds=kinds)


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
    algorithm = key_algorithm(issuer, purpose)
    rows = [
        r
        for r in issuer_keys(session, issuer, statuses=("active",))
        if r.purpose == purpose and r.algorithm == algorithm
    ]
    if not rows:
        raise SigningKeyMissingError(
            f"Issuer '{issuer.slug}' has no active {purpose} key ({algorithm})."
        )
    row = rows[-1]
    secret = key_store.unseal(row.private_key_encrypted, context=_context(issuer, row.key_id))
    if row.public_multibase is None:  # RSA: sealed as a private JWK
        return verification_method_id(issuer, row), key_from_jwk(json.loads(secret))
    return verification_method_id(issuer, row), key_from_multibase(
        row.public_multibase, secret.decode()
    )


def sign_data_integrity(
    session: Session,
    issuer: Issuer,
    unsigned: dict[str, Any],
    key_store: KeyStore,
    *,
    now: datetime,
) -> dict[str, Any]:
    """``unsigned`` signed with the issuer's active Data Integrity key, the proof ``created``
    at ``now``. Every document we sign
    (credentials, status lists, endorsements) writes ``proof`` as an array: VC 2.0 takes
    either form, and 1EdTech's strict AchievementCredential schema wants the array. Raises
    VcError.

    See: https://www.w3.org/TR/vc-data-integrity/#proof-sets
    """
    vm_id, key = signing_key(session, issuer, "data_integrity", key_store)
    return sign_credential(unsigned, key, vm_id, proof_set=True, created=now)


def did_document(session: Session, issuer: Issuer) -> dict[str, Any]:
    """The did:web document: every key, absolute ids; those not revoked in ``assertionMethod``,
    the revoked ones marked ``revoked``."""
    published = tuple(
        _published(r.key_id, r.public_multibase, r.public_jwk, r.revoked_at)
        for r in issuer_keys(session, issuer, statuses=ALL_STATUSES)
    )
    return copy.deepcopy(_built_document(issuer.did, published))


def did_document_by_slug(session: Session, slug: str) -> dict[str, Any] | None:
    """``did_document`` of the issuer ``slug`` (None when there is none), read in one query:
    the verification path asks for it on every request."""
    columns = (IssuerKey.key_id, IssuerKey.public_multibase, IssuerKey.public_jwk)
    query = (
        select(Issuer.did, *columns, IssuerKey.revoked_at)
        .outerjoin(
            IssuerKey,
            and_(IssuerKey.issuer_id == Issuer.id, IssuerKey.status.in_(ALL_STATUSES)),
        )
        .where(Issuer.slug == slug)
        .order_by(IssuerKey.created_at, IssuerKey.key_id)
    )
    rows = session.execute(query).all()
    if not rows:
        return None
    published = tuple(
        _published(r.key_id, r.public_multibase, r.public_jwk, r.revoked_at)
        for r in rows
        if r.key_id is not None
    )
    return copy.deepcopy(_built_document(rows[0].did, published))


def _published(
    key_id: str, multibase: str | None, jwk: dict[str, Any], revoked_at: datetime | None
) -> Published:
    revoked = format_datetime(revoked_at) if revoked_at is not None else None
    return key_id, _material(multibase, jwk), revoked


def _material(multibase: str | None, jwk: dict[str, Any]) -> str:
    """A key's public material as one hashable string: its multibase, or (RSA) its JWK."""
    return multibase if multibase is not None else json.dumps(jwk, sort_keys=True)


def _public_key(material: str) -> KeyPair:
    if material.startswith("{"):
        return key_from_jwk(json.loads(material))
    return key_from_multibase(material)


@lru_cache(maxsize=256)
def _built_document(did: str, published: tuple[Published, ...]) -> dict[str, Any]:
    """The document for exactly these ``(key id, public material, revoked)``, built once per
    process.
    Keyed by the content itself, so a rotation (a new key set) can never meet a stale copy;
    callers get deep copies. Ed25519 keys are Multikey, the others JsonWebKey.

    See: https://www.w3.org/TR/cid-1.0/#verification-methods
    """
    keys = [(f"{did}#{key_id}", _public_key(material)) for key_id, material, _ in published]
    revoked = {f"{did}#{key_id}": when for key_id, _, when in published if when is not None}
    return build_did_document(did, keys, revoked=revoked)
