"""``/console/{slug}/batches``: the issuer's batches with their progress, one batch's rows as
they are issued, and its results as CSV (the API's ``results.csv``, the same escaping)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Batch
from badgeservice.domain.languages import pick_text
from badgeservice.http.attachments import csv_attachment
from badgeservice.http.deps import SessionDep, SettingsDep
from badgeservice.services import batch_results, batches
from badgeservice.web import i18n
from badgeservice.web.console.common import Staff, StaffDep, console_url, render_console
from badgeservice.web.console.issue_words import row_problems
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
Reading = Annotated[Staff, StaffDep("credentials:read")]
PAGE_SIZE = 50
SHOWN_ROWS = 500
REFRESH_SECONDS = 2


def _achievement_name(session: Session, batch: Batch, language: str) -> str:
    achievement = session.get(Achievement, batch.achievement_id)
    if achievement is None:
        return ""
    return pick_text(achievement.name, language, achievement.default_language)[1]


def _summary(
    session: Session, staff: Staff, batch: Batch, counts: dict[str, int], language: str
) -> dict[str, Any]:
    handled = batch.total - counts["pending"]
    return {
        "id": batch.id,
        "href": console_url(staff.issuer.slug, "batches", str(batch.id)),
        "created_at": batch.created_at,
        "achievement": _achievement_name(session, batch, language),
        "total": batch.total,
        "handled": handled,
        "finished": batch.finished_at is not None,
        "counts": counts,
    }


@router.get("/console/{slug}/batches", response_class=Response)
def batch_list(
    request: Request,
    session: SessionDep,
    staff: Reading,
    page: Annotated[str, Query()] = "1",
) -> Response:
    """The issuer's batches, newest first, each with its progress."""
    language = i18n.negotiate(request)
    number = int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1
    found, total = batches.list_batches(
        session, staff.issuer, status=None, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )
    counts = batches.progress_of(session, [batch.id for batch in found])
    context = {
        "title": i18n.gettext(language, N_("Batches")),
        "batches": [_summary(session, staff, b, counts[b.id], language) for b in found],
        "page": number,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "base": console_url(staff.issuer.slug, "batches"),
    }
    return render_console(request, "console/batches.html", context, staff, section="batches")


def _batch_of(session: Session, staff: Staff, batch_id: str) -> Batch:
    try:
        wanted = uuid.UUID(batch_id)
    except ValueError:
        wanted = uuid.UUID(int=0)  # no batch has it: the usual 404
    return batches.get_batch(session, staff.issuer, wanted)


@router.get("/console/{slug}/batches/{batch_id}", response_class=Response)
def batch_page(
    request: Request, batch_id: str, session: SessionDep, settings: SettingsDep, staff: Reading
) -> Response:
    """Progress while the workers issue (the page reloads itself), then each row's result."""
    language = i18n.negotiate(request)
    batch = _batch_of(session, staff, batch_id)
    summary = _summary(session, staff, batch, batches.progress(session, batch), language)
    results = []
    if summary["finished"]:
        base_url = settings.base_url
        shown = batch_results.result_rows(session, batch, base_url, limit=SHOWN_ROWS, offset=0)
        results = [_result(staff, row, language) for row in shown]
    context = {
        "title": i18n.gettext(language, N_("Batch")),
        "batch": summary,
        "results": results,
        "more": batch.total > SHOWN_ROWS,
        "refresh": 0 if summary["finished"] else REFRESH_SECONDS,
        "warnings": batch.warnings or [],
        "download": console_url(staff.issuer.slug, "batches", str(batch.id), "results.csv"),
    }
    return render_console(request, "console/batch.html", context, staff, section="batches")


def _result(staff: Staff, row: batch_results.ResultRow, language: str) -> dict[str, Any]:
    return {
        "row": row.row,
        "status": row.status,
        "name": row.name,
        "recipient": row.recipient,
        "credential": console_url(staff.issuer.slug, "credentials", str(row.credential_id))
        if row.credential_id
        else "",
        "problems": row_problems(language, row.error),
    }


@router.get("/console/{slug}/batches/{batch_id}/results.csv", response_class=Response)
def batch_results_csv(
    batch_id: str, session: SessionDep, settings: SettingsDep, staff: Reading
) -> Response:
    """Every row's result as CSV, as the API gives it."""
    batch = _batch_of(session, staff, batch_id)
    text = batch_results.results_csv(session, batch, settings.base_url)
    return csv_attachment(text, batch_results.results_filename(batch))
