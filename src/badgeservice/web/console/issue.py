"""``/console/{slug}/issue``: issue a credential to one person, or to many from a CSV file
(preview first: nothing is issued until every row is fine). Both go through the services the
API's ``POST …/credentials`` and ``POST …/batches`` call, with the API's input models, and an
idempotency key generated into the form, so a double click issues once."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from badgeservice.db.models import Achievement
from badgeservice.domain.achievement import achievement_languages
from badgeservice.domain.languages import pick_text
from badgeservice.errors import FieldError, NotFoundError, ServiceError, ValidationFailedError
from badgeservice.http.bodies import validate_body
from badgeservice.http.credential_bodies import IssueIn, check_csv, csv_batch_fields
from badgeservice.http.deps import ClockDep, KeyStoreDep, SessionDep, SettingsDep
from badgeservice.services import achievements, batch_rows, batches, catalogue, idempotency
from badgeservice.services.idempotency import IdempotencyKeyInUseError
from badgeservice.services.keystore import KeyStore
from badgeservice.services.single_issuance import issue_one
from badgeservice.settings import Settings
from badgeservice.web import i18n
from badgeservice.web.console.common import (
    Staff,
    StaffDep,
    console_form,
    console_url,
    render_console,
    see_other,
)
from badgeservice.web.console.issue_words import field_errors, row_problems, words
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
Issuing = Annotated[Staff, StaffDep("credentials:issue")]
# The form's recipient kinds → the API's recipient member.
RECIPIENT_KINDS = {
    "wikimedia": ("wikimediaUsername", N_("Wikimedia username")),
    "email": ("email", N_("Email address")),
    "did": ("did", N_("DID")),
    "url": ("url", N_("Web address (URL)")),
}
# An API pointer's first member → the form field it is shown next to.
ONE_FIELDS = {
    "achievementId": "achievement",
    "recipient": "recipient",
    "narrative": "narrative",
    "evidence": "evidence",
    "language": "language",
}
CSV_FIELDS = {
    "achievementId": "csv-achievement",
    "language": "csv-achievement",
    "file": "csv-file",
    "body": "csv-file",
}
MAX_ACHIEVEMENTS = 500


@dataclass(frozen=True)
class AchievementChoices:
    """What an issue form's achievement menu offers: the issuer's own achievements, then
    those other issuers share in the catalogue (each ``(id, name)``, in ``language``)."""

    own: list[Achievement]
    shared: list[tuple[Achievement, str]]  # with the defining issuer's name
    language: str

    @property
    def options(self) -> list[tuple[str, str]]:
        return [(str(a.id), _name(a, self.language)) for a in self.own]

    @property
    def shared_options(self) -> list[tuple[str, str]]:
        label = i18n.gettext(self.language, N_("%(name)s, defined by %(issuer)s"))
        return [
            (str(a.id), label % {"name": _name(a, self.language), "issuer": by})
            for a, by in self.shared
        ]

    @property
    def all(self) -> list[Achievement]:
        return [*self.own, *(a for a, _by in self.shared)]


def achievement_choices(
    session: Session, staff: Staff, language: str, limit: int = MAX_ACHIEVEMENTS
) -> AchievementChoices:
    """The achievements ``staff``'s issuer may issue (``achievements.get_issuable``'s rule)."""
    own, _total = achievements.list_achievements(session, staff.issuer, limit=limit, offset=0)
    shared = catalogue.shared_by_others(session, staff.issuer, limit=limit)
    return AchievementChoices(own, [(a, by.name) for a, by in shared], language)


def _choices(session: Session, staff: Staff, language: str) -> dict[str, Any]:
    choices = achievement_choices(session, staff, language)
    offered = sorted({tag for a in choices.all for tag in _languages(a)})
    return {
        "achievements": choices.options,
        "shared_achievements": choices.shared_options,
        "language_choices": [(tag, i18n.language_name(tag)) for tag in offered],
        "kinds": [(k, i18n.gettext(language, label)) for k, (_m, label) in RECIPIENT_KINDS.items()],
    }


def _languages(achievement: Achievement) -> list[str]:
    return achievement_languages(achievement.default_language, achievement.name)


def _name(achievement: Achievement, language: str) -> str:
    return pick_text(achievement.name, language, achievement.default_language)[1]


def _page(
    request: Request,
    session: Session,
    staff: Staff,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    form: str = "",
    status_code: int = 200,
) -> Response:
    """The issue page; ``form`` (``one`` or ``csv``) is the form the errors are about."""
    language = i18n.negotiate(request)
    defaults = {"kind": "wikimedia", "notify": "on", "key": str(uuid.uuid4())}
    context = {
        "title": i18n.gettext(language, N_("Issue credentials")),
        "values": defaults | (values or {}),
        "errors": errors or {},
        "form": form,
        "action": console_url(staff.issuer.slug, "issue"),
        **_choices(session, staff, language),
    }
    return render_console(
        request, "console/issue.html", context, staff, status_code, section="issue"
    )


@router.get("/console/{slug}/issue", response_class=Response)
def issue_page(request: Request, session: SessionDep, staff: Issuing) -> Response:
    """The two forms: one person, and a CSV file of many."""
    return _page(request, session, staff)


def form_key(form: dict[str, str]) -> str | None:
    """The idempotency key the page put in the form (a UUID), or none for anything else."""
    try:
        return "console:" + str(uuid.UUID(form.get("key", "")))
    except ValueError:
        return None


def one_body(form: dict[str, str]) -> dict[str, Any]:
    """The "one person" form as the API's ``IssueIn`` body."""
    member = RECIPIENT_KINDS.get(form.get("kind", ""), RECIPIENT_KINDS["email"])[0]
    recipient = {member: form.get("recipient", "").strip()}
    if form.get("name", "").strip():
        recipient["name"] = form["name"]
    body: dict[str, Any] = {"achievementId": form.get("achievement", ""), "recipient": recipient}
    if form.get("narrative", "").strip():
        body["narrative"] = form["narrative"]
    if form.get("evidence", "").strip():
        body["evidence"] = [{"id": form["evidence"].strip()}]
    if form.get("language"):
        body["language"] = form["language"]
    return body | {"notify": form.get("notify") == "on"}


@router.post("/console/{slug}/issue", response_class=Response)
async def issue_one_person(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
    staff: Issuing,
) -> Response:
    """Issue to one person; then to the credential's console page."""
    form = await console_form(request, staff)
    try:
        issued = _issue_form(session, staff, form, settings, key_store, clock.now())
    except ServiceError as exc:
        session.rollback()
        return _errors_page(request, session, staff, form, exc, "one")
    session.commit()
    return see_other(console_url(staff.issuer.slug, "credentials", str(issued)), "issued")


def _issue_form(
    session: Session,
    staff: Staff,
    form: dict[str, str],
    settings: Settings,
    key_store: KeyStore,
    now: datetime,
) -> uuid.UUID:
    """The credential the form asks for, checked by the API's ``IssueIn``: issued now, or
    for a second click of the same form, the one the first click issued."""
    body = validate_body(IssueIn, one_body(form))
    attempt = idempotency.idempotent_request(
        staff.issuer, form_key(form), "credential", body.model_dump(mode="json")
    )
    fields = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    actor = staff.principal.actor
    try:
        issued = issue_one(
            session,
            settings,
            staff.issuer,
            fields,
            attempt,
            actor=actor,
            key_store=key_store,
            now=now,
        )
    except IdempotencyKeyInUseError:  # the other click committed first
        session.rollback()
        replay = attempt.replay(session)
        if replay is None:
            raise
        return replay
    return issued.credential.id


# --- many people: a CSV file, previewed, then issued as a batch ----------------------------


def _csv_options(form: dict[str, str]) -> dict[str, Any]:
    return {
        "achievementId": form.get("achievement", ""),
        "skipExisting": form.get("skip_existing") == "on",
        "notify": form.get("notify") == "on",
    }


async def _uploaded_text(request: Request) -> str:
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailedError(errors=[FieldError("/file", "no file", "file_missing")])
    content = await upload.read()
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = FieldError("/file", "not UTF-8", "csv_not_utf8")
        raise ValidationFailedError(errors=[problem]) from exc


@dataclass(frozen=True)
class CheckedFile:
    """A CSV file as the preview shows it: the batch's fields, its text and its rows."""

    fields: dict[str, Any]
    text: str
    rows: list[batch_rows.RowCheck]
    warnings: list[dict[str, str]]
    preview: batch_rows.BatchPreview


def _check_file(
    session: Session,
    staff: Staff,
    form: dict[str, str],
    text: str,
    key_store: KeyStore,
    now: datetime,
) -> CheckedFile:
    """The file checked by the rules a batch is (``batch_rows.preview_batch``); a
    ``ServiceError`` for what refuses it whole."""
    fields = csv_batch_fields(_csv_options(form))
    rows, warnings = check_csv(text)
    preview = batch_rows.preview_batch(
        session, staff.issuer, fields, rows, key_store=key_store, now=now, warnings=warnings
    )
    return CheckedFile(fields, text, rows, warnings, preview)


def _errors_page(
    request: Request,
    session: Session,
    staff: Staff,
    form: dict[str, str],
    exc: ServiceError,
    which: str,
) -> Response:
    """The issue page again, the problems of its ``one`` or ``csv`` form next to its fields."""
    fields, default = (ONE_FIELDS, "") if which == "one" else (CSV_FIELDS, "csv-file")
    if isinstance(exc, NotFoundError):  # an achievement id that is not the issuer's
        default = "achievement" if which == "one" else "csv-achievement"
    errors = field_errors(i18n.negotiate(request), exc, fields, default)
    return _page(request, session, staff, values=form, errors=errors, form=which, status_code=422)


def _encoded(text: str) -> str:
    """The checked file as the preview's form carries it to ``issue/csv``."""
    return base64.b64encode(text.encode()).decode()


def _hidden_csv(form: dict[str, str]) -> str:
    try:
        return base64.b64decode(form.get("csv", ""), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailedError(errors=[FieldError("/file", "bad", "file_missing")]) from exc


def _preview_page(
    request: Request,
    session: Session,
    staff: Staff,
    checked: CheckedFile,
    form: dict[str, str],
    status_code: int = 200,
) -> Response:
    language = i18n.negotiate(request)
    preview = checked.preview
    kept = {k: v for k, v in form.items() if k in ("achievement", "skip_existing", "notify")}
    rows = [
        {
            "row": row.row,
            "recipient": row.recipient,
            "name": row.name or "",
            "status": row.status,
            "problems": row_problems(language, {"errors": row.errors}) if row.errors else [],
            "warnings": [
                {"words": words(language, w.get("code")), "code": w.get("code", "")}
                for w in row.warnings
            ],
        }
        for row in preview.rows
    ]
    context = {
        "title": i18n.gettext(language, N_("Check the file")),
        "preview": preview,
        "rows": rows,
        "upload_warnings": [words(language, w.get("code")) for w in preview.warnings],
        "values": {"key": str(uuid.uuid4()), **kept, "csv": _encoded(checked.text)},
        "action": console_url(staff.issuer.slug, "issue"),
        "errors": {},
        "form": "csv",
        **_choices(session, staff, language),
    }
    return render_console(
        request, "console/issue_preview.html", context, staff, status_code, section="issue"
    )


@router.post("/console/{slug}/issue/preview", response_class=Response)
async def preview_csv(
    request: Request, session: SessionDep, key_store: KeyStoreDep, clock: ClockDep, staff: Issuing
) -> Response:
    """Each row of the file as it would be issued; nothing is issued or stored."""
    form = await console_form(request, staff)
    try:
        text = await _uploaded_text(request)
        checked = _check_file(session, staff, form, text, key_store, clock.now())
    except ServiceError as exc:
        return _errors_page(request, session, staff, form, exc, "csv")
    return _preview_page(request, session, staff, checked, form)


@router.post("/console/{slug}/issue/csv", response_class=Response)
async def issue_csv(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
    staff: Issuing,
) -> Response:
    """Issue the previewed file as a batch (checked again: a row in error issues nothing)."""
    form, now = await console_form(request, staff), clock.now()
    try:
        checked = _check_file(session, staff, form, _hidden_csv(form), key_store, now)
        if checked.preview.invalid:
            return _preview_page(request, session, staff, checked, form, status_code=422)
        batch_id = _new_batch(session, staff, form_key(form), checked, settings, key_store, now)
    except ServiceError as exc:
        session.rollback()
        return _errors_page(request, session, staff, form, exc, "csv")
    session.commit()
    return see_other(console_url(staff.issuer.slug, "batches", str(batch_id)), "batch_created")


def _new_batch(
    session: Session,
    staff: Staff,
    key: str | None,
    checked: CheckedFile,
    settings: Settings,
    key_store: KeyStore,
    now: datetime,
) -> uuid.UUID:
    """The batch of the file, made once per idempotency key (a second click finds it)."""
    fields = checked.fields
    attempt = idempotency.idempotent_request(
        staff.issuer, key, "batch", checked.text.encode(), fields
    )
    replay = attempt.replay(session)
    if replay is not None:
        return replay
    batch = batches.new_batch(
        session,
        settings,
        staff.issuer,
        fields,
        checked.rows,
        actor=staff.principal.actor,
        key_store=key_store,
        now=now,
        warnings=checked.warnings,
    )
    attempt.remember(session, batch.id)
    return batch.id
