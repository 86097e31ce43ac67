"""Revoking an issuer's key (DESIGN.md §3): the key stays in the DID document, marked
``revoked``; an active key is replaced first, so an issuer is never left unable to sign; the
issuer's status lists are re-signed with the new key in the same transaction (a list signed
by a revoked key fails verification, and a GET never signs).

A module of its own because it joins two others: ``status_lists`` signs with ``keys``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer, IssuerKey
from badgeservice.errors import NotFoundError
from badgeservice.services import keys, status_lists
from badgeservice.services.audit import record_issuer_event


def revoke_key(
    session: Session,
    issuer: Issuer,
    key_id: str,
    reason: str,
    signer: status_lists.ListSigner,
    *,
    actor: str,
    now: datetime,
) -> IssuerKey:
    """Revoke the issuer's key ``key_id`` (``key-3`` or the full verification method id).
    Final: the DID document marks it ``revoked`` and leaves it out of ``assertionMethod``, so
    every credential it signed fails verification from now on. An active key is replaced
    first (a new key of each kind the issuer signs with and no longer has); after a Data
    Integrity key, every status list of the issuer is re-signed now. Revoking a revoked key
    changes nothing.

    See: https://www.w3.org/TR/cid-1.0/#verification-methods
    """
    row = _find_key(session, issuer, key_id)
    if row.status == "revoked":
        return row
    was_active = row.status == "active"
    row.status, row.revoked_at, row.revocation_reason = "revoked", now, reason
    session.flush()
    replaced = []
    if was_active:
        replaced = keys.ensure_signing_keys(session, issuer, signer.key_store, actor=actor)
    if row.purpose == "data_integrity":
        status_lists.publish_all(session, issuer, signer)
    record_issuer_event(
        session,
        issuer,
        "key.revoked",
        actor=actor,
        details={"key": row.key_id, "reason": reason, "replacedBy": [k.key_id for k in replaced]},
    )
    return row


def _find_key(session: Session, issuer: Issuer, key_id: str) -> IssuerKey:
    did, _, fragment = key_id.rpartition("#")
    row = None
    if did in ("", issuer.did):
        query = select(IssuerKey).where(
            IssuerKey.issuer_id == issuer.id, IssuerKey.key_id == fragment
        )
        row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"Issuer '{issuer.slug}' has no key '{key_id}'.")
    return row
