"""What the issue pages say about a problem: the API's codes and pointers as translated
words (the upload's rows, a row's result, a form's field)."""

from __future__ import annotations

from typing import Any

from badgeservice.errors import FieldError, ServiceError, ValidationFailedError
from badgeservice.web import i18n
from badgeservice.web.i18n import N_

GENERIC = N_("This value is not valid.")
# By problem code (the API's, a row's warning, or the page's own).
CODE_WORDS = {
    "language_not_offered": N_("The achievement has no text in this language."),
    "not_found": N_("Choose one of this issuer's achievements."),
    "idempotency_key_mismatch": N_(
        "This form was already sent with other values. Reload the page to issue again."
    ),
    "idempotency_key_in_use": N_("This form is being sent already. Look at the credentials."),
    "duplicate_recipient": N_("The same recipient as an earlier row."),
    "recipient_has_credential": N_(
        "The recipient already holds an active credential of this achievement."
    ),
    "csv_columns_ignored": N_(
        "Some columns were ignored. Known columns: email, wikimedia_username, did, url, "
        "name, evidence_url, narrative."
    ),
    "csv_not_utf8": N_("The file is not UTF-8 text. Save the CSV as UTF-8 and upload it again."),
    "file_missing": N_("Choose a CSV file."),
    "internal_error": N_("Unexpected error; the row was not issued."),
    "credential_self_check_failed": N_("The signed credential did not verify; nothing was issued."),
    "permission_denied": N_("Your role may not do this."),
}
# By the last member of a field error's pointer.
FIELD_WORDS = {
    "email": N_("Not a valid email address."),
    "wikimediaUsername": N_("Not a valid Wikimedia username."),
    "did": N_("Not a valid DID (did:method:identifier)."),
    "url": N_("Not a valid http or https URL."),
    "id": N_("Not a valid http or https URL."),
    "recipient": N_(
        "Give exactly one recipient: an email address, a Wikimedia username, a DID or a URL."
    ),
    "name": N_("The name is empty or too long."),
    "narrative": N_("The narrative is empty or too long."),
    "achievementId": N_("Choose an achievement."),
    "language": N_("The achievement has no text in this language."),
    "body": N_("The file needs a header row naming known columns, and at least one row."),
}


def words(language: str, code: str | None, pointer: str | None = None) -> str:
    """A problem in words: by its code when we have words for it, else by its field."""
    if code in CODE_WORDS:
        return i18n.gettext(language, CODE_WORDS[code])
    segments = [s for s in (pointer or "").split("/") if s and not s.isdigit()]
    field = segments[-1] if segments else ""
    return i18n.gettext(language, FIELD_WORDS.get(field, GENERIC))


def row_problems(language: str, error: dict[str, Any] | None) -> list[dict[str, str]]:
    """A row's error (``{"code", "errors": [...]}`` or ``{"code", "detail"}``) as one entry
    per problem: its words, its code and where (the field's pointer)."""
    if not error:
        return []
    fields = error.get("errors") or [{"code": error.get("code"), "pointer": ""}]
    return [
        {
            "words": words(language, f.get("code"), f.get("pointer")),
            "code": str(f.get("code") or ""),
            "pointer": str(f.get("pointer") or ""),
        }
        for f in fields
    ]


def field_errors(
    language: str, exc: ServiceError, fields: dict[str, str], default: str
) -> dict[str, list[str]]:
    """An error's problems in words, by the form field each is about (``default``: the
    field of problems that name none); ``""`` holds those of no field."""
    found: dict[str, list[str]] = {}
    problems = exc.errors if isinstance(exc, ValidationFailedError) else []
    for problem in problems or [FieldError("", exc.detail, exc.code)]:
        code = exc.code if exc.code != "validation_failed" else problem.code
        parts = [p for p in problem.pointer.removeprefix("/body").split("/") if p]
        field = fields.get(parts[0], default) if parts else default
        found.setdefault(field, []).append(words(language, code, problem.pointer))
    return found
