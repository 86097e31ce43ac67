"""`/api/v1/issuers/{slug}/batches`: bulk issuance from JSON or CSV, worked off by workers."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status
from sqlalchemy.orm import Session

from badgeservice.api.schemas.common import Limit, Offset, Page, WarningOut, validate_body
from badgeservice.api.schemas.credentials import (
    BatchIn,
    BatchItemOut,
    BatchOut,
    BatchPreviewOut,
    BatchQuery,
    BatchSummaryOut,
    PreviewRowOut,
    check_csv,
    check_row,
    csv_batch_fields,
)
from badgeservice.db.models import Batch, Issuer
from badgeservice.domain.urls import batch_url, credential_url
from badgeservice.errors import MalformedRequestError, UnsupportedMediaTypeError
from badgeservice.http.attachments import csv_attachment
from badgeservice.http.deps import (
    ClockDep,
    IssuerDep,
    KeyStoreDep,
    PrincipalDep,
    RawBodyDep,
    SessionDep,
    SettingsDep,
)
from badgeservice.http.problems import problem_responses
from badgeservice.services import batch_results as batch_results_service
from badgeservice.services import batch_rows, batches, idempotency, issuance
from badgeservice.services.batch_rows import RowCheck
from badgeservice.services.keystore import KeyStore
from badgeservice.settings import Settings

router = APIRouter(prefix="/api/v1/issuers/{slug}/batches", tags=["batches"])
_ERRORS = problem_responses(401, 403, 404, 409, 413, 415, 422)
CSV_EXAMPLE = (
    "name,email,evidence_url,narrative\n"
    "Ada Lovelace,ada@example.org,https://example.org/e/1,Made 12 edits\n"
)
JSON_EXAMPLE = {
    "achievementId": "7f9c0c8e-0000-4000-8000-000000000000",
    "validUntil": "2030-01-01T00:00:00Z",
    "recipients": [
        {"recipient": {"email": "ada@example.org", "name": "Ada Lovelace"}},
        {
            "recipient": {"email": "grace@example.org", "name": "Grace Hopper"},
            "evidence": [{"id": "https://example.org/e/2", "name": "Workshop edits"}],
        },
        {"recipient": {"did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}},
    ],
}
# The JSON body is read by the route itself (it may be CSV), so FastAPI does not list it.
COMPONENT_SCHEMAS = (BatchIn,)
OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/BatchIn"},
                "example": JSON_EXAMPLE,
            },
            "text/csv": {
                "schema": {"type": "string"},
                "example": CSV_EXAMPLE,
            },
        },
    }
}


@dataclass(frozen=True)
class Upload:
    """A batch request as read: its fields, checked rows, and warnings about the upload."""

    fields: dict[str, Any]
    rows: list[RowCheck]
    warnings: list[dict[str, str]]
    language_pointer: str


def _read(request: Request, content: bytes, query: dict[str, Any]) -> Upload:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json":
        try:
            data = json.loads(content)
        except ValueError as exc:
            raise MalformedRequestError("The body is not valid JSON.") from exc
        body = validate_body(BatchIn, data)
        fields = body.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude={"recipients"}
        )
        return Upload(fields, [check_row(row) for row in body.recipients], [], "/body/language")
    if media_type == "text/csv":
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedRequestError("The CSV must be UTF-8.") from exc
        fields = csv_batch_fields(query)
        rows, warnings = check_csv(text)
        return Upload(fields, rows, warnings, "/query/language")
    raise UnsupportedMediaTypeError("Send application/json or text/csv.")


def batch_summary(
    session: Session, batch: Batch, settings: Settings, counts: dict[str, int]
) -> BatchSummaryOut:
    return BatchSummaryOut(
        id=batch.id,
        url=batch_url(settings.base_url, batch_slug(session, batch), batch.id),
        achievement_id=batch.achievement_id,
        status="finished" if batch.finished_at is not None else "pending",
        total=batch.total,
        finished=batch.finished_at is not None,
        created_at=batch.created_at,
        warnings=[WarningOut.model_validate(w) for w in batch.warnings or []],
        **counts,
    )


def batch_out(
    session: Session, batch: Batch, settings: Settings, *, limit: int, offset: int
) -> BatchOut:
    summary = batch_summary(session, batch, settings, batches.progress(session, batch))
    found = issuance.issue_warnings(suspendable=bool(batch.options.get("suspendable")))
    issued = [WarningOut.model_validate(w) for w in found]
    items = [
        BatchItemOut(
            row=item.row_number,
            status=item.status,
            credential_id=item.credential_id,
            credential_url=credential_url(settings.base_url, item.credential_id)
            if item.credential_id
            else None,
            error=item.error,
            warnings=[WarningOut.model_validate(w) for w in item.warnings or []]
            + (issued if item.status == "done" else []),
        )
        for item in batches.batch_items(session, batch, limit=limit, offset=offset)
    ]
    return BatchOut(**summary.model_dump(), items=items)


def batch_slug(session: Session, batch: Batch) -> str:
    return batches.issuer_of(session, batch).slug


@router.post("", status_code=status.HTTP_202_ACCEPTED, responses=_ERRORS, openapi_extra=OPENAPI)
def create_batch(
    issuer: Annotated[Issuer, IssuerDep("credentials:issue")],
    request: Request,
    content: RawBodyDep,
    response: Response,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    options: Annotated[BatchQuery, Query()] = BatchQuery(),
) -> BatchOut | BatchPreviewOut:
    """Issue one achievement to many recipients, as JSON (`recipients`) or as CSV (columns
    `name`, `email`, `did`, `url`, `evidence_url`, `narrative`, separated by
    `,`, `;` or tab; the achievement and options as query parameters). Rows are checked
    now: bad rows are reported at once, good rows are issued by the workers. Poll the batch
    URL for progress. With `dryRun=true`: 200 and each row as it would be (errors,
    warnings), nothing issued or stored (the `Idempotency-Key` is not used)."""
    query = options.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"dry_run"})
    if options.dry_run:
        response.status_code = status.HTTP_200_OK
        return _preview(session, issuer, _read(request, content, query), key_store, clock.now())
    # the query is part of the request: a CSV's achievement and options are in it
    attempt = idempotency.idempotent_request(issuer, idempotency_key, "batch", content, query)
    replay = attempt.replay(session)
    if replay is not None:
        batch = batches.get_batch(session, issuer, replay)
        return batch_out(session, batch, settings, limit=100, offset=0)
    upload = _read(request, content, query)
    batch = _new_batch(session, issuer, upload, principal.actor, key_store, settings, clock.now())
    attempt.remember(session, batch.id)
    session.commit()
    out = batch_out(session, batch, settings, limit=100, offset=0)
    response.headers["Location"] = out.url
    return out


def _new_batch(
    session: Session,
    issuer: Issuer,
    upload: Upload,
    actor: str,
    key_store: KeyStore,
    settings: Settings,
    now: datetime,
) -> Batch:
    return batches.new_batch(
        session,
        settings,
        issuer,
        upload.fields,
        upload.rows,
        actor=actor,
        key_store=key_store,
        now=now,
        warnings=upload.warnings,
        language_pointer=upload.language_pointer,
    )


def _preview(
    session: Session, issuer: Issuer, upload: Upload, key_store: KeyStore, now: datetime
) -> BatchPreviewOut:
    preview = batch_rows.preview_batch(
        session,
        issuer,
        upload.fields,
        upload.rows,
        key_store=key_store,
        now=now,
        warnings=upload.warnings,
        language_pointer=upload.language_pointer,
    )
    return preview_out(preview)


def preview_out(preview: batch_rows.BatchPreview) -> BatchPreviewOut:
    return BatchPreviewOut(
        total=preview.total,
        valid=preview.valid,
        invalid=preview.invalid,
        warnings=preview.warned,
        upload_warnings=[WarningOut.model_validate(w) for w in preview.warnings],
        rows=[PreviewRowOut.model_validate(row, from_attributes=True) for row in preview.rows],
    )


@router.get("/{batch_id}/results.csv", responses=_ERRORS, response_class=Response)
def batch_results(
    issuer: Annotated[Issuer, IssuerDep("credentials:read")],
    batch_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Every row's result as CSV (row, status, name, recipient, credentialUrl, error): the
    name, DID or URL as given, never an email or username (a row keeps only their hashes).
    A cell that a spreadsheet would read as a formula starts with `'`."""
    batch = batches.get_batch(session, issuer, batch_id)
    text = batch_results_service.results_csv(session, batch, settings.base_url)
    return csv_attachment(text, batch_results_service.results_filename(batch))


@router.get("", responses=_ERRORS)
def list_batches(
    issuer: Annotated[Issuer, IssuerDep("credentials:read")],
    session: SessionDep,
    settings: SettingsDep,
    batch_status: Annotated[Literal["pending", "finished"] | None, Query(alias="status")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[BatchSummaryOut]:
    """The issuer's batches, newest first (`status`: pending or finished), without rows."""
    found, total = batches.list_batches(
        session, issuer, status=batch_status, limit=limit, offset=offset
    )
    counts = batches.progress_of(session, [batch.id for batch in found])
    items = [batch_summary(session, b, settings, counts[b.id]) for b in found]
    return Page[BatchSummaryOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/{batch_id}", responses=_ERRORS)
def get_batch(
    issuer: Annotated[Issuer, IssuerDep("credentials:read")],
    batch_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> BatchOut:
    """Progress and per-row results (`limit`/`offset` page the rows)."""
    batch = batches.get_batch(session, issuer, batch_id)
    return batch_out(session, batch, settings, limit=limit, offset=offset)
