"""The console's profile and keys page: the public Profile, the logo, did:web, rotating and
revoking keys, through the services the API calls."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import AuditEvent, Issuer, IssuerKey
from tests.factories import ISSUER_API, SVG, make_png
from tests.integration.console.conftest import CONSOLE, HTML, ConsoleClient
from tests.integration.console.forms import post_form

PROFILE = f"{CONSOLE}/profile"
GOOD = {
    "name": "Wikimedia Deutschland e. V.",
    "url": "https://www.wikimedia.de",
    "email": "badges@wikimedia.de",
    "description": "Chapter of the Wikimedia movement in Germany.",
}


def issuer_row(session: Session) -> Issuer:
    session.rollback()  # a fresh snapshot
    issuer = session.scalar(select(Issuer).where(Issuer.slug == "wmde"))
    assert issuer is not None
    return issuer


def key_states(session: Session) -> dict[str, str]:
    session.rollback()
    return {k.key_id: k.status for k in session.scalars(select(IssuerKey))}


def test_the_profile_page_shows_the_did_its_document_and_every_key(
    console_client: ConsoleClient,
) -> None:
    page = console_client("viewer").get(PROFILE, headers=HTML)
    assert page.status_code == 200
    assert "did:web:localhost%3A8000:issuers:wmde" in page.text
    assert 'href="/issuers/wmde/did.json"' in page.text
    assert "key-1" in page.text
    assert "key-2" in page.text
    assert "Active: signs" in page.text
    assert "Save the profile" not in page.text  # a viewer reads it
    assert "Rotate the signing keys" not in page.text
    assert page.headers["Cache-Control"] == "private, no-store"


def test_an_owner_saves_the_profile_as_the_api_would(
    console_client: ConsoleClient, client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    owner = console_client("owner")
    response = post_form(session, owner, PROFILE, GOOD)
    assert response.status_code == 303
    assert response.headers["location"] == f"{PROFILE}?notice=saved"
    seen = client.get(ISSUER_API, headers=headers).json()
    assert seen["name"] == GOOD["name"]
    assert seen["url"] == "https://www.wikimedia.de/"
    assert seen["email"] == GOOD["email"]
    assert seen["description"] == GOOD["description"]
    assert (
        "Credentials issued before keep the profile"
        in owner.get(f"{PROFILE}?notice=saved", headers=HTML).text
    )
    session.rollback()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "issuer.updated")).one()
    assert event.actor.startswith("user:")
    assert event.details["changed"] == ["description", "email", "name", "url"]


def test_an_empty_optional_field_clears_it(console_client: ConsoleClient, session: Session) -> None:
    owner = console_client("owner")
    post_form(session, owner, PROFILE, GOOD)
    post_form(session, owner, PROFILE, GOOD | {"email": "", "description": ""})
    issuer = issuer_row(session)
    assert (issuer.email, issuer.description) == (None, None)
    assert issuer.name == GOOD["name"]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "", "Give a name."),
        ("name", "n" * 201, "A name has at most 200 characters."),
        ("url", "ftp://example.org", "Give a web address starting with https://"),
        ("url", "not a url", "Give a web address starting with https://"),
        ("email", "nobody", "Give an email address such as name@example.org."),
        ("description", "d" * 5001, "A description has at most 5000 characters."),
    ],
)
def test_bad_profile_input_is_shown_next_to_its_field(
    console_client: ConsoleClient, session: Session, field: str, value: str, words: str
) -> None:
    before = issuer_row(session).name
    response = post_form(session, console_client("owner"), PROFILE, GOOD | {field: value})
    assert response.status_code == 422
    text = response.text
    assert f'<p class="field-error" id="{field}-error">{words}' in text
    assert f'href="#{field}"' in text  # the summary at the top links to the field
    assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error"', text)
    assert value[:50] in text  # what was typed is kept
    assert issuer_row(session).name == before


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("viewer", PROFILE),
        ("editor", PROFILE),
        ("editor", f"{PROFILE}/logo"),
        ("editor", f"{CONSOLE}/keys/rotate"),
        ("editor", f"{CONSOLE}/keys/key-1/revoke"),
    ],
)
def test_a_role_without_the_scope_cannot_post(
    console_client: ConsoleClient, session: Session, role: str, path: str
) -> None:
    before = (issuer_row(session).name, key_states(session))
    data = GOOD | {"reason": "leaked", "confirm": "1"}
    response = post_form(session, console_client(role), path, data)
    assert response.status_code == 403
    assert (issuer_row(session).name, key_states(session)) == before


@pytest.mark.parametrize("csrf", [None, "wrong"])
@pytest.mark.parametrize("path", [PROFILE, f"{CONSOLE}/keys/rotate", f"{PROFILE}/logo"])
def test_a_form_without_this_sessions_csrf_token_is_refused(
    console_client: ConsoleClient, session: Session, csrf: str | None, path: str
) -> None:
    owner = console_client("owner")
    before = (issuer_row(session).name, key_states(session))
    data = GOOD | ({"csrf": csrf} if csrf else {})
    response = owner.post(path, data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert (issuer_row(session).name, key_states(session)) == before


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [("logo.png", make_png(), "image/png"), ("logo.svg", SVG, "image/svg+xml")],
)
def test_an_owner_uploads_a_logo(
    console_client: ConsoleClient,
    client: TestClient,
    session: Session,
    name: str,
    content: bytes,
    media_type: str,
) -> None:
    owner = console_client("owner")
    files = {"logo": (name, content, media_type)}
    response = post_form(session, owner, f"{PROFILE}/logo", {}, files=files)
    assert response.status_code == 303
    image = issuer_row(session).image
    assert image is not None
    served = client.get(image.removeprefix("http://localhost:8000"))
    assert served.status_code == 200
    assert served.headers["content-type"].startswith(media_type)
    assert f'src="{image}"' in owner.get(PROFILE, headers=HTML).text


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not an image at all", "This file is not a PNG or SVG image that can be used"),
        (b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>', "no DTD"),
        (b"", "Choose a PNG or SVG file."),
    ],
)
def test_a_bad_logo_is_refused_as_the_api_refuses_it(
    console_client: ConsoleClient, session: Session, content: bytes, words: str
) -> None:
    files = {"logo": ("logo.png", content, "image/png")}
    response = post_form(session, console_client("owner"), f"{PROFILE}/logo", {}, files=files)
    assert response.status_code == 422
    assert 'id="logo-error"' in response.text
    assert words in response.text
    assert issuer_row(session).image is None


def test_an_owner_rotates_the_keys_and_the_old_ones_stay_published(
    console_client: ConsoleClient, client: TestClient, session: Session
) -> None:
    owner = console_client("owner")
    response = post_form(session, owner, f"{CONSOLE}/keys/rotate", {})
    assert response.status_code == 303
    assert key_states(session) == {
        "key-1": "retired", "key-2": "retired", "key-3": "active", "key-4": "active",
    }  # fmt: skip
    document = client.get("/issuers/wmde/did.json").json()
    assert len(document["verificationMethod"]) == 4
    assert "Retired" in owner.get(PROFILE, headers=HTML).text


def test_an_owner_revokes_a_key_with_a_reason_and_a_confirmation(
    console_client: ConsoleClient, client: TestClient, session: Session
) -> None:
    owner = console_client("owner")
    data = {"reason": "Laptop lost", "confirm": "1"}
    response = post_form(session, owner, f"{CONSOLE}/keys/key-1/revoke", data)
    assert response.status_code == 303
    states = key_states(session)
    assert states["key-1"] == "revoked"
    assert "active" in [states[k] for k in states if k not in ("key-1", "key-2")]  # replaced
    row = session.scalar(select(IssuerKey).where(IssuerKey.key_id == "key-1"))
    assert row is not None
    assert row.revocation_reason == "Laptop lost"
    document = client.get("/issuers/wmde/did.json").json()
    assert not any(m.endswith("#key-1") for m in document["assertionMethod"])
    page = owner.get(PROFILE, headers=HTML).text
    assert "Laptop lost" in page


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"reason": "Laptop lost"}, "confirm", "Tick the box to confirm"),
        ({"reason": "", "confirm": "1"}, "reason", "Say why the key is revoked."),
        ({"reason": "r" * 501, "confirm": "1"}, "reason", "A reason has at most 500 characters."),
    ],
)
def test_a_key_is_not_revoked_without_a_reason_and_a_confirmation(
    console_client: ConsoleClient, session: Session, data: dict[str, str], field: str, words: str
) -> None:
    response = post_form(session, console_client("owner"), f"{CONSOLE}/keys/key-1/revoke", data)
    assert response.status_code == 422
    text = response.text
    assert f'id="key-key-1-{field}-error">{words}' in text
    assert '<details class="revoke" open>' in text
    assert key_states(session)["key-1"] == "active"


def test_revoking_an_unknown_key_is_a_404_page(
    console_client: ConsoleClient, session: Session
) -> None:
    data = {"reason": "x", "confirm": "1"}
    response = post_form(session, console_client("owner"), f"{CONSOLE}/keys/key-99/revoke", data)
    assert response.status_code == 404
    assert "<html" in response.text
