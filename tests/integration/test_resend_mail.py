"""Sending a credential's message again: to the recipient's account, or to the address given
when it is the recipient's; never for a revoked credential; at most 3 times an hour."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.clock import FixedClock, SystemClock
from badgeservice.db.models import (
    AuditEvent,
    Issuer,
    MailMessage,
    RecipientClaim,
    User,
    UserIdentity,
)
from badgeservice.services.issuance import lookup_of
from badgeservice.web.mail import build_message
from tests.factories import ACHIEVEMENT, ISSUER_API, KEY_STORE, bearer, create_token, issue_over_api
from tests.integration.conftest import FIXED_MOMENT

PATH = f"{ISSUER_API}/credentials"


@pytest.fixture
def mail_client(sign_in_app: FastAPI, session: Session) -> Iterator[TestClient]:
    """A client of an app that sends mail (the outbox only), its clock stopped."""
    sign_in_app.state.clock = FixedClock(FIXED_MOMENT)
    with TestClient(sign_in_app, raise_server_exceptions=False) as test_client:
        yield test_client
    sign_in_app.state.clock = SystemClock()


@pytest.fixture
def achievement(mail_client: TestClient, headers: dict[str, str]) -> str:
    response = mail_client.post(f"{ISSUER_API}/achievements", json=ACHIEVEMENT, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def account(session: Session, username: str, email: str | None) -> User:
    """A user who proved the Wikimedia ``username`` and (when given) the ``email``."""
    now = SystemClock().now()
    user = User(handle=f"u{uuid.uuid4().hex[:8]}", display_name=username)
    session.add(user)
    session.flush()
    wikimedia = UserIdentity(
        user_id=user.id,
        kind="wikimedia",
        subject=uuid.uuid4().hex,
        username=username,
        verified_at=now,
    )
    session.add(wikimedia)
    if email is not None:
        session.add(
            UserIdentity(user_id=user.id, kind="email", subject=email, email=email, verified_at=now)
        )
    session.flush()
    lookup = lookup_of(KEY_STORE, "wikimedia_username", username)
    session.add(RecipientClaim(user_id=user.id, identity_id=wikimedia.id, lookup=lookup))
    session.commit()
    return user


def outbox(session: Session) -> list[tuple[str | None, dict[str, Any]]]:
    session.rollback()  # a fresh snapshot
    rows = session.scalars(select(MailMessage).order_by(MailMessage.created_at))
    return [(m.to_address, m.context) for m in rows]


def resend(client: TestClient, headers: dict[str, str], credential: str, **body: Any) -> Any:
    return client.post(f"{PATH}/{credential}/resend-mail", json=body or None, headers=headers)


def issue(client: TestClient, headers: dict[str, str], achievement: str, **recipient: str) -> str:
    issued = issue_over_api(client, headers, achievement, recipient=recipient, notify=False)
    return str(issued["id"])


def test_resend_without_an_email_goes_to_the_account_that_proved_the_recipient(
    mail_client: TestClient, headers: dict[str, str], achievement: str, session: Session
) -> None:
    account(session, "Ada Lovelace", "ada@example.org")
    credential = issue(mail_client, headers, achievement, wikimediaUsername="Ada Lovelace")
    response = resend(mail_client, headers, credential)
    assert response.status_code == 202, response.text
    assert response.json() == {"credentialId": credential, "sentTo": "account"}
    assert "ada@example.org" not in response.text
    assert outbox(session) == [
        ("ada@example.org", {"credential": credential, "reason": "account", "resent": True})
    ]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "credential.mail_resent"))
    assert [(e.subject_id, e.details) for e in event] == [(credential, {"to": "account"})]


def test_resend_to_the_recipients_own_email_normalised(
    mail_client: TestClient, headers: dict[str, str], achievement: str, session: Session
) -> None:
    credential = issue(mail_client, headers, achievement, email="grace@example.org")
    response = resend(mail_client, headers, credential, email=" Grace@EXAMPLE.org")
    assert response.status_code == 202, response.text
    assert response.json()["sentTo"] == "email"
    assert outbox(session) == [
        ("grace@example.org", {"credential": credential, "reason": "email", "resent": True})
    ]


@pytest.mark.parametrize(
    ("recipient", "email"),
    [
        ({"email": "grace@example.org"}, "mallory@example.org"),
        ({"wikimediaUsername": "Grace"}, "grace@example.org"),
        ({"did": "did:example:grace"}, "grace@example.org"),
    ],
)
def test_resend_to_an_email_that_is_not_the_recipients_is_a_422(
    mail_client: TestClient,
    headers: dict[str, str],
    achievement: str,
    session: Session,
    recipient: dict[str, str],
    email: str,
) -> None:
    credential = issue(mail_client, headers, achievement, **recipient)
    response = resend(mail_client, headers, credential, email=email)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "email_not_recipient"
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [
        ("/body/email", "email_not_recipient")
    ]
    assert outbox(session) == []


def test_resend_to_what_is_not_an_email_is_a_422_on_the_field(
    mail_client: TestClient, headers: dict[str, str], achievement: str
) -> None:
    credential = issue(mail_client, headers, achievement, email="grace@example.org")
    response = resend(mail_client, headers, credential, email="grace")
    assert response.status_code == 422, response.text
    assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [
        ("/body/email", "invalid_email")
    ]


@pytest.mark.parametrize(
    "recipient", [{"did": "did:example:grace"}, {"wikimediaUsername": "Nobody"}]
)
def test_resend_with_no_address_known_is_a_409(
    mail_client: TestClient,
    headers: dict[str, str],
    achievement: str,
    session: Session,
    recipient: dict[str, str],
) -> None:
    account(session, "Nobody", None)  # signed in, proved no email
    credential = issue(mail_client, headers, achievement, **recipient)
    response = resend(mail_client, headers, credential)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "recipient_address_unknown"
    assert outbox(session) == []


def test_a_revoked_credential_is_not_mailed_again(
    mail_client: TestClient, headers: dict[str, str], achievement: str, session: Session
) -> None:
    credential = issue(mail_client, headers, achievement, email="grace@example.org")
    assert mail_client.post(f"{PATH}/{credential}/revoke", headers=headers).status_code == 200
    response = resend(mail_client, headers, credential, email="grace@example.org")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "credential_revoked"
    assert outbox(session) == []


def test_resends_are_limited_per_credential_per_hour(
    mail_client: TestClient,
    sign_in_app: FastAPI,
    headers: dict[str, str],
    achievement: str,
    session: Session,
) -> None:
    first = issue(mail_client, headers, achievement, email="grace@example.org")
    second = issue(mail_client, headers, achievement, email="grace@example.org")
    for _ in range(3):
        assert resend(mail_client, headers, first, email="grace@example.org").status_code == 202
    limited = resend(mail_client, headers, first, email="grace@example.org")
    assert limited.status_code == 429, limited.text
    assert limited.json()["code"] == "too_many_resends"
    assert limited.headers["Retry-After"] == "3600"
    assert resend(mail_client, headers, second, email="grace@example.org").status_code == 202
    sign_in_app.state.clock.advance(timedelta(hours=1, seconds=1))
    assert resend(mail_client, headers, first, email="grace@example.org").status_code == 202
    assert len(outbox(session)) == 5


def test_resend_needs_the_issue_scope_and_mail(
    client: TestClient,
    mail_client: TestClient,
    headers: dict[str, str],
    achievement: str,
    session: Session,
) -> None:
    credential = issue(mail_client, headers, achievement, email="grace@example.org")
    issuer = session.scalar(select(Issuer))
    reader = bearer(create_token(session, issuer, scopes=["credentials:read"]))
    assert resend(mail_client, reader, credential).status_code == 403
    no_mail = resend(client, headers, credential, email="grace@example.org")
    assert no_mail.status_code == 409, no_mail.text
    assert no_mail.json()["code"] == "mail_disabled"
    assert resend(mail_client, headers, str(uuid.uuid4())).status_code == 404


def test_a_resent_message_says_the_issuer_asked_for_it_again(
    mail_client: TestClient, headers: dict[str, str], achievement: str, session: Session
) -> None:
    credential = issue(mail_client, headers, achievement, email="grace@example.org")
    assert resend(mail_client, headers, credential, email="grace@example.org").status_code == 202
    session.rollback()
    [message] = session.scalars(select(MailMessage)).all()
    built = build_message(
        session, message, base_url="http://localhost:8000", sender="b@example.org",
        sent=SystemClock().now(),
    )  # fmt: skip
    text = built.get_body(("plain",))
    assert text is not None
    assert "asked us to send it again" in " ".join(text.get_content().split())
    assert "It is sent once" not in text.get_content()
