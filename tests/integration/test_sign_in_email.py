"""Email sign-in by one-time link: the form, the mail row (the outbox), the scanner-safe
confirm page, 15 minutes, once, only a hash stored, rate limits, and the form token."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from badgeservice.clock import SystemClock
from badgeservice.db.models import (
    EmailLink,
    MailMessage,
    RateLimitHit,
    RecipientClaim,
    User,
    UserIdentity,
    WebSession,
)
from badgeservice.services import sign_in, web_sessions
from badgeservice.services.issuance import lookup_of
from badgeservice.settings import Settings
from badgeservice.web import auth_pages
from tests.factories import ISSUER_API
from tests.oauth_provider import path_of

ADDRESS = "Ada@Example.org"


def count(session: Session, model: type[Any]) -> int:
    session.rollback()  # a fresh snapshot (SQLite keeps a read transaction's view)
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def form_token(page: Any) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def ask_for_link(client: TestClient, address: str = ADDRESS, **headers: str) -> Any:
    token = form_token(client.get("/auth/email", headers=headers))
    return client.post("/auth/email", data={"email": address, "form_token": token}, headers=headers)


def mailed_link(session: Session) -> str:
    session.rollback()
    message = session.scalars(select(MailMessage).order_by(MailMessage.created_at.desc())).first()
    assert message is not None
    return path_of(str(message.context["url"]))


def confirm(client: TestClient, link: str) -> Any:
    page = client.get(link)
    assert page.status_code == 200, page.text
    return client.post(link, data={"form_token": form_token(page)})


@pytest.fixture
def moved_clock(sign_in_app: FastAPI) -> Iterator[list[timedelta]]:
    shift: list[timedelta] = []
    sign_in_app.dependency_overrides[auth_pages.current_time] = lambda: (
        SystemClock().now() + sum(shift, timedelta())
    )
    yield shift
    sign_in_app.dependency_overrides.clear()


def test_asking_for_a_link_puts_a_mail_in_the_outbox(
    sign_in_client: TestClient, session: Session
) -> None:
    response = ask_for_link(sign_in_client, **{"Accept-Language": "fr"})
    assert response.status_code == 200
    assert "Consultez votre boîte de réception" in response.text
    message = session.scalars(select(MailMessage)).one()
    assert (message.to_address, message.template, message.language) == (
        "ada@example.org",
        "sign_in_link",
        "fr",
    )
    assert (message.status, message.attempts) == ("pending", 0)
    assert message.context["minutes"] == 15
    url = str(message.context["url"])
    assert url.startswith("http://localhost:8000/auth/email/")
    secret = url.rsplit("/", 1)[1]
    link = session.scalars(select(EmailLink)).one()
    assert link.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    dump = " ".join(str(row) for row in session.execute(text("SELECT * FROM email_links")))
    assert secret not in dump  # only the hash is stored


def test_opening_the_link_changes_nothing_and_the_button_signs_in(
    sign_in_client: TestClient, sign_in_app: FastAPI, session: Session
) -> None:
    ask_for_link(sign_in_client)
    link = mailed_link(session)
    for _ in range(3):  # a mail scanner fetching the link does not use it up
        page = sign_in_client.get(link)
        assert page.status_code == 200
        assert f'action="{link}"' in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
    assert count(session, WebSession) == 0
    signed_in = sign_in_client.post(link, data={"form_token": form_token(page)})
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/auth/sign-in"
    assert web_sessions.COOKIE_NAME in signed_in.cookies
    session.rollback()
    identity = session.scalars(select(UserIdentity)).one()
    lookup = lookup_of(sign_in_app.state.key_store, "email", ADDRESS)
    assert (identity.kind, identity.subject, identity.email) == ("email", lookup, "ada@example.org")
    assert session.scalars(select(RecipientClaim.lookup)).one() == lookup
    used = session.scalars(select(EmailLink)).one()
    assert used.used_at is not None
    assert used.email is None  # the address is erased once used


def test_a_link_works_once(sign_in_client: TestClient, session: Session) -> None:
    ask_for_link(sign_in_client)
    link = mailed_link(session)
    page = sign_in_client.get(link)
    token = form_token(page)
    assert sign_in_client.post(link, data={"form_token": token}).status_code == 303
    again = sign_in_client.post(link, data={"form_token": token})
    assert again.status_code == 400
    assert "expired or was used already" in again.text
    assert sign_in_client.get(link).status_code == 400
    assert count(session, WebSession) == 1


@pytest.mark.parametrize(("minutes", "works"), [(14, True), (15, False), (16, False)])
def test_a_link_works_for_15_minutes(
    sign_in_client: TestClient,
    session: Session,
    moved_clock: list[timedelta],
    minutes: int,
    works: bool,
) -> None:
    ask_for_link(sign_in_client)
    link = mailed_link(session)
    token = form_token(sign_in_client.get(link))
    moved_clock.append(timedelta(minutes=minutes))
    assert (sign_in_client.get(link).status_code == 200) is works
    response = sign_in_client.post(link, data={"form_token": token})
    assert response.status_code == (303 if works else 400)
    assert count(session, User) == (1 if works else 0)


def test_signing_in_again_finds_the_same_account(
    sign_in_client: TestClient, session: Session
) -> None:
    for address in (ADDRESS, " ada@example.ORG "):
        ask_for_link(sign_in_client, address)
        assert confirm(sign_in_client, mailed_link(session)).status_code == 303
    assert count(session, User) == 1
    assert count(session, WebSession) == 1  # the browser's earlier session was ended


def test_credentials_issued_to_the_address_are_claimed(
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    sign_in_client: TestClient,
    session: Session,
) -> None:
    body = {"achievementId": achievement_id, "recipient": {"email": "ADA@example.org"}}
    issued = client.post(f"{ISSUER_API}/credentials", json=body, headers=headers)
    assert issued.status_code == 201
    ask_for_link(sign_in_client)
    confirm(sign_in_client, mailed_link(session))
    session.rollback()
    lookup = session.scalar(
        text("SELECT recipient_lookup FROM credentials WHERE recipient_type = 'email'")
    )
    assert session.scalars(select(RecipientClaim.lookup)).one() == lookup


@pytest.mark.parametrize(
    "post",
    [
        lambda c, link: c.post(link, data={}),
        lambda c, link: c.post(link, data={"form_token": "x" * 32}),
        lambda c, link: c.post("/auth/email", data={"email": ADDRESS}),
    ],
    ids=["confirm-without-token", "confirm-with-another-token", "ask-without-token"],
)
def test_forms_without_the_browsers_form_token_are_refused(
    sign_in_app: FastAPI, sign_in_client: TestClient, session: Session, post: Any
) -> None:
    ask_for_link(sign_in_client)
    link = mailed_link(session)
    with TestClient(sign_in_app, follow_redirects=False) as stranger:
        response = post(stranger, link)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert count(session, User) == 0
    assert count(session, MailMessage) == 1


@pytest.mark.parametrize("address", ["not an address", "", "a@b", "x" * 390 + "@example.org"])
def test_a_bad_address_is_a_form_error_and_nothing_is_stored(
    sign_in_client: TestClient, session: Session, address: str
) -> None:
    response = ask_for_link(sign_in_client, address)
    assert response.status_code == 422
    assert "Enter an email address" in response.text
    assert count(session, MailMessage) == 0
    assert count(session, EmailLink) == 0


def test_links_are_limited_per_address(
    sign_in_client: TestClient, sign_in_settings: Settings, session: Session
) -> None:
    for _ in range(sign_in_settings.sign_in_limit_per_address):
        assert ask_for_link(sign_in_client).status_code == 200
    refused = ask_for_link(sign_in_client, "ADA@example.org", **{"Accept-Language": "de"})
    assert refused.status_code == 429
    assert "Zu viele Versuche" in refused.text
    assert refused.headers["retry-after"] == "900"
    assert count(session, MailMessage) == sign_in_settings.sign_in_limit_per_address
    # another address from the same browser still gets one
    assert ask_for_link(sign_in_client, "grace@example.org").status_code == 200
    stored = " ".join(session.scalars(select(RateLimitHit.bucket)))
    assert "ada" not in stored  # keyed hashes only
    assert "testclient" not in stored


def test_links_are_limited_per_client_ip(
    sign_in_client: TestClient, sign_in_settings: Settings, session: Session
) -> None:
    for number in range(sign_in_settings.sign_in_limit_per_ip):
        assert ask_for_link(sign_in_client, f"learner{number}@example.org").status_code == 200
    assert ask_for_link(sign_in_client, "one-more@example.org").status_code == 429
    assert count(session, MailMessage) == sign_in_settings.sign_in_limit_per_ip


def test_the_limit_window_passes(
    sign_in_client: TestClient,
    sign_in_settings: Settings,
    session: Session,
    moved_clock: list[timedelta],
) -> None:
    for _ in range(sign_in_settings.sign_in_limit_per_address):
        ask_for_link(sign_in_client)
    assert ask_for_link(sign_in_client).status_code == 429
    moved_clock.append(timedelta(seconds=sign_in_settings.sign_in_limit_window_seconds + 1))
    assert ask_for_link(sign_in_client).status_code == 200


@pytest.mark.parametrize("link", ["/auth/email/unknown", "/auth/email/" + "x" * 300])
def test_an_unknown_link_is_a_clear_page(sign_in_client: TestClient, link: str) -> None:
    page = sign_in_client.get(link, headers={"Accept-Language": "ja"})
    assert page.status_code == 400
    assert "このリンクは使えません" in page.text


def test_without_mail_email_sign_in_says_it_is_unavailable(client: TestClient) -> None:
    page = client.get("/auth/email", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Signing in by email is not available on this server" in page.text
    client.get("/auth/sign-in", headers={"Accept": "text/html"})
    token = client.cookies[auth_pages.FORM_COOKIE]
    refused = client.post(
        "/auth/email", data={"email": ADDRESS, "form_token": token}, headers={"Accept": "text/html"}
    )
    assert refused.status_code == 503


def test_an_add_email_link_is_mailed_with_its_template_and_only_its_purpose_uses_it(
    sign_in_client: TestClient, session: Session
) -> None:
    """The service the backpack's "add an email" form calls: same rules, its own template and
    confirm route; the sign-in route does not accept it."""
    now = SystemClock().now()
    user = User(handle="ada", display_name="Ada", language="en", profile_public=False)
    session.add(user)
    session.flush()
    sign_in.send_link(
        session,
        address="Second@Example.org",
        purpose="add_email",
        base_url="https://badges.example.org",
        language="de",
        now=now,
        user=user,
        link_path="/me/emails",
    )
    session.commit()
    message = session.scalars(select(MailMessage)).one()
    assert message.template == "add_email_link"
    assert message.context["minutes"] == 15
    url = str(message.context["url"])
    assert url.startswith("https://badges.example.org/me/emails/")
    secret = url.rsplit("/", 1)[1]
    assert sign_in_client.get(f"/auth/email/{secret}").status_code == 400
    with pytest.raises(sign_in.EmailLinkInvalidError):
        sign_in.use_link(session, secret, "sign_in", now)
    address, link = sign_in.use_link(session, secret, "add_email", now)
    assert (address, link.user_id) == ("second@example.org", user.id)
    with pytest.raises(sign_in.EmailLinkInvalidError):
        sign_in.use_link(session, secret, "add_email", now)


def test_the_request_log_never_holds_the_links_secret(
    sign_in_client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    ask_for_link(sign_in_client)
    link = mailed_link(session)
    secret = link.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="badgeservice"):
        confirm(sign_in_client, link)
    logged = [record for record in caplog.records if record.getMessage() == "request"]
    assert [getattr(record, "path", None) for record in logged] == ["/auth/email/…"] * 2
    assert all(secret not in str(record.__dict__) for record in caplog.records)
