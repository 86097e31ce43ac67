"""`/api/v1/issuers/{slug}/members`: invite, list, change a role, remove."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.services import issuers
from tests.factories import bearer, create_token

MEMBERS = "/api/v1/issuers/wmde/members"


def test_an_owner_token_manages_members_and_the_last_owner_stays(
    client: TestClient, headers: dict[str, str]
) -> None:
    made = client.post(
        MEMBERS, json={"kind": "wikimedia", "value": "jane_doe", "role": "owner"}, headers=headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["value"] == "Jane doe"
    again = client.post(
        MEMBERS, json={"kind": "wikimedia", "value": "Jane doe", "role": "viewer"}, headers=headers
    )
    assert again.status_code == 409
    assert again.json()["code"] == "member_exists"
    member = made.json()["id"]
    last = client.delete(f"{MEMBERS}/{member}", headers=headers)
    assert last.status_code == 409
    assert last.json()["code"] == "last_owner"
    client.post(MEMBERS, json={"kind": "email", "value": "b@example.org", "role": "owner"},
                headers=headers)  # fmt: skip
    demoted = client.patch(f"{MEMBERS}/{member}", json={"role": "editor"}, headers=headers)
    assert demoted.status_code == 200
    assert demoted.json()["role"] == "editor"
    assert client.delete(f"{MEMBERS}/{member}", headers=headers).status_code == 204
    listed = client.get(MEMBERS, headers=headers).json()
    assert [(m["kind"], m["value"], m["role"]) for m in listed] == [
        ("email", "b@example.org", "owner")
    ]


def test_bad_invitations_name_the_field(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        MEMBERS, json={"kind": "email", "value": "not an address", "role": "owner"},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/value"


def test_a_token_without_members_manage_cannot_invite(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    reader = bearer(create_token(session, issuers.get_issuer(session, "wmde"),
                                 scopes=["issuer:read"]))  # fmt: skip
    assert client.get(MEMBERS, headers=reader).status_code == 200
    body = {"kind": "email", "value": "x@example.org", "role": "viewer"}
    assert client.post(MEMBERS, json=body, headers=reader).status_code == 403
