"""Mail: the outbox written on issue, sent by the worker to a real SMTP server on localhost.

The app under test has an SMTP URL configured (so issuing enqueues mail); the sender each test
builds points at its own aiosmtpd server and reads time from a clock the test moves.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from badgeservice.app import create_app
from badgeservice.cli import app as cli_app
from badgeservice.clock import SystemClock
from badgeservice.db.models import (
    BatchItem,
    Credential,
    Issuer,
    MailMessage,
    RecipientClaim,
    User,
    UserIdentity,
)
from badgeservice.errors import ServiceError
from badgeservice.mail_sender import MailSender
from badgeservice.services import achievements, batches, mail
from badgeservice.services.smtp import SmtpTransport
from badgeservice.settings import Settings, SmtpServer
from badgeservice.web.mail import renderer
from badgeservice.worker import Worker
from tests.factories import (
    ACHIEVEMENT,
    BASE_URL,
    ISSUER_API,
    TEST_SECRET_KEY,
    create_issuer,
    issue_over_api,
)
from tests.mail_server import MailServer, free_port

SENDER = "Badges <badges@localhost>"
ACHIEVEMENT_IN_MANY = ACHIEVEMENT | {
    "name": {
        "en": "Wikipedia editing basics",
        "de": "Grundlagen der Wikipedia-Bearbeitung",
        "ja": "ウィキペディア編集の基礎",
        "ar": "أساسيات تحرير ويكيبيديا",
    }
}


class Clock:
    def __init__(self) -> None:
        self.moment = SystemClock().now() + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture(scope="module")
def mail_app(settings: Settings) -> Iterator[FastAPI]:
    configured = settings.model_copy(update={"smtp_url": "smtp://localhost:1025"})
    application = create_app(configured, configure_logs=False)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def mail_client(mail_app: FastAPI, session: Session) -> Iterator[TestClient]:
    with TestClient(mail_app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def many_languages(mail_client: TestClient, headers: dict[str, str]) -> str:
    response = mail_client.post(
        f"{ISSUER_API}/achievements", json=ACHIEVEMENT_IN_MANY, headers=headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def sender(app: FastAPI, server: SmtpServer, clock: Clock, **options: Any) -> MailSender:
    return MailSender(
        app.state.session_factory,
        renderer(BASE_URL, SENDER, clock),
        SmtpTransport(server, timeout=5),
        now=clock,
        rng=random.Random(12),
        **options,
    )


def messages(session: Session) -> list[MailMessage]:
    session.rollback()  # a fresh snapshot
    return list(session.scalars(select(MailMessage).order_by(MailMessage.created_at)))


def issue(client: TestClient, headers: dict[str, str], achievement: str, **body: Any) -> Any:
    recipient = {"email": "Ada@Example.org", "name": "Ada Lovelace"}
    return issue_over_api(client, headers, achievement, recipient=recipient, **body)


# -- what is sent ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "direction"),
    [
        ("en", "Wikimedia Deutschland awarded you “Wikipedia editing basics”", "ltr"),
        (
            "de",
            "Wikimedia Deutschland hat Ihnen „Grundlagen der Wikipedia-Bearbeitung“ verliehen",
            "ltr",
        ),
        ("ja", "Wikimedia Deutschland から「ウィキペディア編集の基礎」が授与されました", "ltr"),
        ("ar", "منحتك Wikimedia Deutschland شارة «أساسيات تحرير ويكيبيديا»", "rtl"),
    ],
)
def test_issuing_to_an_email_mails_the_page_and_badge_in_the_credential_language(
    mail_app: FastAPI,
    mail_client: TestClient,
    headers: dict[str, str],
    many_languages: str,
    smtp: MailServer,
    clock: Clock,
    session: Session,
    language: str,
    subject: str,
    direction: str,
) -> None:
    issued = issue(mail_client, headers, many_languages, language=language)
    assert sender(mail_app, smtp.address, clock).run_once() == 1

    [received] = smtp.messages
    message = received.message
    assert received.recipients == ["ada@example.org"]  # the normalised address
    assert message["Subject"] == subject
    assert message["From"] == SENDER
    assert message["To"] == "ada@example.org"
    assert message["Content-Language"] == language
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None
    page = f"{BASE_URL}/credentials/{issued['id']}"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert page in text.get_content()
    html_text = html.get_content()
    assert f'<html lang="{language}" dir="{direction}">' in html_text
    assert f'href="{page}"' in html_text
    [image] = [part for part in message.walk() if part.get_content_type() == "image/png"]
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html_text
    badge = image.get_content()
    assert badge.startswith(b"\x89PNG\r\n\x1a\n")
    page_png = mail_client.get(f"/credentials/{issued['id']}.png")
    assert page_png.status_code == 200
    assert badge == page_png.content  # the badge baked with the credential, as downloaded

    [row] = messages(session)
    assert row.status == "sent"
    assert row.attempts == 1
    assert row.sent_at is not None
    assert row.to_address is None  # erased once sent
    assert row.context == {"credential": issued["id"]}


def test_the_why_line_says_the_issuer_and_the_service(
    mail_app: FastAPI,
    mail_client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    smtp: MailServer,
    clock: Clock,
) -> None:
    issue(mail_client, headers, achievement_id)
    sender(mail_app, smtp.address, clock).run_once()
    text = smtp.messages[0].message.get_body(("plain",))
    assert text is not None
    assert (
        "You get this message because Wikimedia Deutschland issued a credential to this email "
        "address at localhost:8000. It is sent once, for this credential."
    ) in text.get_content()
    assert "Hello Ada Lovelace," in text.get_content()


@pytest.mark.parametrize("template", ["sign_in_link", "add_email_link"])
@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_link_messages_carry_the_link_and_forget_it_once_sent(
    mail_app: FastAPI,
    session: Session,
    smtp: MailServer,
    clock: Clock,
    template: str,
    language: str,
) -> None:
    link = f"{BASE_URL}/auth/email/{uuid.uuid4().hex}"
    mail.enqueue(
        session,
        to="grace@example.org",
        template=template,
        language=language,
        context={"url": link, "minutes": 15},
        now=SystemClock().now(),
    )
    session.commit()
    sender(mail_app, smtp.address, clock).run_once()

    message = smtp.messages[0].message
    assert message["To"] == "grace@example.org"
    assert message["Content-Language"] == language
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert link in text.get_content()
    assert "15" in text.get_content()
    assert f'href="{link}"' in html.get_content()
    assert f'dir="{"rtl" if language == "ar" else "ltr"}"' in html.get_content()
    [row] = messages(session)
    assert (row.status, row.to_address, row.context) == ("sent", None, {})


def test_enqueue_refuses_an_unknown_template(session: Session) -> None:
    with pytest.raises(ValueError, match="unknown mail template"):
        mail.enqueue(
            session,
            to="a@b.org",
            template="newsletter",
            language="en",
            context={},
            now=SystemClock().now(),
        )


# -- retries -----------------------------------------------------------------------------------


def test_a_temporary_refusal_is_retried_after_the_backoff(
    mail_app: FastAPI,
    mail_client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    smtp: MailServer,
    clock: Clock,
    session: Session,
) -> None:
    issue(mail_client, headers, achievement_id)
    smtp.replies = ["451 4.3.0 Try again later"]
    outbox = sender(mail_app, smtp.address, clock)
    assert outbox.run_once() == 1
    [row] = messages(session)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "451 message refused")
    assert row.to_address == "ada@example.org"  # kept until sent or given up
    wait = row.next_attempt_at - clock()
    assert timedelta(seconds=48) <= wait <= timedelta(seconds=72)  # 1 min ± 20 %

    clock.advance(seconds=40)
    assert outbox.run_once() == 0  # not yet due
    assert smtp.messages == []
    clock.advance(seconds=40)
    assert outbox.run_once() == 1
    assert len(smtp.messages) == 1
    [row] = messages(session)
    assert (row.status, row.attempts, row.last_error, row.to_address) == ("sent", 2, None, None)


def test_a_permanent_refusal_gives_up_at_once(
    mail_app: FastAPI,
    mail_client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    smtp: MailServer,
    clock: Clock,
    session: Session,
) -> None:
    issued = issue(mail_client, headers, achievement_id)
    smtp.replies = ["550 5.1.1 <ada@example.org>: mailbox unavailable"]
    outbox = sender(mail_app, smtp.address, clock)
    outbox.run_once()
    [row] = messages(session)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "550 message refused")
    assert row.to_address is None
    assert "ada" not in (row.last_error or "")  # the server's text, naming the address, is dropped
    clock.advance(days=2)
    assert outbox.run_once() == 0
    credential = session.get_one(Credential, uuid.UUID(issued["id"]))
    assert credential.revoked_at is None  # a failed send never touches the credential


def test_a_server_that_is_down_is_retried_until_it_is_up(
    mail_app: FastAPI,
    mail_client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    clock: Clock,
    session: Session,
) -> None:
    issue(mail_client, headers, achievement_id)
    server = MailServer()  # not started: connections are refused
    outbox = sender(mail_app, server.address, clock)
    outbox.run_once()
    [row] = messages(session)
    assert row.status == "pending"
    assert row.last_error == "connection failed (ConnectionRefusedError)"
    server.start()
    try:
        clock.advance(minutes=2)
        assert outbox.run_once() == 1
    finally:
        server.stop()
    assert len(server.messages) == 1
    assert messages(session)[0].status == "sent"


def test_backoff_grows_and_the_message_is_given_up_after_the_last_attempt(
    mail_app: FastAPI,
    session: Session,
    clock: Clock,
) -> None:
    mail.enqueue(
        session,
        to="a@b.org",
        template="sign_in_link",
        language="en",
        context={"url": f"{BASE_URL}/x", "minutes": 15},
        now=SystemClock().now(),
    )
    session.commit()
    outbox = sender(mail_app, SmtpServer("127.0.0.1", free_port(), "plain"), clock, max_attempts=4)
    waits = []
    for _ in range(4):
        assert outbox.run_once() == 1
        [row] = messages(session)
        if row.status == "pending":
            waits.append(row.next_attempt_at - clock())
            clock.moment = row.next_attempt_at
    assert len(waits) == 3
    for wait, step in zip(waits, mail.BACKOFF, strict=False):  # 1, 5, 30 min, each ± 20 %
        assert step * 0.8 <= wait <= step * 1.2
    assert [wait / step for wait, step in zip(waits, mail.BACKOFF, strict=False)] != [1.0] * 3
    [row] = messages(session)
    assert (row.status, row.attempts, row.to_address, row.context) == ("failed", 4, None, {})


def test_a_message_claimed_by_a_dead_worker_is_sent_after_its_lease(
    mail_app: FastAPI, session: Session, smtp: MailServer, clock: Clock
) -> None:
    mail.enqueue(
        session,
        to="a@b.org",
        template="sign_in_link",
        language="en",
        context={"url": f"{BASE_URL}/x", "minutes": 15},
        now=SystemClock().now(),
    )
    session.commit()
    dead = sender(mail_app, smtp.address, clock)
    assert len(dead.claim(10)) == 1  # claimed, then the worker "dies" before sending
    alive = sender(mail_app, smtp.address, clock)
    assert alive.run_once() == 0
    clock.advance(minutes=11)
    assert alive.run_once() == 1
    assert len(smtp.messages) == 1


def test_two_workers_racing_never_send_a_message_twice(
    mail_app: FastAPI, session: Session, smtp: MailServer, clock: Clock
) -> None:
    for number in range(24):
        mail.enqueue(
            session,
            to=f"learner{number}@example.org",
            template="sign_in_link",
            language="en",
            context={"url": f"{BASE_URL}/x/{number}", "minutes": 15},
            now=SystemClock().now(),
        )
    session.commit()
    start = threading.Barrier(2)
    tried: list[int] = []

    def work() -> None:
        outbox = sender(mail_app, smtp.address, clock)
        start.wait()
        while (handled := outbox.run_once(limit=3)) > 0:
            tried.append(handled)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    recipients = sorted(r for received in smtp.messages for r in received.recipients)
    assert recipients == sorted(f"learner{n}@example.org" for n in range(24))
    assert sum(tried) == 24
    assert {row.status for row in messages(session)} == {"sent"}


# -- when mail is enqueued ---------------------------------------------------------------------


def test_issuing_returns_201_with_the_smtp_server_down(
    mail_app: FastAPI,
    mail_client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    clock: Clock,
    session: Session,
) -> None:
    issued = issue(mail_client, headers, achievement_id)  # asserts the 201
    down = sender(mail_app, SmtpServer("127.0.0.1", free_port(), "plain"), clock)
    down.run_once()
    assert session.get(Credential, uuid.UUID(issued["id"])) is not None
    assert [row.status for row in messages(session)] == ["pending"]


@pytest.mark.parametrize("where", ["request", "issuer"])
def test_no_mail_when_the_request_or_the_issuer_opts_out(
    mail_client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    session: Session,
    where: str,
) -> None:
    if where == "issuer":
        response = mail_client.patch(ISSUER_API, json={"notifyRecipients": False}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["notifyRecipients"] is False
        issue(mail_client, headers, achievement_id)
    else:
        issue(mail_client, headers, achievement_id, notify=False)
    assert messages(session) == []


def test_no_mail_without_an_smtp_server(
    client: TestClient, headers: dict[str, str], achievement_id: str, session: Session
) -> None:
    issue(client, headers, achievement_id)  # the default app: no BADGESERVICE_SMTP_URL
    assert messages(session) == []


def test_did_recipients_get_no_mail(
    mail_client: TestClient, headers: dict[str, str], achievement_id: str, session: Session
) -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    issue_over_api(mail_client, headers, achievement_id, recipient={"did": did})
    assert messages(session) == []


def test_issuer_mail_options_are_shown_and_changed_with_issuer_write(
    mail_client: TestClient, headers: dict[str, str]
) -> None:
    shown = mail_client.get(ISSUER_API, headers=headers).json()
    assert (shown["notifyRecipients"], shown["notifyAccounts"]) == (True, False)
    changed = mail_client.patch(ISSUER_API, json={"notifyAccounts": True}, headers=headers)
    assert changed.json()["notifyAccounts"] is True
    bad = mail_client.patch(ISSUER_API, json={"notifyAccounts": "often"}, headers=headers)
    assert bad.status_code == 422


# -- batches -----------------------------------------------------------------------------------


def test_batch_rows_mail_once_issued_and_failed_rows_drop_their_message(
    mail_app: FastAPI,
    mail_client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    smtp: MailServer,
    clock: Clock,
    session: Session,
) -> None:
    body = {
        "achievementId": achievement_id,
        "recipients": [
            {"recipient": {"email": "one@example.org"}},
            {"recipient": {"email": "two@example.org"}},
            {"recipient": {"email": "not an email"}},
            {"recipient": {"did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}},
        ],
    }
    response = mail_client.post(f"{ISSUER_API}/batches", json=body, headers=headers)
    assert response.status_code == 202, response.text
    waiting = messages(session)
    assert sorted(row.to_address or "" for row in waiting) == ["one@example.org", "two@example.org"]
    assert {row.status for row in waiting} == {"waiting"}
    assert sender(mail_app, smtp.address, clock).run_once() == 0  # nothing due yet

    def issue_but_row_two(
        db: Session, batch: Any, row: dict[str, Any], now: datetime
    ) -> Credential:
        item_two = db.scalar(select(BatchItem).where(BatchItem.row_number == 2))
        if item_two is not None and item_two.input == row:
            raise ServiceError("row two fails")
        return issuer_row(db, batch, row, now)

    issuer_row = batches.row_issuer(BASE_URL, mail_app.state.key_store)
    with mail_app.state.session_factory() as db:
        batches.process_pending(db, issue_but_row_two, mail_app.state.clock)
        db.commit()
    [released] = messages(session)
    assert (released.status, released.batch_item_id) == ("pending", None)
    one = session.scalar(select(BatchItem).where(BatchItem.row_number == 1))
    assert one is not None
    assert released.context["credential"] == str(one.credential_id)

    sender(mail_app, smtp.address, clock).run_once()
    assert [r.recipients for r in smtp.messages] == [["one@example.org"]]


def test_csv_batch_with_notify_false_enqueues_nothing(
    mail_client: TestClient, headers: dict[str, str], achievement_id: str, session: Session
) -> None:
    response = mail_client.post(
        f"{ISSUER_API}/batches",
        params={"achievementId": achievement_id, "notify": "false"},
        content=b"email\none@example.org\n",
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    assert messages(session) == []


def test_the_worker_issues_rows_and_sends_their_mail(
    mail_app: FastAPI,
    mail_client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    smtp: MailServer,
    session: Session,
) -> None:
    body = {"achievementId": achievement_id, "recipients": [{"recipient": {"email": "w@e.org"}}]}
    assert mail_client.post(f"{ISSUER_API}/batches", json=body, headers=headers).status_code == 202
    app_clock = mail_app.state.clock
    outbox = MailSender(
        mail_app.state.session_factory,
        renderer(BASE_URL, SENDER, app_clock.now),
        SmtpTransport(smtp.address, timeout=5),
        now=app_clock.now,
    )
    factory, key_store = mail_app.state.session_factory, mail_app.state.key_store
    worker = Worker(factory, BASE_URL, key_store, clock=app_clock, mail=outbox)
    assert worker.run(until_idle=True) == 2  # one row, then its message
    assert [r.recipients for r in smtp.messages] == [["w@e.org"]]


# -- accounts ----------------------------------------------------------------------------------


def make_account(session: Session, lookup: str, *emails: str) -> User:
    user = User(handle=f"u{uuid.uuid4().hex[:8]}", display_name="Ada")
    session.add(user)
    session.flush()
    wikimedia = UserIdentity(
        user_id=user.id,
        kind="wikimedia",
        subject=uuid.uuid4().hex,
        username="Ada Lovelace",
        verified_at=SystemClock().now(),
    )
    session.add(wikimedia)
    for number, address in enumerate(emails):
        session.add(
            UserIdentity(
                user_id=user.id,
                kind="email",
                subject=f"hash{number}{lookup}",
                email=address,
                verified_at=SystemClock().now() + timedelta(seconds=number),
            )
        )
    session.flush()
    session.add(RecipientClaim(user_id=user.id, identity_id=wikimedia.id, lookup=lookup))
    session.commit()
    return user


def test_address_for_lookup_is_the_claimants_first_verified_email(session: Session) -> None:
    make_account(session, "a" * 64, "first@example.org", "second@example.org")
    make_account(session, "b" * 64)  # signed in, no email
    assert mail.address_for_lookup(session, "a" * 64) == "first@example.org"
    assert mail.address_for_lookup(session, "b" * 64) is None
    assert mail.address_for_lookup(session, "c" * 64) is None


def test_account_recipients_are_mailed_only_when_the_issuer_notifies_accounts(
    mail_app: FastAPI, mail_client: TestClient, headers: dict[str, str], session: Session
) -> None:
    make_account(session, "d" * 64, "ada@example.org")
    issuer = session.scalar(select(Issuer))
    assert issuer is not None
    configured = mail_app.state.settings
    assert mail.recipient_address(session, configured, issuer, None, "d" * 64) is None
    issuer.notify_accounts = True
    assert mail.recipient_address(session, configured, issuer, None, "d" * 64) == "ada@example.org"
    unconfigured = configured.model_copy(update={"smtp_url": None})
    assert mail.recipient_address(session, unconfigured, issuer, None, "d" * 64) is None
    session.rollback()


# -- the CLI -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("flag", "mailed"), [((), ["cli@example.org"]), (("--no-notify",), [])])
def test_cli_issue_enqueues_mail_unless_told_not_to(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    session: Session,
    flag: tuple[str, ...],
    mailed: list[str],
) -> None:
    monkeypatch.setenv("BADGESERVICE_DATABASE_URL", database_url)
    monkeypatch.setenv("BADGESERVICE_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("BADGESERVICE_SMTP_URL", "smtp://localhost:1025")
    issuer = create_issuer(session, slug="cli-mail", name="CLI")
    fields = {k: v for k, v in ACHIEVEMENT.items() if k != "alignments"}
    achievement = achievements.create_achievement(session, issuer, fields, actor="test")
    session.commit()
    csv = tmp_path / "people.csv"
    csv.write_text("name,email\nAda,cli@example.org\n")
    args = [
        "issue",
        "--issuer",
        "cli-mail",
        "--achievement",
        str(achievement.id),
        "--csv",
        str(csv),
    ]
    result = CliRunner().invoke(cli_app, [*args, *flag])
    assert result.exit_code == 0, result.output
    rows = messages(session)
    assert [row.to_address for row in rows] == mailed
    assert {row.status for row in rows} <= {"pending"}


@pytest.mark.parametrize("language", ["en", "de", "ar"])
def test_an_email_member_is_invited_by_mail_with_a_link_to_the_console(
    mail_client: TestClient,
    session: Session,
    headers: dict[str, str],
    smtp: MailServer,
    clock: Clock,
    language: str,
) -> None:
    body = {"kind": "email", "value": "Staff@Example.org", "role": "editor", "language": language}
    assert mail_client.post(f"{ISSUER_API}/members", json=body, headers=headers).status_code == 201
    wikimedia = {"kind": "wikimedia", "value": "Jane", "role": "viewer"}
    assert mail_client.post(f"{ISSUER_API}/members", json=wikimedia, headers=headers).is_success
    sender(mail_client.app, smtp.address, clock).run_once()
    [sent] = smtp.messages
    message = sent.message
    assert message["To"] == "staff@example.org"
    assert message["Content-Language"] == language
    text = message.get_body(("plain",))
    assert text is not None
    assert f"{BASE_URL}/console/wmde" in text.get_content()
    assert "Wikimedia Deutschland" in message["Subject"]
