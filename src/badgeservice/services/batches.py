"""Bulk issuance: a batch of rows, validated up front, worked off by workers.

Claiming uses the database itself (no job library): ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL hands each pending row to exactly one worker; on SQLite, transactions already run
one at a time. A row is issued and marked ``done`` in one transaction, so a worker killed
mid-way leaves its rows ``pending`` for the next worker: nothing lost, nothing issued twice.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from badgeservice.db.base import utcnow
from badgeservice.db.models import Achievement, Batch, BatchItem, Credential, Issuer
from badgeservice.errors import FieldError, NotFoundError, ServiceError, ValidationFailedError
from badgeservice.services import issuance
from badgeservice.services.audit import record_event
from badgeservice.services.keystore import KeyStore

log = logging.getLogger(__name__)
CSV_COLUMNS = ("email", "did", "url", "name", "evidence_url", "narrative")
MAX_ROWS = 10_000
# Our own cap on a CSV cell, reported by row and column; the csv module's process-wide cap
# (the same 128 KiB) raises an error that names neither, so it is lifted to the body's size.
MAX_CSV_FIELD = 128 * 1024
csv.field_size_limit(2**31 - 1)

IssueRow = Callable[[Session, Batch, dict[str, Any]], Credential]


@dataclass(frozen=True)
class RowCheck:
    """A row after validation: its issue input, or what is wrong with it."""

    input: dict[str, Any] | None
    error: dict[str, Any] | None = None


def parse_csv(text: str) -> list[dict[str, str]]:
    """Rows of a CSV upload (header row required; columns in ``CSV_COLUMNS``)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    unknown = sorted(set(header) - set(CSV_COLUMNS))
    if not header or unknown:
        detail = f"unknown columns {unknown}" if unknown else "no header row"
        columns = ", ".join(CSV_COLUMNS)
        raise ValidationFailedError(errors=[FieldError("/body", f"{detail}; use {columns}")])
    rows = []
    for number, raw in enumerate(reader, start=1):
        values = [(v or "").strip() if isinstance(v, str) else "" for v in raw.values()]
        row = {k: v for k, v in zip(header, values, strict=False) if v}
        _check_cells(number, row)
        rows.append(row)
    return rows


def _check_cells(number: int, row: dict[str, str]) -> None:
    """Cells no row can use refuse the whole upload (422), naming the row and the column."""
    for column, value in row.items():
        problem = None
        if len(value) > MAX_CSV_FIELD:
            problem = f"is longer than {MAX_CSV_FIELD} characters"
        elif "\x00" in value:
            problem = "contains a NUL character"
        if problem is not None:
            detail = f"row {number}, column {column} {problem}"
            raise ValidationFailedError(errors=[FieldError(f"/body/{number}/{column}", detail)])


def csv_row_input(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row in the shape of one recipient of a JSON batch."""
    recipient = {k: row[k] for k in ("email", "did", "url", "name") if k in row}
    result: dict[str, Any] = {"recipient": recipient}
    if "narrative" in row:
        result["narrative"] = row["narrative"]
    if "evidence_url" in row:
        result["evidence"] = [{"id": row["evidence_url"]}]
    return result


def create_batch(
    session: Session,
    issuer: Issuer,
    achievement: Achievement,
    options: dict[str, Any],
    rows: list[RowCheck],
    *,
    actor: str,
) -> Batch:
    if not rows:
        raise ValidationFailedError(errors=[FieldError("/body", "the batch has no rows")])
    if len(rows) > MAX_ROWS:
        raise ValidationFailedError(errors=[FieldError("/body", f"more than {MAX_ROWS} rows")])
    batch = Batch(
        issuer_id=issuer.id,
        achievement_id=achievement.id,
        options=options,
        actor=actor,
        total=len(rows),
    )
    session.add(batch)
    session.flush()
    now = utcnow()
    session.add_all(
        BatchItem(
            batch_id=batch.id,
            row_number=number,
            input=row.input or {},
            status="pending" if row.error is None else "error",
            error=row.error,
            finished_at=None if row.error is None else now,
        )
        for number, row in enumerate(rows, start=1)
    )
    record_event(
        session,
        action="batch.created",
        actor=actor,
        subject_type="batch",
        subject_id=str(batch.id),
        issuer_id=issuer.id,
        details={"rows": len(rows), "invalid": sum(r.error is not None for r in rows)},
    )
    session.flush()
    return batch


def get_batch(session: Session, issuer: Issuer, batch_id: uuid.UUID) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None or batch.issuer_id != issuer.id:
        raise NotFoundError(f"Batch {batch_id} not found.")
    return batch


def issuer_of(session: Session, batch: Batch) -> Issuer:
    return session.get_one(Issuer, batch.issuer_id)


def progress(session: Session, batch: Batch) -> dict[str, int]:
    query = (
        select(BatchItem.status, func.count())
        .where(BatchItem.batch_id == batch.id)
        .group_by(BatchItem.status)
    )
    counts = {status: count for status, count in session.execute(query)}
    return {s: counts.get(s, 0) for s in ("pending", "done", "error")}


def batch_items(session: Session, batch: Batch, *, limit: int, offset: int) -> list[BatchItem]:
    query = (
        select(BatchItem)
        .where(BatchItem.batch_id == batch.id)
        .order_by(BatchItem.row_number)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def row_issuer(base_url: str, key_store: KeyStore) -> IssueRow:
    """The function a worker applies to each row: the batch's options plus the row's fields,
    issued like a single API request."""

    def issue_row(session: Session, batch: Batch, row: dict[str, Any]) -> Credential:
        issuer = session.get_one(Issuer, batch.issuer_id)
        achievement = session.get_one(Achievement, batch.achievement_id)
        request = issuance.request_from_fields(batch.options | row)
        context = issuance.IssueContext(base_url, key_store, batch.actor)
        return issuance.issue_credential(session, issuer, achievement, request, context)

    return issue_row


def process_pending(factory: sessionmaker[Session], issue_row: IssueRow, *, limit: int = 20) -> int:
    """Claim up to ``limit`` pending rows, issue them, commit once. Returns rows handled."""
    with factory() as session:
        query = (
            select(BatchItem)
            .where(BatchItem.status == "pending")
            .order_by(BatchItem.batch_id, BatchItem.row_number)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        items = list(session.scalars(query))
        held = _hold(session, {item.batch_id for item in items})
        for item in items:
            _process(session, held[item.batch_id][0], item, issue_row)
        _finish_batches(session, {item.batch_id for item in items})
        session.commit()
        return len(items)


Held = tuple[Batch, Issuer | None, Achievement | None]


def _hold(session: Session, batch_ids: set[uuid.UUID]) -> dict[uuid.UUID, Held]:
    """The chunk's batches with their issuers and achievements, held by strong references
    while the chunk runs: the session's identity map is weak, so without them each row would
    SELECT all three again (``Session.get`` finds them in the map while someone holds them)."""
    held: dict[uuid.UUID, Held] = {}
    for batch_id in batch_ids:
        batch = session.get_one(Batch, batch_id)
        issuer = session.get(Issuer, batch.issuer_id)
        held[batch_id] = (batch, issuer, session.get(Achievement, batch.achievement_id))
    return held


def _process(session: Session, batch: Batch, item: BatchItem, issue_row: IssueRow) -> None:
    try:
        with session.begin_nested():
            credential = issue_row(session, batch, item.input)
        item.status, item.credential_id = "done", credential.id
    except ServiceError as exc:
        item.status, item.error = "error", {"code": exc.code, "detail": exc.detail}
    except Exception:  # a bug must not stall the queue: record it and go on
        log.exception("batch row failed", extra={"batch": str(batch.id), "row": item.row_number})
        item.status = "error"
        item.error = {"code": "internal_error", "detail": "Unexpected error; see the server log."}
    item.finished_at = utcnow()


def _finish_batches(session: Session, batch_ids: set[uuid.UUID]) -> None:
    for batch_id in batch_ids:
        pending = session.scalar(
            select(func.count())
            .select_from(BatchItem)
            .where(BatchItem.batch_id == batch_id, BatchItem.status == "pending")
        )
        if pending == 0:
            session.execute(
                update(Batch)
                .where(Batch.id == batch_id, Batch.finished_at.is_(None))
                .values(finished_at=utcnow())
            )
