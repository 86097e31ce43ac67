"""A batch's results row by row, as the console shows them and as a CSV to download. A row
keeps no email or username (only their hashes), so a result names its recipient by the name
and the DID or URL given, never more."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import Batch, BatchItem
from badgeservice.domain.csv_cells import csv_text
from badgeservice.domain.urls import credential_url
from badgeservice.services import batches

RESULT_COLUMNS = (
    "row",
    "status",
    "name",
    "recipient",
    "credential_url",
    "error_code",
    "error_detail",
)
PAGE = 1000


@dataclass(frozen=True)
class ResultRow:
    row: int
    status: str
    name: str
    recipient: str
    credential_id: uuid.UUID | None
    credential_url: str
    error_code: str
    error_detail: str
    error: dict[str, Any] | None = None  # as stored, for pages that say it in words

    def cells(self) -> tuple[object, ...]:
        return (
            self.row,
            self.status,
            self.name,
            self.recipient,
            self.credential_url,
            self.error_code,
            self.error_detail,
        )


def result_rows(
    session: Session, batch: Batch, base_url: str, *, limit: int, offset: int
) -> list[ResultRow]:
    items = batches.batch_items(session, batch, limit=limit, offset=offset)
    return [_result(item, base_url) for item in items]


def _result(item: BatchItem, base_url: str) -> ResultRow:
    recipient: dict[str, Any] = (item.input or {}).get("recipient") or {}
    error: dict[str, Any] = item.error or {}
    return ResultRow(
        row=item.row_number,
        status=item.status,
        name=str(recipient.get("name") or ""),
        recipient=str(recipient.get("did") or recipient.get("url") or ""),
        credential_id=item.credential_id,
        credential_url=credential_url(base_url, item.credential_id) if item.credential_id else "",
        error_code=str(error.get("code") or ""),
        error_detail=error_detail(error),
        error=item.error,
    )


def error_detail(error: dict[str, Any]) -> str:
    """A row's error in one line: its detail, or each field's pointer and detail."""
    fields = error.get("errors") or []
    if fields:
        return "; ".join(f"{e.get('pointer', '')}: {e.get('detail', '')}" for e in fields)
    return str(error.get("detail") or "")


def results_csv(session: Session, batch: Batch, base_url: str) -> str:
    """Every row's result as CSV (``csv_cells.csv_text``: no cell is read as a formula)."""
    rows: list[ResultRow] = []
    for offset in range(0, batch.total, PAGE):
        rows += result_rows(session, batch, base_url, limit=PAGE, offset=offset)
    return csv_text(RESULT_COLUMNS, (row.cells() for row in rows))


def results_filename(batch: Batch) -> str:
    return f"batch-{batch.id}-results.csv"
