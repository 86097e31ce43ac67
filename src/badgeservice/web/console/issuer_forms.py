"""The console's issuer forms ⇄ the services: a posted profile, token or key-revocation form
becomes the body the API takes, validated by the same model (``http/issuer_bodies.py``), so
a form shows the API's problem codes next to its own fields."""

from __future__ import annotations

from typing import Any

from badgeservice.db.models import Issuer
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.http.bodies import validate_body
from badgeservice.http.issuer_bodies import IssuerProfileFields, KeyRevoke, TokenCreate
from badgeservice.services.auth import ISSUER_SCOPES

#: The Profile members the profile form edits (the logo has a form of its own).
PROFILE_FORM_FIELDS = ("name", "url", "email", "description")
#: A scope's checkbox is named ``scope:<scope>`` (one text field each: no repeated names).
SCOPE_FIELD = "scope:"
#: The longest text a form keeps to show again after an error.
KEPT = 5000


def profile_values(issuer: Issuer) -> dict[str, str]:
    """The profile form filled with the issuer's current Profile."""
    return {name: getattr(issuer, name) or "" for name in PROFILE_FORM_FIELDS}


def posted_values(form: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """What the visitor typed, to show again next to the errors."""
    return {name: form.get(name, "")[:KEPT] for name in names}


def profile_fields(form: dict[str, str]) -> dict[str, Any]:
    """The posted profile form as ``issuers.update_profile`` fields, checked as the API's
    PATCH checks them; an empty optional field clears it. Raises ValidationFailedError."""
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in PROFILE_FORM_FIELDS}
    data |= {name: data[name] or None for name in PROFILE_FORM_FIELDS if name != "name"}
    checked = validate_body(IssuerProfileFields, data)
    return checked.model_dump(mode="json", include=set(PROFILE_FORM_FIELDS))


def chosen_scopes(form: dict[str, str]) -> list[str]:
    """The ticked scopes, in the order the form lists them."""
    return [scope for scope in ISSUER_SCOPES if form.get(SCOPE_FIELD + scope)]


def token_request(form: dict[str, str]) -> TokenCreate:
    """The posted token form (``name``, a checkbox per scope, optional ``expires`` date) as the
    API's token body. No scope ticked is an error here (the API's "none named" means every
    scope; a form asks for them to be ticked). Raises ValidationFailedError."""
    scopes = chosen_scopes(form)
    data: dict[str, Any] = {"name": form.get("name", "").strip(), "scopes": scopes}
    if form.get("expires", "").strip():
        data["expiresAt"] = form["expires"].strip()
    missing = [] if scopes else [FieldError("/body/scopes", "Tick a scope.", "scopes_missing")]
    try:
        request = validate_body(TokenCreate, data)
    except ValidationFailedError as exc:
        raise ValidationFailedError(errors=exc.errors + missing) from exc
    if missing:
        raise ValidationFailedError(errors=missing)
    return request


def revocation_reason(form: dict[str, str]) -> str:
    """The posted key-revocation form's reason, checked as the API checks it, with its
    confirmation ticked (``confirm``). Raises ValidationFailedError."""
    errors: list[FieldError] = []
    reason = ""
    try:
        reason = validate_body(KeyRevoke, {"reason": form.get("reason", "").strip()}).reason
    except ValidationFailedError as exc:
        errors = exc.errors
    if not form.get("confirm"):
        errors.append(FieldError("/body/confirm", "Confirm the revocation.", "confirm_missing"))
    if errors:
        raise ValidationFailedError(errors=errors)
    return reason


#: Members of an API body whose form field has another id.
FIELD_OF_MEMBER = {"expiresAt": "expires", "body": "logo"}


def field_errors(exc: ValidationFailedError) -> dict[str, str]:
    """``{form field id: problem code}`` (the first problem of each field) for the template,
    which says each code in words next to its field and in the summary at the top. A pointer
    names the field by its first member below ``/body`` (``/body/scopes/0`` → ``scopes``)."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        parts = [part for part in error.pointer.split("/") if part]
        member = parts[1] if parts[:1] == ["body"] and len(parts) > 1 else (parts or ["body"])[0]
        errors.setdefault(FIELD_OF_MEMBER.get(member, member), error.code)
    return errors
