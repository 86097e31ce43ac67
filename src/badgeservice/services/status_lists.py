"""Publishing status lists: a BitstringStatusListCredential signed by the issuer, re-signed
whenever a bit changed since the cached copy (``version`` ≠ ``signed_version``)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badgeservice import vc
from badgeservice.db.engine import reads_without_lock
from badgeservice.db.models import Issuer, StatusList
from badgeservice.domain.credential import format_datetime
from badgeservice.domain.urls import status_list_url
from badgeservice.services import keys
from badgeservice.services.credentials import set_bits
from badgeservice.services.keystore import KeyStore
from badgeservice.services.tenancy import get_owned


def current_signed_list(session: Session, slug: str, list_id: uuid.UUID) -> str | None:
    """The stored signed list of issuer ``slug`` when it is current (one query), else None:
    then ``signed_list`` re-signs it."""
    query = (
        select(StatusList.signed_document)
        .join(Issuer, Issuer.id == StatusList.issuer_id)
        .where(
            StatusList.id == list_id,
            Issuer.slug == slug,
            StatusList.signed_version == StatusList.version,
        )
    )
    return session.scalar(query)


def signed_list(
    session: Session,
    issuer: Issuer,
    list_id: uuid.UUID,
    base_url: str,
    key_store: KeyStore,
    *,
    now: datetime,
) -> str:
    """The signed list credential as served, signed and valid from ``now`` when it is
    re-signed (the caller commits a fresh signature)."""
    row = get_owned(session, StatusList, list_id, issuer)
    if row.signed_document is not None and row.signed_version == row.version:
        return row.signed_document
    version = row.version
    bits = vc.StatusList(row.size)
    for index in set_bits(session, row):
        bits.set(index)
    unsigned = vc.build_status_list_credential(
        status_list_url(base_url, issuer.slug, row.id),
        issuer.did,  # the list's context is VC 2.0 alone: no OB Profile type there
        row.purpose,
        bits,
        valid_from=format_datetime(now),
    )
    signed = keys.sign_data_integrity(session, issuer, unsigned, key_store, now=now)
    text = json.dumps(signed, separators=(",", ":"))
    # Store only if no status change landed meanwhile; otherwise the next request re-signs.
    # The stored copy is a cache: an SQLite read session (a GET) serves the list without it.
    if not reads_without_lock(session):
        session.execute(
            update(StatusList)
            .where(StatusList.id == row.id, StatusList.version == version)
            .values(signed_document=text, signed_version=version)
        )
    return text
