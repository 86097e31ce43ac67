"""``badgeservice issue`` and ``badgeservice batches show``: bulk issuance from the command line
under the API's rules. The batch options are checked by the API's own model (``BatchQuery``),
each row by the API's row check, each credential by the issuing service; the report is the
API's ``BatchOut``, printed as sentences or as JSON.

Exit codes of ``issue``: 0 every row issued, 1 a row was not issued (or the command failed),
2 usage error (an option the API would refuse).
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from badgeservice.api.routes.batches import batch_out
from badgeservice.api.schemas.common import validate_body
from badgeservice.api.schemas.credentials import BatchItemOut, BatchOut, BatchQuery, check_row
from badgeservice.clock import Clock
from badgeservice.db.engine import make_session_factory
from badgeservice.db.models import Batch, BatchItem
from badgeservice.errors import NotFoundError, ServiceError, ValidationFailedError
from badgeservice.services import achievements, batches, issuance, issuers, mail
from badgeservice.services.keystore import build_key_store
from badgeservice.settings import Settings
from badgeservice.worker import Worker

EXIT_ISSUED, EXIT_NOT_ISSUED, EXIT_USAGE = 0, 1, 2
ACTOR = "cli"
OPTIONS = {
    "format": "--format",
    "language": "--language",
    "validUntil": "--valid-until",
    "suspendable": "--suspendable",
}


def issue_options(
    credential_format: str, language: str | None, valid_until: str | None, suspendable: bool
) -> dict[str, Any]:
    """The batch options as the API takes them with a CSV upload, checked by the same model;
    what it refuses is a usage error (exit 2) naming the option."""
    query: dict[str, Any] = {"format": credential_format, "suspendable": suspendable}
    query |= {"language": language} if language is not None else {}
    query |= {"validUntil": valid_until} if valid_until is not None else {}
    try:
        options = validate_body(BatchQuery, query)
    except ValidationFailedError as error:
        for problem in error.errors:
            name = OPTIONS.get(problem.pointer.removeprefix("/body/"))
            typer.echo(f"error: {f'{name}: ' if name else ''}{_plain(problem.message)}", err=True)
        raise typer.Exit(EXIT_USAGE) from error
    return options.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"dry_run"})


def read_csv(path: Path) -> str:
    """The CSV's text; like the API, only UTF-8 (a BOM is fine)."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        typer.echo(f"error: {path} is not UTF-8 text; save the CSV as UTF-8.", err=True)
        raise typer.Exit(EXIT_USAGE) from error


def issue_csv(
    session: Session,
    settings: Settings,
    *,
    issuer_slug: str,
    achievement_id: uuid.UUID,
    text: str,
    options: dict[str, Any],
    dry_run: bool,
    clock: Clock,
    skip_existing: bool = False,
    notify: bool = True,
) -> int:
    """Check every row of the CSV, issue the good ones (or, ``dry_run``, only try), print the
    result; the exit code. ``clock``: the command's (the worker reads it per row)."""
    issuer = issuers.get_issuer(session, issuer_slug)
    achievement = achievements.get_issuable(session, issuer, achievement_id)
    upload = batches.read_csv(text)
    rows = [check_row(batches.csv_row_input(row)) for row in upload.rows]
    key_store = build_key_store(settings)
    batch = batches.create_batch(
        session,
        issuer,
        achievement,
        options,
        rows,
        actor=ACTOR,
        key_store=key_store,
        now=clock.now(),
        skip_existing=skip_existing,
        warnings=upload.warnings,
        notify_to=mail.batch_addresses(session, settings, issuer, asked=notify),
    )
    if dry_run:
        return _dry_run(session, settings, batch, clock)
    invalid = sum(row.error is not None for row in rows)
    session.commit()  # and read nothing until the worker is done: SQLite has one writer
    _work_off(session, batch, invalid, settings, clock)
    session.expire_all()
    report = batch_out(session, batch, settings, limit=batch.total, offset=0)
    print_batch(report)
    return EXIT_ISSUED if report.done + report.skipped == report.total else EXIT_NOT_ISSUED


def show_batch(session: Session, settings: Settings, batch_id: uuid.UUID, *, as_json: bool) -> None:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFoundError(f"Batch {batch_id} not found.")
    report = batch_out(session, batch, settings, limit=batch.total, offset=0)
    if as_json:
        typer.echo(report.model_dump_json(by_alias=True, indent=2))
    else:
        print_batch(report)


def print_batch(report: BatchOut) -> None:
    state = "finished" if report.finished else "in progress"
    typer.echo(
        f"batch {report.id} ({state}): {report.done} issued, {report.skipped} skipped, "
        f"{report.error} not issued, "
        f"{report.pending} pending, of {report.total} rows"
    )
    for item in report.items:
        typer.echo(f"  {_item_line(item)}")
    for warning in {w.code: w for item in report.items for w in item.warnings}.values():
        typer.echo(f"note: {warning.message}")
    if report.pending:
        typer.echo(f"rows still pending: see `badgeservice batches show {report.id}`")


def error_sentence(error: dict[str, Any]) -> str:
    """An error as stored for a row (the row check's field errors, or a service error's
    code and detail) as one sentence."""
    problems = error.get("errors") or []
    parts = [
        f"{_field(str(p.get('pointer', '')))}: {_plain(str(p.get('detail', '')))}"
        for p in problems
        if isinstance(p, dict)
    ]
    text = "; ".join(parts) or str(error.get("detail") or "not issued")
    return f"{text.rstrip('.')} ({error.get('code', 'error')})."


def error_of(exc: ServiceError) -> dict[str, Any]:
    """A service error in the shape ``error_sentence`` reads (field errors kept)."""
    errors = [{"pointer": e.pointer, "detail": e.message} for e in getattr(exc, "errors", [])]
    return {"code": exc.code, "detail": exc.detail} | ({"errors": errors} if errors else {})


def _item_line(item: BatchItemOut) -> str:
    if item.status == "done":
        return f"row {item.row}: issued, {item.credential_url}"
    if item.status == "error":
        return f"row {item.row} was not issued: {error_sentence(item.error or {})}"
    if item.status == "skipped":
        return f"row {item.row}: skipped, the recipient holds {item.credential_url}"
    return f"row {item.row}: pending"


def _field(pointer: str) -> str:
    """A JSON Pointer (``/recipient/email``, ``/body/validUntil``) in words."""
    return pointer.removeprefix("/body").strip("/").replace("/", " ") or "row"


def _plain(message: str) -> str:
    """pydantic's message without its ``Value error,`` prefix."""
    return message.removeprefix("Value error, ")


def _dry_run(session: Session, settings: Settings, batch: Batch, clock: Clock) -> int:
    """Every good row issued by the worker's own function, each inside a savepoint, then all
    of it rolled back: the service's rules (dates, language, signing and the self-check) run,
    nothing is stored."""
    issue_row = batches.row_issuer(settings.base_url, build_key_store(settings))
    items = batches.batch_items(session, batch, limit=batch.total, offset=0)
    lines, failed = [], 0
    for item in items:
        if item.status == "skipped":
            lines.append(f"row {item.row_number} would be skipped: the recipient holds it.")
            continue
        error = item.error
        if item.status != "error":
            error = _try_issue(session, batch, item, issue_row, clock)
        failed += error is not None
        lines.append(
            f"row {item.row_number} would not be issued: {error_sentence(error)}"
            if error is not None
            else f"row {item.row_number} would be issued to {_recipient(item.input)}."
        )
    warnings = issuance.issue_warnings(suspendable=bool(batch.options.get("suspendable")))
    described = _describe(batch.options)
    session.rollback()
    for line in lines:
        typer.echo(f"  {line}")
    for warning in warnings if failed < len(items) else ():
        typer.echo(f"note: {warning.message}")
    typer.echo(
        f"dry run: {len(items) - failed} of {len(items)} rows would be issued "
        f"({described}); nothing was issued."
    )
    return EXIT_ISSUED if failed == 0 else EXIT_NOT_ISSUED


def _try_issue(
    session: Session, batch: Batch, item: BatchItem, issue_row: batches.IssueRow, clock: Clock
) -> dict[str, Any] | None:
    savepoint = session.begin_nested()
    try:
        issue_row(session, batch, item.input, clock.now())
    except ServiceError as exc:
        return error_of(exc)
    finally:
        savepoint.rollback()
    return None


def _recipient(row: dict[str, Any]) -> str:
    """Who a row names, without the address itself: the name and the kind of identifier."""
    recipient = row.get("recipient") or {}
    kind = recipient.get("kind", "email") if "identityHash" in recipient else None
    members = ("email", "did", "url", "wikimediaUsername")
    kind = kind or next((k for k in members if k in recipient), "recipient")
    name = recipient.get("name")
    return f"{name} ({kind})" if name else f"a recipient without a name ({kind})"


def _describe(options: dict[str, Any]) -> str:
    described = [f"format {options.get('format', 'ldp')}"]
    if options.get("language"):
        described.append(f"language {options['language']}")
    if options.get("validUntil"):
        described.append(f"valid until {options['validUntil']}")
    if options.get("suspendable"):
        described.append("suspendable")
    return ", ".join(described)


def _work_off(
    session: Session, batch: Batch, invalid: int, settings: Settings, clock: Clock
) -> None:
    key_store = build_key_store(settings)
    runner = Worker(_factory_of(session), settings.base_url, key_store, clock=clock)
    with typer.progressbar(length=batch.total, label="issuing", file=sys.stderr) as bar:
        bar.update(invalid)
        while handled := runner.run_once():
            bar.update(handled)


def _factory_of(session: Session) -> sessionmaker[Session]:
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    return make_session_factory(bind)
