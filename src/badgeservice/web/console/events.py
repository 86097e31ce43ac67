"""``/console/{slug}/issue/event``: issue an achievement to the participants of an on-wiki
event (the CampaignEvents extension): the event's number and the achievement, then the
participants to tick (those holding it already are marked and left unticked), then one batch
of Wikimedia-username recipients, as ``GET …/events/{id}/participants`` and ``POST …/batches``
of the API do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Batch
from badgeservice.errors import (
    ConflictError,
    NotFoundError,
    ServiceError,
    ValidationFailedError,
)
from badgeservice.http.credential_bodies import check_row
from badgeservice.http.deps import ClockDep, KeyStoreDep, ProviderDep, SessionDep, SettingsDep
from badgeservice.remote import ProviderClient
from badgeservice.services import achievements, campaign_events, event_issuance
from badgeservice.services.keystore import KeyStore
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
from badgeservice.web.console.issue import achievement_choices
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
IssuingStaff = Annotated[Staff, StaffDep("credentials:issue")]
TEMPLATE = "console/event.html"
TITLE = N_("Issue to an event's participants")
MAX_ACHIEVEMENTS = 200

# What the page says for each problem code (the API's codes; the form's own for its fields).
MESSAGES = {
    "invalid_event": N_("Enter the event's number: a whole number above 0."),
    "invalid_achievement": N_("Choose one of the issuer's achievements."),
    "event_not_found": N_("The wiki has no event with this number."),
    "events_unreachable": N_(
        "The wiki could not be reached or answered with an error. Please try again later."
    ),
    "events_bad_answer": N_("The wiki's answer could not be read. Please try again later."),
    "too_many_participants": N_(
        "This event has more than 5,000 participants: too many to issue to from here."
    ),
    "no_recipients": N_("Tick at least one participant."),
    "invalid": N_("A ticked username is not one the wiki gives. Please reload the page."),
    "idempotency_key_mismatch": N_(
        "This form was sent already with other choices. Please reload the page."
    ),
    "idempotency_key_in_use": N_("This form is being sent already. Please wait a moment."),
}


@dataclass
class EventForm:
    """What was asked (the fields as typed) and what is wrong with it, field → code."""

    event: str = ""
    achievement: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    event_id: int | None = None
    chosen: Achievement | None = None


@dataclass(frozen=True)
class Context:
    """What every render of the page needs."""

    request: Request
    session: Session
    staff: Staff
    settings: Settings
    client: ProviderClient
    key_store: KeyStore


def get_context(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    client: ProviderDep,
    key_store: KeyStoreDep,
    staff: IssuingStaff,
) -> Context:
    return Context(request, session, staff, settings, client, key_store)


ContextDep = Annotated[Context, Depends(get_context)]


@router.get("/console/{slug}/issue/event", response_class=Response)
def event_page(
    page: ContextDep, clock: ClockDep, event: str | None = None, achievement: str | None = None
) -> Response:
    """The form; with ``?event=&achievement=`` the event's participants to tick."""
    if event is None and achievement is None:
        return _render(page, EventForm())
    form = _checked(page, EventForm(event.strip() if event else "", achievement or ""))
    return _listing(page, form, clock.now())


async def posted_usernames(
    request: Request, staff: IssuingStaff
) -> tuple[dict[str, str], list[str]]:
    """The form's fields (CSRF checked) and the ticked usernames."""
    fields = await console_form(request, staff)
    form = await request.form()
    return fields, [value for value in form.getlist("username") if isinstance(value, str)]


@router.post("/console/{slug}/issue/event", response_class=Response)
def issue_to_event(
    page: ContextDep,
    clock: ClockDep,
    posted: Annotated[tuple[dict[str, str], list[str]], Depends(posted_usernames)],
) -> Response:
    """One batch for the ticked participants; then the batch's progress page."""
    fields, ticked = posted
    form = _checked(page, EventForm(fields.get("event", ""), fields.get("achievement", "")))
    if form.errors:
        return _render(page, form, status_code=422)
    try:
        batch = _issue(page, form, ticked, fields.get("key") or None, clock.now())
    except (ValidationFailedError, ConflictError) as exc:
        form.errors["usernames"] = _code(exc)
        return _listing(page, form, clock.now(), status_code=exc.status)
    page.session.commit()
    return see_other(console_url(page.staff.issuer.slug, "batches", str(batch.id)))


def _issue(
    page: Context, form: EventForm, ticked: list[str], key: str | None, now: datetime
) -> Batch:
    assert form.chosen is not None
    assert form.event_id is not None
    return event_issuance.issue_to_participants(
        page.session,
        page.staff.issuer,
        form.chosen,
        event_issuance.chosen_usernames(ticked),
        event_id=form.event_id,
        idempotency_key=key,
        actor=page.staff.principal.actor,
        key_store=page.key_store,
        settings=page.settings,
        now=now,
        check_row=check_row,
    )


def _code(exc: ServiceError) -> str:
    """The first field's code (a ticked name), else the error's own."""
    errors = getattr(exc, "errors", None)
    return str(errors[0].code) if errors else exc.code


def _checked(page: Context, form: EventForm) -> EventForm:
    """``form`` with its event number and achievement read, or the codes of what is wrong."""
    if len(form.event) <= 19 and form.event.isascii() and form.event.isdigit():
        number = int(form.event)
        if 1 <= number <= campaign_events.MAX_EVENT_ID:
            form.event_id = number
    if form.event_id is None:
        form.errors["event"] = "invalid_event"
    try:
        achievement_id = uuid.UUID(form.achievement)
        form.chosen = achievements.get_issuable(page.session, page.staff.issuer, achievement_id)
    except (ValueError, NotFoundError):
        form.errors["achievement"] = "invalid_achievement"
    return form


def _listing(page: Context, form: EventForm, now: datetime, status_code: int = 200) -> Response:
    """The page with the event's participants, or the form with what went wrong."""
    if form.event_id is None or form.chosen is None:
        return _render(page, form, status_code=422)
    page.session.close()  # no database connection is held while the wiki answers
    try:
        found = campaign_events.fetch_participants(page.settings, page.client, form.event_id)
    except campaign_events.CampaignEventsError as exc:
        form.errors["event"] = exc.code
        return _render(page, form, status_code=exc.status)
    names = [p.username for p in found.participants]
    held = event_issuance.holders(
        page.session, page.key_store, page.staff.issuer, form.chosen, names, now=now
    )
    rows = [{"participant": p, "holds": p.username in held} for p in found.participants]
    listing = {"rows": rows, "skipped": found.skipped, "held": len(held), "key": uuid.uuid4().hex}
    return _render(page, form, listing, status_code=status_code)


def _render(
    page: Context, form: EventForm, listing: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    language = i18n.negotiate(page.request)
    errors = form.errors.items()
    context = {
        "title": i18n.gettext(language, TITLE),
        "form": form,
        "messages": {name: MESSAGES.get(code, MESSAGES["invalid"]) for name, code in errors},
        **_choices(page, language),
        "listing": listing,
        "action": console_url(page.staff.issuer.slug, "issue", "event"),
    }
    return render_console(
        page.request, TEMPLATE, context, page.staff, status_code=status_code, section="issue"
    )


def _choices(page: Context, language: str) -> dict[str, list[tuple[str, str]]]:
    choices = achievement_choices(page.session, page.staff, language, MAX_ACHIEVEMENTS)
    return {"achievements": choices.options, "shared_achievements": choices.shared_options}
