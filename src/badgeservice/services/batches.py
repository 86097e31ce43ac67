"""Bulk issuance: a batch of rows, validated up front, worked off by workers.

Claiming uses the database itself (no job library): ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL hands each pending row to exactly one worker; on SQLite, transactions already run
one at a time. A row is issued and marked ``done`` in one transaction, so a worker killed
mid-way leaves its rows ``pending`` for the next worker: nothing lost, nothing issued twice.
The worker (``worker.py``) owns that transaction and commits it once per chunk of rows.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from badgeservice.clock import Clock
from badgeservice.db.models import Achievement, Batch, BatchItem, Credential, Issuer
from badgeservice.errors import FieldError, ServiceError, ValidationFailedError
from badgeservice.services import achievements, issuance, mail
from badgeservice.services.audit import record_event
from badgeservice.services.batch_rows import (
    RowCheck,
    check_batch,
    kept_row,
    row_findings,
    split_fields,
)
from badgeservice.services.keystore import KeyStore
from badgeservice.services.tenancy import get_owned
from badgeservice.settings import Settings

log = logging.getLogger(__name__)
CSV_COLUMNS = ("email", "did", "url", "wikimedia_username", "name", "evidence_url", "narrative")
# CSV column → member of a JSON batch row's recipient.
CSV_RECIPIENT = {
    "email": "email",
    "did": "did",
    "url": "url",
    "wikimedia_username": "wikimediaUsername",
    "name": "name",
}
CSV_DELIMITERS = (",", ";", "\t")
STATUSES = ("pending", "done", "skipped", "error")
# Our own cap on a CSV cell, reported by row and column; the csv module's process-wide cap
# (the same 128 KiB) raises an error that names neither, so it is lifted to the body's size.
MAX_CSV_FIELD = 128 * 1024
csv.field_size_limit(2**31 - 1)

# Issues one row of a batch at the given moment.
IssueRow = Callable[[Session, Batch, dict[str, Any], datetime], Credential]
# Where to mail a row's recipient (its email, else its lookup hash), or None: a partial of
# ``mail.recipient_address``.
NotifyTo = Callable[[str | None, str | None], str | None]


@dataclass(frozen=True)
class CsvUpload:
    rows: list[dict[str, str]]
    warnings: list[dict[str, str]]


def read_csv(text: str) -> CsvUpload:
    """Rows of a CSV upload and what was ignored. The header row names the columns (any case,
    any order; unknown ones are ignored with a warning); the separator is ``,``, ``;`` (what
    Excel writes where the decimal sign is a comma) or tab, whichever names the most known
    columns. A UTF-8 BOM and CRLF line ends, as Excel writes them, are read too."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = [name.strip().lower() for name in next(reader, [])]
    _check_cells(0, {str(number): name for number, name in enumerate(header, start=1)})
    columns = ", ".join(CSV_COLUMNS)
    if not set(header) & set(CSV_COLUMNS):
        detail = f"no known column in {header}" if any(header) else "no header row"
        raise ValidationFailedError(errors=[FieldError("/body", f"{detail}; use {columns}")])
    unknown = sorted({name for name in header if name and name not in CSV_COLUMNS})
    warnings = []
    if unknown:
        message = f"Columns ignored (not one of {columns}): {', '.join(unknown)}."
        warnings.append({"code": "csv_columns_ignored", "message": message})
    rows: list[dict[str, str]] = []
    for values in reader:
        row = {k: v.strip() for k, v in zip(header, values, strict=False) if k in CSV_COLUMNS}
        if any(values):  # Excel ends a sheet with lines of bare separators
            row = {k: v for k, v in row.items() if v}
            _check_cells(len(rows) + 1, row)
            rows.append(row)
    return CsvUpload(rows, warnings)


def _delimiter(text: str) -> str:
    first = text.splitlines()[0] if text else ""

    def known(delimiter: str) -> int:
        names = next(csv.reader([first], delimiter=delimiter), [])
        return sum(name.strip().lower() in CSV_COLUMNS for name in names)

    return max(CSV_DELIMITERS, key=known)  # the first on a tie: ","


def parse_csv(text: str) -> list[dict[str, str]]:
    """The rows of ``read_csv``."""
    return read_csv(text).rows


def _check_cells(number: int, row: dict[str, str]) -> None:
    """Cells no row can use refuse the whole upload (422), naming the row and the column (row 0:
    the header, its columns by number)."""
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
    recipient = {member: row[k] for k, member in CSV_RECIPIENT.items() if k in row}
    result: dict[str, Any] = {"recipient": recipient}
    if "narrative" in row:
        result["narrative"] = row["narrative"]
    if "evidence_url" in row:
        result["evidence"] = [{"id": row["evidence_url"]}]
    return result


def new_batch(
    session: Session,
    settings: Settings,
    issuer: Issuer,
    fields: dict[str, Any],
    rows: list[RowCheck],
    *,
    actor: str,
    key_store: KeyStore,
    now: datetime,
    warnings: list[dict[str, str]] | None = None,
    language_pointer: str = "/query/language",
) -> Batch:
    """A batch from a request's validated wire fields (``achievementId``, ``skipExisting``,
    ``notify`` and the shared options) and its checked rows: the API's and the console's."""
    split = split_fields(fields)
    achievement = achievements.get_issuable(session, issuer, split.achievement_id)
    return create_batch(
        session,
        issuer,
        achievement,
        split.options,
        rows,
        actor=actor,
        key_store=key_store,
        now=now,
        skip_existing=split.skip_existing,
        warnings=warnings,
        language_pointer=language_pointer,
        notify_to=mail.batch_addresses(session, settings, issuer, asked=split.notify),
    )


def create_batch(
    session: Session,
    issuer: Issuer,
    achievement: Achievement,
    options: dict[str, Any],
    rows: list[RowCheck],
    *,
    actor: str,
    key_store: KeyStore,
    now: datetime,
    skip_existing: bool = False,
    warnings: list[dict[str, str]] | None = None,
    language_pointer: str = "/query/language",
    notify_to: NotifyTo | None = None,
) -> Batch:
    """A batch of checked rows, stored as a credential keeps its recipient (no email). Rows
    naming a recipient of an earlier row, or one already holding an active credential of the
    achievement at ``now``, carry a warning; with ``skip_existing`` the latter are
    ``skipped``. The options' ``language`` must be one the achievement offers
    (``issuance.check_language``, the error pointing at ``language_pointer``): a whole batch
    is refused, not its rows. With ``notify_to``, each pending row's message waits in the
    outbox for its credential."""
    options = check_batch(achievement, options, rows, language_pointer)
    batch = Batch(
        issuer_id=issuer.id,
        achievement_id=achievement.id,
        options=options,
        actor=actor,
        total=len(rows),
        warnings=warnings or None,
    )
    session.add(batch)
    session.flush()
    kept = [kept_row(key_store, row) for row in rows]
    items = _items(session, issuer, achievement, kept, skip_existing, now)
    for item in items:
        item.batch_id = batch.id
    session.add_all(items)
    if notify_to is not None:
        _hold_mail(session, rows, items, notify_to, now)
    if not any(item.status == "pending" for item in items):
        batch.finished_at = now  # no worker will touch it
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


def _hold_mail(
    session: Session,
    rows: list[RowCheck],
    items: list[BatchItem],
    notify_to: NotifyTo,
    now: datetime,
) -> None:
    """The email leaves the row here (``kept_row``), so its message holds it until the row is
    issued (``mail.release_for_row``) or fails (``mail.drop_for_row``)."""
    session.flush()  # the rows' ids
    for row, item in zip(rows, items, strict=True):
        if item.status != "pending":
            continue
        email = (row.input or {}).get("recipient", {}).get("email")
        address = notify_to(email, item.input.get("recipient", {}).get("lookup"))
        if address is not None:
            mail.hold_for_row(session, item.id, address, "email" if email else "account", now)


def _items(
    session: Session,
    issuer: Issuer,
    achievement: Achievement,
    rows: list[RowCheck],
    skip_existing: bool,
    now: datetime,
) -> list[BatchItem]:
    """The rows as stored, with what ``row_findings`` found about each."""
    items = []
    findings = row_findings(session, issuer, achievement, rows, now)
    for number, (row, found) in enumerate(zip(rows, findings, strict=True), start=1):
        item = BatchItem(row_number=number, input=row.input or {}, status="pending")
        if found.error is not None:
            item.status, item.error, item.finished_at = "error", found.error, now
        elif found.held is not None and skip_existing:
            item.status, item.credential_id, item.finished_at = "skipped", found.held, now
        item.warnings = found.warnings or None
        items.append(item)
    return items


def list_batches(
    session: Session, issuer: Issuer, *, status: str | None, limit: int, offset: int
) -> tuple[list[Batch], int]:
    """An issuer's batches, newest first; ``status`` ``pending`` or ``finished``."""
    query = select(Batch).where(Batch.issuer_id == issuer.id)
    if status == "pending":
        query = query.where(Batch.finished_at.is_(None))
    elif status == "finished":
        query = query.where(Batch.finished_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(Batch.created_at.desc(), Batch.id).limit(limit).offset(offset)
    return list(session.scalars(page)), total


def get_batch(session: Session, issuer: Issuer, batch_id: uuid.UUID) -> Batch:
    return get_owned(session, Batch, batch_id, issuer)


def issuer_of(session: Session, batch: Batch) -> Issuer:
    return session.get_one(Issuer, batch.issuer_id)


def progress(session: Session, batch: Batch) -> dict[str, int]:
    return progress_of(session, [batch.id])[batch.id]


def progress_of(session: Session, batch_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Rows per status of each batch, in one query."""
    query = (
        select(BatchItem.batch_id, BatchItem.status, func.count())
        .where(BatchItem.batch_id.in_(batch_ids))
        .group_by(BatchItem.batch_id, BatchItem.status)
    )
    counts = {(batch_id, status): n for batch_id, status, n in session.execute(query)}
    return {b: {s: counts.get((b, s), 0) for s in STATUSES} for b in batch_ids}


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
    issued like a single API request, at the moment it is given."""

    def issue_row(session: Session, batch: Batch, row: dict[str, Any], now: datetime) -> Credential:
        issuer = session.get_one(Issuer, batch.issuer_id)
        achievement = session.get_one(Achievement, batch.achievement_id)
        request = issuance.request_from_fields(batch.options | row)
        context = issuance.IssueContext(base_url, key_store, batch.actor, now)
        return issuance.issue_credential(session, issuer, achievement, request, context)

    return issue_row


def process_pending(session: Session, issue_row: IssueRow, clock: Clock, *, limit: int = 20) -> int:
    """Claim up to ``limit`` pending rows and issue them, in the caller's transaction (the
    worker commits once per chunk: the rows stay claimed until then). Returns rows handled.
    Each row is issued at its own moment (``clock`` is read per row)."""
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
        _process(session, held[item.batch_id][0], item, issue_row, clock)
    _finish_batches(session, {item.batch_id for item in items}, clock.now())
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


def _process(
    session: Session, batch: Batch, item: BatchItem, issue_row: IssueRow, clock: Clock
) -> None:
    now = clock.now()
    try:
        with session.begin_nested():
            credential = issue_row(session, batch, item.input, now)
        item.status, item.credential_id = "done", credential.id
        mail.release_for_row(session, item.id, credential, now)
    except ServiceError as exc:
        item.status, item.error = "error", {"code": exc.code, "detail": exc.detail}
    except Exception:  # a bug must not stall the queue: record it and go on
        log.exception("batch row failed", extra={"batch": str(batch.id), "row": item.row_number})
        item.status = "error"
        item.error = {"code": "internal_error", "detail": "Unexpected error; see the server log."}
    if item.status == "error":
        mail.drop_for_row(session, item.id)
    item.finished_at = now


def _finish_batches(session: Session, batch_ids: set[uuid.UUID], now: datetime) -> None:
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
                .values(finished_at=now)
            )
