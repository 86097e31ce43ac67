"""The public profile: settings (handle rules), ``/people/{handle}`` and its ``badges.json``."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.clock import SystemClock
from badgeservice.db.models import UserIdentity
from tests.integration.test_backpack import HTML, _choose, csrf_of, issue_to, signed_in


def _save(client: TestClient, **fields: str) -> Any:
    form = {"csrf": csrf_of(client, "/me/profile"), "handle": "ada", "display_name": "Ada"}
    return client.post("/me/profile", data=form | fields, headers=HTML, follow_redirects=False)


@pytest.mark.parametrize(
    ("handle", "words"),
    [
        ("me", "3 to 40 characters"),
        ("ab", "3 to 40 characters"),
        ("a" * 41, "3 to 40 characters"),
        ("auth", "reserved"),
        ("people", "reserved"),
        ("Ada Lovelace", "lower-case letters"),
        ("-ada", "lower-case letters"),
        ("ada--l", "lower-case letters"),
        ("ädä", "lower-case letters"),
        ("bob", "taken"),
    ],
)
def test_bad_handles_are_refused_next_to_the_field(
    client: TestClient, session: Session, handle: str, words: str
) -> None:
    signed_in(TestClient(client.app), session, "bob@example.org", handle="bob")
    signed_in(client, session, "ada@example.org")
    refused = _save(client, handle=handle, profile_public="1")
    assert refused.status_code == 422
    assert words in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert client.get("/people/ada", headers=HTML).status_code == 404  # nothing was saved


def test_profile_settings_need_a_session_and_its_token(
    client: TestClient, session: Session
) -> None:
    assert "/auth/wikimedia/login" in client.get("/me/profile", headers=HTML).text
    signed_in(client, session, "ada@example.org")
    assert client.post("/me/profile", data={"handle": "ada-l"}).status_code == 403
    assert _save(client, display_name="   ").status_code == 422
    assert _save(client, display_name="A\x07").status_code == 422
    saved = _save(client, handle=" Ada-L ", display_name="Ada  Lovelace")
    assert saved.status_code == 303
    assert "Your profile is saved." in client.get(saved.headers["location"]).text


def test_the_profile_lists_only_what_is_on_it_and_public(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    shown, hidden, left_out = (
        issue_to(client, headers, achievement_id, "ada@example.org") for _ in range(3)
    )
    user = signed_in(client, session, "ada@example.org")
    session.add(
        UserIdentity(
            user_id=user.id, kind="wikimedia", subject="123", username="Ada Lovelace",
            verified_at=SystemClock().now(),
        )
    )  # fmt: skip
    session.commit()
    anonymous = TestClient(client.app, raise_server_exceptions=False)
    csrf = csrf_of(client)
    _choose(client, shown["id"], csrf, page_public=True, json_public=True, on_profile=True)
    _choose(client, hidden["id"], csrf, page_public=False, json_public=True, on_profile=True)
    unknown = anonymous.get("/people/nobody", headers=HTML)
    private = anonymous.get("/people/ada", headers=HTML)
    assert unknown.status_code == private.status_code == 404
    request_id = re.compile(r"<code>[0-9a-f]{32}</code>")
    same = request_id.sub("", unknown.text.replace("/people/nobody", "/people/ada"))
    assert same == request_id.sub("", private.text)
    assert anonymous.get("/people/ada/badges.json").status_code == 404
    assert _save(client, profile_public="1").status_code == 303
    page = anonymous.get("/people/ada", headers=HTML)
    assert page.status_code == 200
    assert f"/credentials/{shown['id']}" in page.text
    assert hidden["id"] not in page.text
    assert left_out["id"] not in page.text
    assert "Ada Lovelace" not in page.text  # the username only when chosen
    feed = anonymous.get("/people/ada/badges.json")
    assert feed.status_code == 200
    assert feed.headers["access-control-allow-origin"] == "*"
    document = feed.json()
    assert document["handle"] == "ada"
    assert document["wikimediaUsername"] is None
    assert [b["url"] for b in document["badges"]] == [shown["url"]]
    badge = document["badges"][0]
    assert badge["name"] == "Wikipedia editing basics"
    assert badge["state"] == "active"
    assert badge["issuer"] == {
        "name": "Wikimedia Deutschland", "url": "http://localhost:8000/issuers/wmde"
    }  # fmt: skip
    assert badge["credentialUrl"] == shown["url"] + ".json"
    assert badge["image"]
    assert badge["issuedOn"].endswith("Z")
    assert badge["description"]
    again = anonymous.get(
        "/people/ada/badges.json", headers={"If-None-Match": feed.headers["etag"]}
    )
    assert again.status_code == 304
    _choose(client, shown["id"], csrf, page_public=True, on_profile=True)
    assert anonymous.get("/people/ada/badges.json").json()["badges"][0]["credentialUrl"] is None
    assert _save(client, profile_public="1", show_username="1").status_code == 303
    assert anonymous.get("/people/ada/badges.json").json()["wikimediaUsername"] == "Ada Lovelace"
    assert "Ada Lovelace" in anonymous.get("/people/ada", headers=HTML).text
    for odd in ("ADA", "a" * 500, "%00", "..", "ada.json"):
        assert anonymous.get(f"/people/{odd}", headers=HTML).status_code in {200, 404}, odd
