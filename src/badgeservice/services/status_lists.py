"""Publishing status lists (DESIGN.md §6): each list's BitstringStatusListCredential is signed
by the issuer and stored; a GET serves the stored copy and never signs or writes.

A list is signed when it is opened (all bits 0) and re-signed in the transaction that changes
one of its bits (revoke, suspend, unsuspend, an endorsement's revocation) or the key it is
signed with (key revocation). Allocating an index to a new credential changes no bit, so
issuing never re-signs. ``version`` counts the changes and ``signed_version`` says which one
the stored copy shows; a list whose copy is behind (stored before this rule, or by an older
release) is re-signed by the worker (``publish_stale``) and answers 503 until then.

Two transactions changing one list re-sign it one after the other: ``publish`` locks the row
before it reads the bits (PostgreSQL ``FOR NO KEY UPDATE``, which index allocations do not
wait for; SQLite writers run one at a time), so the later one sees the earlier one's bits.

See: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from badgeservice import vc
from badgeservice.db.models import Credential, Endorsement, Issuer, StatusAllocation, StatusList
from badgeservice.domain.credential import format_datetime
from badgeservice.domain.urls import status_list_url
from badgeservice.errors import NotFoundError, ServiceUnavailableError
from badgeservice.services import keys
from badgeservice.services.keystore import KeyStore

RETRY_AFTER = 5  # seconds: the worker re-signs a stale list within a cycle


class StatusListUnavailableError(ServiceUnavailableError):
    code, title = "status_list_unavailable", "The status list is being re-signed"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or f"The status list is being re-signed; retry in {RETRY_AFTER}s.")
        self.headers["Retry-After"] = str(RETRY_AFTER)


@dataclass(frozen=True)
class ListSigner:
    """What signing a list takes: the public base URL (the list's id) and the key store."""

    base_url: str
    key_store: KeyStore
    now: datetime  # the list's validFrom and its proof's created


def stored_list(session: Session, slug: str, list_id: uuid.UUID) -> str:
    """The stored signed list of issuer ``slug`` (one query): what a GET serves. Raises
    NotFoundError, or StatusListUnavailableError while its copy is behind its bits."""
    query = (
        select(StatusList.signed_document, StatusList.signed_version, StatusList.version)
        .join(Issuer, Issuer.id == StatusList.issuer_id)
        .where(StatusList.id == list_id, Issuer.slug == slug)
    )
    row = session.execute(query).one_or_none()
    if row is None:
        raise NotFoundError(f"Status list {list_id} not found.")
    if row.signed_document is None or row.signed_version != row.version:
        raise StatusListUnavailableError()
    return str(row.signed_document)


def changed(session: Session, issuer: Issuer, list_id: uuid.UUID, signer: ListSigner) -> None:
    """A bit of this list changed in this transaction: count the change and re-sign it."""
    session.execute(
        update(StatusList).where(StatusList.id == list_id).values(version=StatusList.version + 1)
    )
    publish(session, issuer, list_id, signer)


def ensure_signed(
    session: Session, issuer: Issuer, status_list: StatusList, signer: ListSigner
) -> None:
    """Sign ``status_list`` if its stored copy is missing or behind (a list just opened, whose
    bits are all 0); a current list is left alone, so issuing into it signs nothing."""
    if status_list.signed_document is None or status_list.signed_version != status_list.version:
        publish(session, issuer, status_list.id, signer)


def publish_all(session: Session, issuer: Issuer, signer: ListSigner) -> int:
    """Re-sign every list of ``issuer`` with its active key (after a key revocation)."""
    query = select(StatusList.id).where(StatusList.issuer_id == issuer.id)
    list_ids = sorted(session.scalars(query))  # one lock order: no deadlock between two
    for list_id in list_ids:
        publish(session, issuer, list_id, signer)
    return len(list_ids)


def publish_stale(session: Session, signer: ListSigner, *, limit: int = 20) -> int:
    """Re-sign up to ``limit`` lists whose stored copy is behind their bits (the worker's
    sweep); lists another worker holds are skipped. Returns how many were signed."""
    query = (
        select(StatusList.id, StatusList.issuer_id)
        .where(
            or_(
                StatusList.signed_version.is_(None),
                StatusList.signed_version != StatusList.version,
            )
        )
        .order_by(StatusList.id)
        .limit(limit)
        .with_for_update(skip_locked=True, key_share=True)
    )
    stale = session.execute(query).all()
    for list_id, issuer_id in stale:
        publish(session, session.get_one(Issuer, issuer_id), list_id, signer)
    return len(stale)


def publish(session: Session, issuer: Issuer, list_id: uuid.UUID, signer: ListSigner) -> None:
    """Sign the list as its bits are now and store the copy, in the caller's transaction."""
    locked = (
        select(StatusList.purpose, StatusList.size, StatusList.version)
        .where(StatusList.id == list_id, StatusList.issuer_id == issuer.id)
        .with_for_update(key_share=True)
    )
    purpose, size, version = session.execute(locked).one()
    bits = vc.StatusList(size)
    for index in set_bits(session, list_id, purpose):
        bits.set(index)
    unsigned = vc.build_status_list_credential(
        status_list_url(signer.base_url, issuer.slug, list_id),
        issuer.did,  # the list's context is VC 2.0 alone: no OB Profile type there
        purpose,
        bits,
        valid_from=format_datetime(signer.now),
    )
    signed = keys.sign_data_integrity(session, issuer, unsigned, signer.key_store, now=signer.now)
    session.execute(
        update(StatusList)
        .where(StatusList.id == list_id)
        .values(signed_document=json.dumps(signed, separators=(",", ":")), signed_version=version)
    )


def set_bits(session: Session, list_id: uuid.UUID, purpose: str) -> list[int]:
    """Indexes whose bit is set: revoked credentials and endorsements (revocation lists) or
    suspended credentials."""
    column = Credential.revoked_at if purpose == "revocation" else Credential.suspended_at
    query = (
        select(StatusAllocation.index)
        .join(Credential, Credential.id == StatusAllocation.credential_id)
        .where(StatusAllocation.status_list_id == list_id, column.is_not(None))
    )
    if purpose == "revocation":
        endorsements = (
            select(StatusAllocation.index)
            .join(Endorsement, Endorsement.id == StatusAllocation.endorsement_id)
            .where(
                StatusAllocation.status_list_id == list_id,
                Endorsement.revoked_at.is_not(None),
            )
        )
        return list(session.scalars(query.union_all(endorsements)))
    return list(session.scalars(query))
