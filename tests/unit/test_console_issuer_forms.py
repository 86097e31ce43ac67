"""The console's issuer forms become the API's bodies, with the API's problem codes placed on
the form's own fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from badgeservice.errors import ValidationFailedError
from badgeservice.web.console import issuer_forms


def errors_of(call: object, form: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ValidationFailedError) as caught:
        call(form)  # type: ignore[operator]
    return issuer_forms.field_errors(caught.value)


def test_profile_form_becomes_profile_fields_and_empty_fields_clear() -> None:
    form = {"name": " Acme ", "url": "https://acme.example", "email": "", "description": " "}
    assert issuer_forms.profile_fields(form | {"csrf": "x"}) == {
        "name": "Acme",
        "url": "https://acme.example/",
        "email": None,
        "description": None,
    }


def test_profile_form_errors_are_the_apis_codes_on_the_fields() -> None:
    form = {"name": "", "url": "ftp://acme.example", "email": "nobody", "description": "d" * 5001}
    assert errors_of(issuer_forms.profile_fields, form) == {
        "name": "string_too_short",
        "url": "url_scheme",
        "email": "string_pattern_mismatch",
        "description": "string_too_long",
    }


def test_token_form_becomes_the_apis_token_body() -> None:
    form = {"name": "CI", "scope:issuer:read": "1", "scope:keys:manage": "1"}
    form["expires"] = "2032-01-02"
    request = issuer_forms.token_request(form)
    assert request.name == "CI"
    assert request.scopes == ["issuer:read", "keys:manage"]
    assert request.expires_at == datetime(2032, 1, 2, tzinfo=UTC)
    assert issuer_forms.token_request({"name": "CI", "scope:issuer:read": "1"}).expires_at is None


def test_token_form_needs_a_name_a_scope_and_a_date() -> None:
    errors = errors_of(issuer_forms.token_request, {"name": " ", "expires": "2032-13-01"})
    assert set(errors) == {"name", "scopes", "expires"}
    assert errors["scopes"] == "scopes_missing"
    assert errors_of(issuer_forms.token_request, {"name": "CI"}) == {"scopes": "scopes_missing"}


def test_key_revocation_needs_a_reason_and_a_confirmation() -> None:
    assert issuer_forms.revocation_reason({"reason": " leaked ", "confirm": "1"}) == "leaked"
    assert errors_of(issuer_forms.revocation_reason, {"reason": "leaked"}) == {
        "confirm": "confirm_missing"
    }
    assert errors_of(issuer_forms.revocation_reason, {"reason": "x" * 501, "confirm": "1"}) == {
        "reason": "string_too_long"
    }
