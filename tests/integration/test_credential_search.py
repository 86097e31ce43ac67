"""Finding an issuer's credentials by any kind of recipient, in one `recipient` query field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import ISSUER_API, issue_over_api

PATH = f"{ISSUER_API}/credentials"


def found(client: TestClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = client.get(PATH, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def issued(client: TestClient, headers: dict[str, str], achievement_id: str) -> dict[str, str]:
    """One credential per kind of recipient, by kind."""
    recipients = {
        "email": {"email": "Ada@Example.org"},
        "username": {"wikimediaUsername": "Ada_Lovelace"},
        "did": {"did": "did:example:ada"},
        "url": {"url": "https://example.org/people/ada"},
        "other": {"email": "grace@example.org"},
    }
    return {
        kind: issue_over_api(client, headers, achievement_id, recipient=recipient)["id"]
        for kind, recipient in recipients.items()
    }


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        (" ada@EXAMPLE.org ", "email"),
        ("User:Ada Lovelace", "username"),
        ("ada Lovelace", "username"),
        ("Ada_Lovelace", "username"),
        ("did:example:ada", "did"),
        ("https://example.org/people/ada", "url"),
    ],
)
def test_recipient_finds_the_credentials_of_any_kind_of_recipient(
    client: TestClient, headers: dict[str, str], issued: dict[str, str], typed: str, kind: str
) -> None:
    assert found(client, headers, recipient=typed) == [issued[kind]]


def test_recipient_finds_nothing_for_a_recipient_never_issued_to(
    client: TestClient, headers: dict[str, str], issued: dict[str, str]
) -> None:
    assert found(client, headers, recipient="did:example:someone-else") == []
    assert found(client, headers, recipient="https://example.org/people") == []
    assert found(client, headers, recipient="Grace Hopper") == []


def test_recipient_email_still_finds_by_email(
    client: TestClient, headers: dict[str, str], issued: dict[str, str]
) -> None:
    assert found(client, headers, recipientEmail="ADA@example.org") == [issued["email"]]


def test_recipient_combines_with_the_other_filters(
    client: TestClient, headers: dict[str, str], issued: dict[str, str]
) -> None:
    revoked = client.post(f"{PATH}/{issued['did']}/revoke", headers=headers)
    assert revoked.status_code == 200, revoked.text
    assert found(client, headers, recipient="did:example:ada", state="revoked") == [issued["did"]]
    assert found(client, headers, recipient="did:example:ada", state="active") == []
    assert found(client, headers, recipient="ada@example.org", issuedTo="2000-01-01") == []


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"recipient": "ada@"}, "/query/recipient"),
        ({"recipient": "a#b"}, "/query/recipient"),
        ({"recipient": "ada@example.org", "recipientEmail": "ada@example.org"}, "/query/recipient"),
        ({"recipientEmail": "ada"}, "/query/recipientEmail"),
    ],
)
def test_a_recipient_that_is_no_kind_is_a_422_on_its_field(
    client: TestClient, headers: dict[str, str], params: dict[str, str], pointer: str
) -> None:
    response = client.get(PATH, params=params, headers=headers)
    assert response.status_code == 422, response.text
    assert [error["pointer"] for error in response.json()["errors"]] == [pointer]


def test_recipient_finds_a_did_or_url_credential_issued_as_a_jwt(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    recipient = {"url": "https://example.org/people/grace", "name": "Grace"}
    jwt = issue_over_api(client, headers, achievement_id, recipient=recipient, format="jwt")
    assert found(client, headers, recipient="https://example.org/people/grace") == [jwt["id"]]
