"""The backpack (``/me``): what it lists, its visibility choices and what they hide, the ZIP,
and adding a second email by a one-time link. Users are signed in by rows and a session
(``signed_in``), the way the sign-in routes leave them."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
import zipfile
from contextlib import nullcontext
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badgeservice.clock import FixedClock, SystemClock
from badgeservice.db.models import EmailLink, MailMessage, RecipientClaim, User
from badgeservice.services import backpack, backpack_export
from tests.accounts import sign_in_as
from tests.factories import BASE_URL, issue_over_api

HTML = {"Accept": "text/html"}
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in "wikipedia")  # full-width forms


def signed_in(client: TestClient, session: Session, email: str, handle: str = "ada") -> User:
    """A user whose verified email is ``email``, signed in on ``client`` (its cookie set)."""
    return sign_in_as(client, session, email, handle)


def csrf_of(client: TestClient, path: str = "/me") -> str:
    page = client.get(path, headers=HTML).text
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def issue_to(client: TestClient, headers: dict[str, str], achievement: str, email: str) -> Any:
    return issue_over_api(
        client, headers, achievement, recipient={"email": email, "name": "Ada Lovelace"}
    )


def test_me_without_a_session_offers_both_ways_to_sign_in(client: TestClient) -> None:
    response = client.get("/me", headers=HTML)
    assert response.status_code == 200
    assert 'href="/auth/wikimedia/login?next=/me"' in response.text
    assert 'href="/auth/email?next=/me"' in response.text
    assert response.headers["cache-control"] == "private, no-store"


def test_backpack_lists_what_was_issued_to_the_users_claims_only(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    mine = issue_to(client, headers, achievement_id, "Ada@Example.org")
    other = issue_to(client, headers, achievement_id, "someone@example.org")
    signed_in(client, session, "ada@example.org")
    page = client.get("/me", headers=HTML)
    assert page.status_code == 200
    assert f'id="c-{mine["id"]}"' in page.text
    assert other["id"] not in page.text
    assert "Wikipedia editing basics" in page.text
    assert "Wikimedia Deutschland" in page.text
    assert "Valid." in page.text
    assert page.headers["cache-control"] == "private, no-store"


def test_search_sort_and_paging_take_any_input(
    client: TestClient,
    session: Session,
    headers: dict[str, str],
    achievement_id: str,
    clock: FixedClock,
) -> None:
    clock.set(SystemClock().now())
    issued = []
    for _ in range(22):  # a second apart: "newest first" has an answer (issued_at is in seconds)
        issued.append(issue_to(client, headers, achievement_id, "ada@example.org"))
        clock.advance(timedelta(seconds=1))
    signed_in(client, session, "ada@example.org")
    first = client.get("/me", headers=HTML).text
    assert first.count('class="card"') == 20
    assert "Page 1 of 2" in first
    assert f'id="c-{issued[-1]["id"]}"' in first  # newest first
    last = client.get("/me?page=99999999999999999999", headers=HTML)
    assert last.status_code == 200
    assert last.text.count('class="card"') == 20
    beyond = client.get("/me?page=3", headers=HTML).text
    assert "Page 2 of 2" in beyond
    assert beyond.count('class="card"') == 2
    for q, found in [("WIKIPEDIA editing", 22), ("wikimedia deutschland", 22), ("nothing", 0)]:
        page = client.get("/me", params={"q": q, "sort": "name"}, headers=HTML)
        assert page.status_code == 200
        assert f"Credentials: {found}<" in page.text, q
    for odd in ["%", "_", "' OR 1=1 --", FULL_WIDTH, "x" * 5000, "\u202e", "😀"]:
        page = client.get("/me", params={"q": odd, "sort": "bogus", "page": "-1"}, headers=HTML)
        assert page.status_code == 200, odd
    assert "Credentials: 22<" in client.get("/me", params={"q": FULL_WIDTH}).text


def _choose(client: TestClient, credential_id: str, csrf: str | None, **choices: bool) -> Any:
    form = {name: "1" for name, on in choices.items() if on}
    if csrf is not None:
        form["csrf"] = csrf
    return client.post(
        f"/me/credentials/{credential_id}/visibility",
        data=form | {"back": "/me?q=wiki"},
        headers=HTML,
        follow_redirects=False,
    )


def test_visibility_forms_need_the_sessions_token_and_an_own_credential(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    mine = issue_to(client, headers, achievement_id, "ada@example.org")
    other = issue_to(client, headers, achievement_id, "bob@example.org")
    signed_in(client, session, "ada@example.org")
    csrf = csrf_of(client)
    assert _choose(client, mine["id"], None, page_public=False).status_code == 403
    assert _choose(client, mine["id"], "wrong", page_public=False).status_code == 403
    assert _choose(client, other["id"], csrf, page_public=False).status_code == 404
    assert _choose(client, "not-a-uuid", csrf).status_code == 404
    assert _choose(client, str(uuid.uuid4()), csrf).status_code == 404
    done = _choose(client, mine["id"], csrf, json_public=True)
    assert done.status_code == 303
    assert done.headers["location"] == f"/me?q=wiki&notice=saved#c-{mine['id']}"
    assert "Your choice is saved." in client.get(done.headers["location"]).text
    anonymous = TestClient(client.app, raise_server_exceptions=False)
    assert (
        anonymous.post(
            f"/me/credentials/{mine['id']}/visibility", data={"csrf": csrf}, headers=HTML
        ).status_code
        == 403
    )


def test_a_hidden_page_says_only_that_it_is_private_but_its_owner_sees_it(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    issued = issue_to(client, headers, achievement_id, "ada@example.org")
    path = f"/credentials/{issued['id']}"
    public_etag = client.get(path, headers=HTML).headers["etag"]
    signed_in(client, session, "ada@example.org")
    assert _choose(client, issued["id"], csrf_of(client), json_public=True).status_code == 303
    anonymous = TestClient(client.app, raise_server_exceptions=False)
    hidden = anonymous.get(path, headers=HTML)
    assert hidden.status_code == 404
    assert "This credential is private" in hidden.text
    assert "Ada Lovelace" not in hidden.text
    assert "Wikipedia" not in hidden.text
    assert hidden.headers["cache-control"] == "private, no-store"
    assert anonymous.get(path, headers=HTML | {"If-None-Match": public_etag}).status_code == 404
    for part in (".pdf", "/share.png", "/qr.svg"):
        assert anonymous.get(path + part).status_code == 404, part
    # The JSON stays available to whoever holds the URL, as chosen.
    assert anonymous.get(path + ".json").status_code == 200
    assert anonymous.get(path + ".json").headers["cache-control"] == "public, max-age=60"
    assert anonymous.get(path + ".png").status_code == 200
    own = client.get(path, headers=HTML)
    assert own.status_code == 200
    assert "Only you can see this" in own.text
    assert own.headers["cache-control"] == "private, no-store"
    assert client.get(path + ".pdf").status_code == 200


def test_private_json_is_served_to_its_owner_only_and_not_verified_by_url(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    issued = issue_to(client, headers, achievement_id, "ada@example.org")
    path = f"/credentials/{issued['id']}"
    signed_in(client, session, "ada@example.org")
    assert _choose(client, issued["id"], csrf_of(client), page_public=True).status_code == 303
    anonymous = TestClient(client.app, raise_server_exceptions=False)
    for part in (".json", ".png", ".svg"):
        assert anonymous.get(path + part).status_code == 404, part
    assert anonymous.get(path, headers={"Accept": "application/ld+json"}).status_code == 404
    page = anonymous.get(path, headers=HTML)
    assert page.status_code == 200
    assert ".json" not in page.text
    assert "/verify?url" not in page.text
    assert "keeps the signed credential private" in page.text
    refused = anonymous.post("/api/v1/verify", json={"url": issued["url"]})
    assert refused.status_code >= 400 or refused.json()["verified"] is False
    own = client.get(path + ".json")
    assert own.status_code == 200
    assert own.headers["cache-control"] == "private, no-store"
    # Public again: verifiable by URL by whoever holds it.
    choices = {"page_public": True, "json_public": True}
    assert _choose(client, issued["id"], csrf_of(client), **choices).status_code == 303
    assert anonymous.post("/api/v1/verify", json={"url": issued["url"]}).json()["verified"]


def test_download_zip_holds_each_credential_as_stored_with_png_and_pdf(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    ldp = issue_to(client, headers, achievement_id, "ada@example.org")
    jwt = issue_over_api(
        client, headers, achievement_id, format="jwt", recipient={"email": "ada@example.org"}
    )
    assert client.get("/me/download.zip", headers=HTML).status_code == 401
    signed_in(client, session, "ada@example.org")
    response = client.get("/me/download.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == len(set(names)) == 2 * 3 + 2
    assert {"README.txt", "manifest.json"} <= set(names)
    assert all(re.fullmatch(r"[a-z0-9.-]+", n, re.I) for n in names)
    stored = client.get(f"/credentials/{ldp['id']}.json").content
    json_name = next(n for n in names if n.endswith(".json") and ldp["id"][:8] in n)
    assert archive.read(json_name) == stored
    jwt_name = next(n for n in names if n.endswith(".jwt"))
    assert archive.read(jwt_name).decode() == client.get(f"/credentials/{jwt['id']}.jwt").text
    png = next(n for n in names if n.endswith(".png") and ldp["id"][:8] in n)
    assert archive.read(png) == client.get(f"/credentials/{ldp['id']}.png").content
    assert all(archive.read(n).startswith(b"%PDF") for n in names if n.endswith(".pdf"))
    manifest = json.loads(archive.read("manifest.json"))
    assert sorted(m["url"] for m in manifest) == sorted([jwt["url"], ldp["url"]])
    assert "Wikipedia editing basics" in archive.read("README.txt").decode()


def _mail_link(session: Session, to: str) -> str:
    session.rollback()  # a fresh snapshot: the app committed meanwhile
    message = session.scalars(select(MailMessage).where(MailMessage.to_address == to)).one()
    assert (message.template, message.status, message.attempts) == ("add_email_link", "pending", 0)
    assert message.context["minutes"] == 15
    return str(message.context["url"])


def _ask(client: TestClient, address: str) -> Any:
    data = {"csrf": csrf_of(client), "email": address}
    return client.post("/me/emails", data=data, headers=HTML, follow_redirects=False)


def test_a_second_email_joins_by_a_one_time_link(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    second = issue_to(client, headers, achievement_id, "ada.work@example.org")
    user = signed_in(client, session, "ada@example.org")
    assert second["id"] not in client.get("/me").text
    asked = _ask(client, " Ada.Work@Example.org ")
    assert asked.status_code == 303
    assert asked.headers["location"].startswith("/me?notice=link_sent")
    url = _mail_link(session, "ada.work@example.org")
    link = urlsplit(url).path
    assert link.startswith("/me/emails/confirm/")
    token = link.rsplit("/", 1)[1]
    stored = session.scalars(select(EmailLink)).one()
    assert (stored.purpose, stored.user_id) == ("add_email", user.id)
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64
    for _ in range(2):  # a mail scanner opening the link changes nothing
        shown = client.get(link, headers=HTML)
        assert shown.status_code == 200
        assert 'method="post"' in shown.text
    data = {"csrf": csrf_of(client), "token": token}
    assert client.post("/me/emails/confirm", data={"token": token}).status_code == 403
    confirmed = client.post("/me/emails/confirm", data=data, follow_redirects=False)
    assert confirmed.status_code == 303
    page = client.get("/me", headers=HTML).text
    assert f'id="c-{second["id"]}"' in page
    assert "ada.work@example.org" in page
    session.rollback()  # a fresh snapshot: the app committed meanwhile
    assert (
        len(session.scalars(select(RecipientClaim).where(RecipientClaim.user_id == user.id)).all())
        == 2
    )
    reused = client.post("/me/emails/confirm", data=data)
    assert reused.status_code == 400
    assert "expired or was used already" in reused.text
    assert client.get(link, headers=HTML).status_code == 400
    assert _ask(client, "ada.work@example.org").status_code == 409


def test_email_links_expire_and_belong_to_the_account_that_asked(
    client: TestClient, session: Session
) -> None:
    signed_in(client, session, "ada@example.org")
    assert _ask(client, "new@example.org").status_code == 303
    url = urlsplit(_mail_link(session, "new@example.org"))
    link, token = url.path, url.path.rsplit("/", 1)[1]
    other = TestClient(client.app, raise_server_exceptions=False)
    signed_in(other, session, "bob@example.org", handle="bob")
    assert other.get(link, headers=HTML).status_code == 403
    refused = other.post("/me/emails/confirm", data={"csrf": csrf_of(other), "token": token})
    assert refused.status_code == 403
    assert "another account" in refused.text
    session.execute(update(EmailLink).values(expires_at=SystemClock().now() - timedelta(seconds=1)))
    session.commit()
    expired = client.post("/me/emails/confirm", data={"csrf": csrf_of(client), "token": token})
    assert expired.status_code == 400
    for bad in ("", "x" * 500, "nope"):
        assert client.get("/me/emails/confirm", params={"token": bad}).status_code == 400
        assert client.get(f"/me/emails/confirm/{bad}").status_code in {400, 404}


@pytest.mark.parametrize(
    ("address", "status", "words"),
    [
        ("bob@example.org", 409, "belongs to another account"),
        ("ada@example.org", 409, "already in your account"),
        ("not an address", 422, "not an email address"),
        ("", 422, "not an email address"),
    ],
)
def test_an_email_that_cannot_be_added_is_refused_next_to_the_field(
    client: TestClient, session: Session, address: str, status: int, words: str
) -> None:
    signed_in(TestClient(client.app), session, "bob@example.org", handle="bob")
    signed_in(client, session, "ada@example.org")
    refused = _ask(client, address)
    assert refused.status_code == status
    assert words in refused.text
    assert "bob" not in refused.text.lower().replace("bob@example.org", "")
    session.rollback()  # a fresh snapshot: the app committed meanwhile
    assert session.scalars(select(MailMessage)).all() == []


def test_link_requests_are_bounded_per_account(client: TestClient, session: Session) -> None:
    signed_in(client, session, "ada@example.org")
    for n in range(5):
        assert _ask(client, f"a{n}@example.org").status_code == 303
    assert _ask(client, "a9@example.org").status_code == 429


def test_the_zip_is_written_a_credential_at_a_time(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    issued = [issue_to(client, headers, achievement_id, "ada@example.org") for _ in range(3)]
    user = signed_in(client, session, "ada@example.org")
    ids = backpack.credential_ids(session, user)
    assert sorted(map(str, ids)) == sorted(c["id"] for c in issued)
    chunks = list(
        backpack_export.zip_chunks(
            lambda: nullcontext(session),
            ids,
            base_url=BASE_URL,
            language="ja",
            now=SystemClock().now(),
        )
    )
    assert len(chunks) == 4  # one per credential, then the manifest and the directory
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    assert len(archive.namelist()) == 3 * 3 + 2
    assert all(len(chunk) < sum(map(len, chunks)) / 2 for chunk in chunks)


def test_the_request_log_never_holds_an_add_email_links_secret(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    signed_in(client, session, "ada@example.org")
    _ask(client, "new@example.org")
    link = urlsplit(_mail_link(session, "new@example.org")).path
    secret = link.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="badgeservice"):
        assert client.get(link, headers=HTML).status_code == 200
    logged = [record for record in caplog.records if record.getMessage() == "request"]
    assert [getattr(record, "path", None) for record in logged] == ["/me/emails/confirm/…"]
    assert all(secret not in str(record.__dict__) for record in caplog.records)
