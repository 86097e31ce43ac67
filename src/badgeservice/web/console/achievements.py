"""``/console/{slug}/achievements``: the issuer's achievements, and the editor that creates
and changes one: its texts per language side by side, its image, alignments and results, and
a preview of the credential page before saving. Saving calls the services the API's
achievement routes call, with the body the API validates (``achievement_form``)."""

from __future__ import annotations

import base64
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from badgeservice.db.models import Achievement
from badgeservice.domain.achievement import ACHIEVEMENT_TYPES, ALIGNMENT_TARGET_TYPES, RESULT_TYPES
from badgeservice.domain.languages import LanguageTagError, normalize_language, pick_text
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.http.deps import ClockDep, SessionDep, SettingsDep
from badgeservice.http.middleware import page_policy
from badgeservice.services import achievements, images, previews
from badgeservice.settings import Settings
from badgeservice.web import credential_page, i18n
from badgeservice.web.console import skill_picker
from badgeservice.web.console.achievement_form import (
    AchievementForm,
    achievement_in,
    error_field,
    form_of_body,
    parse_form,
)
from badgeservice.web.console.common import (
    Staff,
    StaffDep,
    console_form,
    console_url,
    render_console,
    see_other,
)
from badgeservice.web.i18n import N_

router = APIRouter(include_in_schema=False)
LIST_LIMIT = 200
# Languages offered by "Add a language" (any BCP 47 tag works through the API).
OFFERED_LANGUAGES = (
    *i18n.LANGUAGES,
    *("it", "nl", "pt", "pl", "cs", "sv", "da", "fi", "nb", "uk", "ru", "tr", "el", "he"),
    *("fa", "hi", "bn", "id", "vi", "th", "zh", "ko", "sw", "eu", "ca", "gl", "cy"),
)
FIELD_NAMES = {
    "name": N_("name"),
    "description": N_("description"),
    "narrative": N_("criteria"),
}
# API error codes said in words; any other shows the API's own message.
ERROR_WORDS = {
    "missing": N_("Fill this in."),
    "string_too_short": N_("Fill this in."),
    "dict_too_short": N_("Fill this in."),
    "string_too_long": N_("This is too long."),
    "too_long": N_("There are too many of these."),
    "url_parsing": N_("Enter a web address starting with https:// or http://."),
    "url_scheme": N_("Enter a web address starting with https:// or http://."),
    "string_pattern_mismatch": N_("Enter an email address."),
    "nul_character": N_("Remove the NUL character from this text."),
}
SAVED = N_("The achievement is saved.")
PREVIEW_RECIPIENT = N_("Alex Example")


@router.get("/console/{slug}/achievements", response_class=Response)
def list_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: Annotated[Staff, StaffDep("achievements:read")],
) -> Response:
    """The issuer's achievements: image, name in the page's language, languages, issued."""
    found, total = achievements.list_achievements(session, staff.issuer, limit=LIST_LIMIT, offset=0)
    counts = achievements.issued_counts(session, staff.issuer)
    language = i18n.negotiate(request)
    rows = [_row(a, language, counts.get(a.id, 0), settings, staff) for a in found]
    context = {"rows": rows, "total": total, "notice": request.query_params.get("notice", "")}
    return render_console(
        request, "console/achievements.html", context, staff, section="achievements"
    )


@router.get("/console/{slug}/achievements/new", response_class=Response)
def new_page(
    request: Request, session: SessionDep, staff: Annotated[Staff, StaffDep("achievements:write")]
) -> Response:
    language = i18n.negotiate(request)
    form = form_of_body({"defaultLanguage": language})
    skills = skill_picker.state(session, "", language)
    return _editor(request, staff, form, None, None, skills=skills)


@router.post("/console/{slug}/achievements/new", response_class=Response)
async def create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("achievements:write")],
) -> Response:
    """Save a new achievement, or re-render the editor (another language or row, a preview,
    errors)."""
    return await _post(request, session, settings, clock.now(), staff, None)


@router.get("/console/{slug}/achievements/{achievement_id}", response_class=Response)
def edit_page(
    request: Request,
    achievement_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    staff: Annotated[Staff, StaffDep("achievements:read")],
) -> Response:
    achievement = achievements.get_achievement(session, staff.issuer, achievement_id)
    form = form_of_body(achievements.wire_fields(achievement))
    notice = request.query_params.get("notice", "")
    skills = skill_picker.state(session, "", i18n.negotiate(request))
    return _editor(request, staff, form, achievement, settings, notice=notice, skills=skills)


@router.post("/console/{slug}/achievements/{achievement_id}", response_class=Response)
async def update(
    request: Request,
    achievement_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    staff: Annotated[Staff, StaffDep("achievements:write")],
) -> Response:
    achievement = achievements.get_achievement(session, staff.issuer, achievement_id)
    return await _post(request, session, settings, clock.now(), staff, achievement)


async def _post(
    request: Request,
    session: Session,
    settings: Settings,
    now: datetime,
    staff: Staff,
    achievement: Achievement | None,
) -> Response:
    """One POST of the editor: its ``action`` re-renders it changed, previews, or saves."""
    fields = await console_form(request, staff)
    image = await _uploaded(request)
    action = fields.get("action", "save")
    form = _acted(parse_form(fields), action, fields.get("addLanguage", ""))
    language = i18n.negotiate(request)
    form = skill_picker.picked(session, form, action, language)
    skills = skill_picker.state(session, fields.get("skillQuery", ""), language)
    if action not in ("save", "preview"):
        return _editor(request, staff, form, achievement, settings, skills=skills)
    try:
        wire = achievement_in(form).model_dump(mode="json", by_alias=True, exclude_none=True)
        if action == "preview":
            preview = _preview(request, staff, wire, image, achievement, settings, now, fields)
            return _editor(
                request, staff, form, achievement, settings, preview=preview, skills=skills
            )
        saved = achievements.save_achievement(
            session, staff.issuer, achievement, wire, image, actor=staff.principal.actor
        )
    except ValidationFailedError as exc:
        return _editor(
            request, staff, form, achievement, settings, errors=exc.errors, skills=skills
        )
    session.commit()
    path = console_url(staff.issuer.slug, "achievements", str(saved.id))
    return see_other(path, i18n.gettext(language, SAVED))


async def _uploaded(request: Request) -> bytes | None:
    """The image file of the form (read after ``console_form`` checked the CSRF token), or
    ``None`` when none was chosen."""
    upload = (await request.form()).get("image")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content = await upload.read()
    return content or None


def _acted(form: AchievementForm, action: str, add_language: str) -> AchievementForm:
    """The form after the editor's buttons that change the form itself."""
    if action == "add-language":
        try:
            return form.with_language(normalize_language(add_language))
        except LanguageTagError:
            return form
    kind, _, index = action.partition(":")
    member = {"alignment": "alignments", "result": "resultDescriptions"}
    if kind.startswith("add-") and kind[4:] in member:
        return form.with_row(member[kind[4:]])
    if kind.startswith("remove-") and kind[7:] in member and index.isdigit():
        return form.without_row(member[kind[7:]], int(index))
    return form


def _preview(
    request: Request,
    staff: Staff,
    wire: dict[str, Any],
    image: bytes | None,
    achievement: Achievement | None,
    settings: Settings,
    now: datetime,
    fields: dict[str, str],
) -> dict[str, Any]:
    """The credential page's view of the form's achievement, in the language chosen: its
    new image (checked as an upload is) shown from the page itself, nothing stored."""
    definition = achievements.draft_definition(wire, settings.base_url, achievement)
    if image is not None:
        media_type, content = images.check_image(image)
        data_url = f"data:{media_type};base64,{base64.b64encode(content).decode()}"
        definition = replace(definition, image_url=data_url)
    chosen = fields.get("previewLanguage") or definition.default_language
    language = i18n.negotiate(request)
    recipient = i18n.gettext(language, PREVIEW_RECIPIENT)
    document = previews.preview_credential(
        staff.issuer, definition, chosen, recipient, base_url=settings.base_url, now=now
    )
    return credential_page.preview_context(
        document, staff.issuer.slug, recipient, language, settings.base_url, now
    ) | {"chosen": chosen}


def _editor(
    request: Request,
    staff: Staff,
    form: AchievementForm,
    achievement: Achievement | None,
    settings: Settings | None,
    *,
    errors: list[FieldError] | None = None,
    preview: dict[str, Any] | None = None,
    notice: str = "",
    skills: dict[str, Any] | None = None,
) -> Response:
    """The editor page: the form, each field's errors next to it and summarised at the top,
    what each language lacks, and the preview below when asked for."""
    language = i18n.negotiate(request)
    words = _error_words(errors or [], form.default_language, language)
    image = None
    if achievement is not None and settings is not None:
        image = achievements.definition(achievement, settings.base_url).image_url
    slug = staff.issuer.slug
    parts = ("achievements", str(achievement.id)) if achievement else ("achievements", "new")
    context = {
        "title": _title(form, achievement, language),
        "form": form,
        "record": achievement,
        "image": image,
        "action": console_url(slug, *parts),
        "list_url": console_url(slug, "achievements"),
        "errors": words,
        "field_errors": {error["id"]: error["message"] for error in reversed(words)},
        "missing": {
            tag: [i18n.gettext(language, FIELD_NAMES[name]) for name in names]
            for tag, names in form.missing().items()
        },
        "offered": [tag for tag in OFFERED_LANGUAGES if tag not in form.languages],
        "types": ACHIEVEMENT_TYPES,
        "target_types": ALIGNMENT_TARGET_TYPES,
        "result_types": RESULT_TYPES,
        "may_write": staff.may("achievements:write"),
        "preview_context": preview,
        "notice": notice,
        "skills": skills or {"available": False, "query": "", "results": []},
    }
    status = 422 if errors else 200
    response = render_console(
        request, "console/achievement.html", context, staff, status, section="achievements"
    )
    # The editor's own script (static/achievement_editor.js) refreshes the preview.
    response.headers["Content-Security-Policy"] = page_policy(scripts=True)
    return response


def _title(form: AchievementForm, achievement: Achievement | None, language: str) -> str:
    if achievement is None:
        return i18n.gettext(language, N_("New achievement"))
    return pick_text(achievement.name, language, achievement.default_language)[1]


def _error_words(
    errors: list[FieldError], default_language: str, language: str
) -> list[dict[str, str]]:
    """Each API field error as the field's id and a message in the page's language (the
    API's own words when there are none for its code)."""
    said = []
    for error in errors:
        words = ERROR_WORDS.get(error.code)
        message = i18n.gettext(language, words) if words else error.message
        said.append({"id": error_field(error, default_language), "message": message})
    return said


def _row(
    achievement: Achievement, language: str, issued: int, settings: Settings, staff: Staff
) -> dict[str, Any]:
    definition = achievements.definition(achievement, settings.base_url)
    return {
        "name": pick_text(achievement.name, language, achievement.default_language)[1],
        "image": definition.image_url,
        "languages": definition.languages,
        "issued": issued,
        "href": console_url(staff.issuer.slug, "achievements", str(achievement.id)),
    }
