"""Status list indexes: allocated at random among free slots, atomically, never reused.

Random indexes keep a list from revealing issuance order (Bitstring Status List §5.1,
"issuers SHOULD assign indexes randomly"). The primary key of ``status_allocations`` makes
an index unique under any concurrency on PostgreSQL and SQLite alike: a collision is an
``IntegrityError`` inside a savepoint, and we draw again. A list whose random draws keep
colliding is closed (``full``) and a new one is opened, so a draw stays cheap.

See: https://www.w3.org/TR/vc-bitstring-status-list/#privacy-considerations
"""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer, StatusAllocation, StatusList
from badgeservice.errors import ServiceError

LIST_SIZE = 131_072  # the spec's minimum: 16 KiB of bits
PURPOSES = ("revocation", "suspension")
COLLISIONS_BEFORE_FULL = 8
MAX_DRAWS = 64


class StatusAllocationError(ServiceError):
    code, title = "status_allocation_failed", "No free status list index could be allocated"


def open_list(session: Session, issuer_id: uuid.UUID, purpose: str) -> StatusList:
    """The issuer's open list for ``purpose``; a new one when none is open."""
    query = (
        select(StatusList)
        .where(
            StatusList.issuer_id == issuer_id,
            StatusList.purpose == purpose,
            StatusList.full.is_(False),
        )
        .order_by(StatusList.created_at)
        .limit(1)
    )
    status_list = session.scalar(query)
    if status_list is None:
        status_list = StatusList(issuer_id=issuer_id, purpose=purpose, size=LIST_SIZE)
        session.add(status_list)
        session.flush()
    return status_list


def allocate_index(session: Session, issuer: Issuer, purpose: str) -> tuple[StatusList, int]:
    """A fresh ``(list, index)`` for ``purpose``; bind it to a credential with ``bind_indexes``."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown status purpose {purpose!r}")
    status_list, collisions = open_list(session, issuer.id, purpose), 0
    for _ in range(MAX_DRAWS):
        index = secrets.randbelow(status_list.size)
        try:
            with session.begin_nested():
                session.add(StatusAllocation(status_list_id=status_list.id, index=index))
        except IntegrityError:
            collisions += 1
            if collisions >= COLLISIONS_BEFORE_FULL:
                _close(session, status_list)
                status_list, collisions = open_list(session, issuer.id, purpose), 0
            continue
        return status_list, index
    raise StatusAllocationError(f"No free {purpose} index after {MAX_DRAWS} draws.")


def bind_indexes(
    session: Session,
    holder_id: uuid.UUID,
    allocations: list[tuple[StatusList, int]],
    *,
    holder: str = "credential",
) -> None:
    """Give the allocated indexes to their holder: a credential or (``holder="endorsement"``)
    an endorsement."""
    column = {"credential": "credential_id", "endorsement": "endorsement_id"}[holder]
    for status_list, index in allocations:
        session.execute(
            update(StatusAllocation)
            .where(
                StatusAllocation.status_list_id == status_list.id, StatusAllocation.index == index
            )
            .values({column: holder_id})
        )


def _close(session: Session, status_list: StatusList) -> None:
    session.execute(update(StatusList).where(StatusList.id == status_list.id).values(full=True))
